# Source of notebooks/08_early_stopping.ipynb -- edit here, then: python notebooks/build.py 08

# %% [markdown]
# # 08 · Early stopping (§7.8)
#
# **The book's claim.** When a model with enough capacity to overfit is trained, the training error keeps
# falling while the validation error eventually rises again. So we keep a copy of the parameters each time
# the validation error improves, and when it has not improved for $p$ evaluations ("patience") we stop and
# return the best copy: **Algorithm 7.1**, the early stopping meta-algorithm. It is a regularizer that
# costs no change to the objective and, for a quadratic objective, it is equivalent to $L^2$ regularization
# with $\alpha \approx 1/(\tau\epsilon)$ (Eq. 7.40–7.45).
#
# This notebook is in three parts:
#
# 1. **the seed notebook, line for line, in numreg**: the same network, loss, optimizer, `EarlyStopping`
#    class and `train_model` loop, with one extra line (the hand-written backward pass), then `nr.fit`, which
#    is that loop;
# 2. **when to stop**: Algorithm 7.1 itself, and Prechelt's stopping criteria (GL, PQ, UP) on a recorded run;
# 3. **early stopping as $L^2$ regularization**: the book's Figure 7.4 and the equivalence in numbers.
#
# *Runs in about 35 s on two cores. The seed's experiment runs on 5,000 of the embedded digits (4,000 to train,
# 1,000 to validate), enough for the seed's network to reach a meaningful accuracy and still begin to overfit
# within the seed's 100 epochs; the overfitting study of part 2 uses 1,024 training images without dropout,
# where the effect is large. On MNIST / Fashion-MNIST use
# `nr.data.load_mnist()` / `nr.data.load_fashion_mnist()` and the whole training set
# (`python -m numreg train --data fashion-mnist` runs the seed's experiment from the command line).*

# %%
%matplotlib inline
import os
import tempfile

import numpy as np
from matplotlib.figure import Figure
import numreg as nr

# %% [markdown]
# ## 1 · The seed notebook, line for line
#
# ### Load the data
#
# The seed's `create_datasets(batch_size)` returns `torch` data loaders for the training, test and
# validation sets (20% of the training images held out). A loader is an iterable that yields the batches of
# one epoch; `nr.data.batches` does that for arrays, so a four-line class gives the seed's loaders.

# %%
class DataLoader:
    """The seed's torch DataLoader: iterating over it yields one epoch of (data, target) batches."""

    def __init__(self, X, y, batch_size, shuffle, seed=0):
        self.X, self.y, self.batch_size, self.shuffle = X, y, batch_size, shuffle
        self.rng = np.random.default_rng(seed)     # one generator: a new order every epoch

    def __iter__(self):
        return nr.data.batches(self.X, self.y, self.batch_size, shuffle=self.shuffle, rng=self.rng)


def create_datasets(batch_size, n_train=5000, valid_size=0.2):
    (X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
    # MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_mnist(), and n_train=None
    if n_train:
        X, y = X[:n_train], y[:n_train]
    (X_train, y_train), (X_valid, y_valid) = nr.data.train_valid_split(X, y, valid_fraction=valid_size, seed=0)
    train_loader = DataLoader(X_train, y_train, batch_size, shuffle=True)
    test_loader = DataLoader(X_test, y_test, batch_size, shuffle=False)
    valid_loader = DataLoader(X_valid, y_valid, batch_size, shuffle=False)
    return train_loader, test_loader, valid_loader

# %% [markdown]
# ### Define the Network

# %%
def Net():
    return nr.Sequential(
        nr.Flatten(),                                         # x = x.view(-1, 28 * 28)
        nr.Linear(28 * 28, 128), nr.ReLU(), nr.Dropout(0.5),  # fc1, relu, dropout
        nr.Linear(128, 128), nr.ReLU(), nr.Dropout(0.5),      # fc2, relu, dropout
        nr.Linear(128, 10),                                   # fc3
        seed=0)


# initialize the NN
model = Net()
print(model)

# %% [markdown]
# ### Specify Loss Function and Optimizer

# %%
# specify loss function
criterion = nr.SoftmaxCrossEntropy()

# specify optimizer
optimizer = nr.Adam(model.parameters())

# %% [markdown]
# ### Import the Early Stopping Class

# %%
# import EarlyStopping
from numreg import EarlyStopping

# %% [markdown]
# ### Train the Model using Early Stopping
#
# The seed's `train_model`, line for line. The differences: `loss` is already a Python float (no
# `loss.item()`), `loss.backward()` becomes `model.backward(criterion.backward())`, and the checkpoint is an
# `.npz` file (`checkpoint_path`) instead of `checkpoint.pt`.

# %%
checkpoint_path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")


def train_model(model, batch_size, patience, n_epochs):

    # to track the training loss as the model trains
    train_losses = []
    # to track the validation loss as the model trains
    valid_losses = []
    # to track the average training loss per epoch as the model trains
    avg_train_losses = []
    # to track the average validation loss per epoch as the model trains
    avg_valid_losses = []

    # initialize the early_stopping object
    early_stopping = EarlyStopping(patience=patience, verbose=True, path=checkpoint_path)

    for epoch in range(1, n_epochs + 1):

        ###################
        # train the model #
        ###################
        model.train() # prep model for training
        for batch, (data, target) in enumerate(train_loader, 1):
            # clear the gradients of all optimized variables
            optimizer.zero_grad()
            # forward pass: compute predicted outputs by passing inputs to the model
            output = model(data)
            # calculate the loss
            loss = criterion(output, target)
            # backward pass: compute gradient of the loss with respect to model parameters
            model.backward(criterion.backward())
            # perform a single optimization step (parameter update)
            optimizer.step()
            # record training loss
            train_losses.append(loss)

        ######################
        # validate the model #
        ######################
        model.eval() # prep model for evaluation
        for data, target in valid_loader:
            # forward pass: compute predicted outputs by passing inputs to the model
            output = model(data)
            # calculate the loss
            loss = criterion(output, target)
            # record validation loss
            valid_losses.append(loss)

        # print training/validation statistics
        # calculate average loss over an epoch
        train_loss = np.average(train_losses)
        valid_loss = np.average(valid_losses)
        avg_train_losses.append(train_loss)
        avg_valid_losses.append(valid_loss)

        epoch_len = len(str(n_epochs))

        print_msg = (f'[{epoch:>{epoch_len}}/{n_epochs:>{epoch_len}}] ' +
                     f'train_loss: {train_loss:.5f} ' +
                     f'valid_loss: {valid_loss:.5f}')

        print(print_msg)

        # clear lists to track next epoch
        train_losses = []
        valid_losses = []

        # early_stopping needs the validation loss to check if it has decreased,
        # and if it has, it will make a checkpoint of the current model
        early_stopping(valid_loss, model)

        if early_stopping.early_stop:
            print("Early stopping")
            break

    # load the last checkpoint with the best model
    model.load_state_dict(nr.files.load_npz(checkpoint_path))

    return model, avg_train_losses, avg_valid_losses

# %% [markdown]
# ### Run it, with the seed's settings (batch 256, 100 epochs, patience 20)

# %%
batch_size = 256
n_epochs = 100

train_loader, test_loader, valid_loader = create_datasets(batch_size)

# early stopping patience; how long to wait after last time validation loss improved.
patience = 20

model, train_loss, valid_loss = train_model(model, batch_size, patience, n_epochs)

# %% [markdown]
# ### Visualizing the Loss and the Early Stopping Checkpoint
#
# The seed's last figure: both losses per epoch and a dashed line at the epoch whose weights were restored.
# `nr.plots.loss_curves` draws it from a `History` (or, as here, a dict of the lists).

# %%
best_epoch = int(np.argmin(valid_loss)) + 1
nr.plots.loss_curves({"train_loss": train_loss, "valid_loss": valid_loss, "best_epoch": best_epoch},
                     title="The seed notebook in numreg: loss per epoch")

# %%
# test the restored (best) model, as the seed notebook does at the end
test_losses, correct, total = [], 0, 0
for data, target in test_loader:
    output = model(data)                    # model is in evaluation mode since train_model's last epoch
    test_losses.append(criterion(output, target) * len(target))
    correct += int(np.sum(output.argmax(axis=1) == target))
    total += len(target)
print(f"Test Loss: {sum(test_losses) / total:.6f}   Test Accuracy: {correct / total:.1%} ({correct}/{total})")

# %% [markdown]
# With dropout and 4,000 training images the seed's network barely overfits within 100 epochs: the validation
# loss flattens and creeps up only slightly after the checkpoint, and the patience of 20 epochs ends the run. The
# U-shaped validation curve the chapter draws (Figure 7.3) needs a network that overfits strongly: part 2 shows it
# on 1,024 images without dropout, over three seeds.
#
# ### `nr.fit` is this loop
#
# `nr.fit(model, criterion, optimizer, train, valid, epochs, batch_size, callbacks=[EarlyStopping(...)], seed)`
# runs exactly these steps (same shuffling, same dropout masks, same updates) and prints the same log. Three
# epochs each way, from the same seeds, give **bit-identical** weights:

# %%
train_loader, test_loader, valid_loader = create_datasets(batch_size)
model = Net()
optimizer = nr.Adam(model.parameters())
model, _, _ = train_model(model, batch_size, patience=20, n_epochs=3)

by_fit = Net()
history = nr.fit(by_fit, criterion, nr.Adam(by_fit.parameters()), (train_loader.X, train_loader.y),
                 (valid_loader.X, valid_loader.y), epochs=3, batch_size=256,
                 callbacks=[EarlyStopping(patience=20, verbose=True)], seed=0)
a, b = model.state_dict(), by_fit.state_dict()
print("\nsame weights, bit for bit:", all(np.array_equal(a[k], b[k]) for k in a))

# %% [markdown]
# ## 2 · When to stop
#
# ### Algorithm 7.1, line for line
#
# $n$ = steps between evaluations, $p$ = patience, $\theta_o$ = initial parameters:
#
# > $\theta \leftarrow \theta_o$, $i \leftarrow 0$, $j \leftarrow 0$, $v \leftarrow \infty$, $\theta^* \leftarrow \theta$, $i^* \leftarrow i$
# > **while** $j < p$ **do**
# > &emsp; update $\theta$ by running the training algorithm for $n$ steps; $i \leftarrow i + n$
# > &emsp; $v' \leftarrow \text{ValidationSetError}(\theta)$
# > &emsp; **if** $v' < v$ **then** $j \leftarrow 0$, $\theta^* \leftarrow \theta$, $i^* \leftarrow i$, $v \leftarrow v'$ **else** $j \leftarrow j + 1$
# > **end while**; best parameters $\theta^*$, best number of training steps $i^*$.
#
# `nr.early_stopping_meta_algorithm(model, train, validation_set_error, n, p)` is this pseudo-code; `train(model, n)`
# runs $n$ optimizer steps (here Adam steps on batches of 256). It returns $\theta^*$ and $i^*$, and leaves the model
# at the last $\theta$, as the book does. With $n$ = the number of batches in an epoch (16 batches of up to 256 of
# the 4,000 training images) and $p = 20$ it is the seed's rule, and it finds the same $i^*$ as `train_model` above.

# %%
train_loader, test_loader, valid_loader = create_datasets(batch_size)
model = Net()
optimizer = nr.Adam(model.parameters())
stream = iter(())


def run_steps(model, n):
    global stream
    model.train()
    for _ in range(n):
        data_target = next(stream, None)
        if data_target is None:                # a new epoch
            stream = iter(train_loader)
            data_target = next(stream)
        data, target = data_target
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        model.backward(criterion.backward())
        optimizer.step()


validation_set_error = lambda m: nr.evaluate(m, criterion, valid_loader.X, valid_loader.y)[0]
steps_per_epoch = -(-len(train_loader.X) // batch_size)
theta_star, i_star = nr.early_stopping_meta_algorithm(model, run_steps, validation_set_error, n=steps_per_epoch, p=20)
model.load_state_dict(theta_star)
print(f"i* = {i_star} steps = {i_star // steps_per_epoch} epochs of {steps_per_epoch} steps "
      f"(train_model's best epoch above: {best_epoch}); "
      f"validation loss at theta*: {validation_set_error(model):.5f}")

# %% [markdown]
# ### Prechelt's criteria
#
# Patience is one rule among several. Prechelt ("Early stopping — but when?", 1998) compared three
# families on 1,296 training runs. With $E_{va}(t)$ the validation error after epoch $t$,
# $E_{opt}(t) = \min_{t' \le t} E_{va}(t')$ and $E_{tr}$ the training error:
#
# - **generalization loss** $GL(t) = 100\big(E_{va}(t)/E_{opt}(t) - 1\big)$; $GL_\alpha$ stops as soon as $GL(t) > \alpha$;
# - **training progress** over a strip of $k = 5$ epochs, $P_k(t) = 1000\Big(\frac{\sum_{t'=t-k+1}^{t} E_{tr}(t')}{k \min_{t'} E_{tr}(t')} - 1\Big)$;
#   $PQ_\alpha$ stops at the end of the first strip with $GL(t)/P_k(t) > \alpha$, forgiving a rising validation error
#   while training still makes fast progress;
# - $UP_s$ stops when the validation error has risen at the end of $s$ successive strips.
#
# His conclusion: slower criteria buy a little better generalization (about 4%) for much longer training
# (about 4 times). Each criterion in numreg is a function of the two recorded curves (`criterion.first_stop(E_tr, E_va)`),
# and the same object can drive training: `nr.EarlyStopping(criterion=nr.GL(5))`.
#
# The seed's network with dropout on 4,000 images overfits only mildly within 100 epochs. To see the effect
# clearly we take the regime where it is large: 1,024 training images and **no dropout**, 60 epochs, three
# seeds (each seed draws its 1,024 images from the training set, the initialization and the batch order), the
# same 1,000 validation images, and the test loss and error recorded after every epoch (a callback). Each
# criterion is applied afterwards to the recorded curves, as Prechelt did; its network is the one with the lowest
# validation loss up to its stop (`restore_best`). First, every criterion on seed 0:

# %%
class TestMetrics(nr.Callback):
    """Records the test loss and the test error after every epoch."""

    def __init__(self):
        self.loss, self.error = [], []

    def on_epoch_end(self, state):
        loss, accuracy = nr.evaluate(state.model, state.criterion, test_loader.X, test_loader.y)
        self.loss.append(loss)
        self.error.append(1 - accuracy)


seeds, n_epochs_overfit = [0, 1, 2], 60
runs = []
for seed in seeds:
    X_small, y_small = nr.data.subsample(train_loader.X, train_loader.y, 1024, seed=seed)
    recorder = TestMetrics()
    model = nr.mlp(dropout=0.0, seed=seed)
    history = nr.fit(model, criterion, nr.Adam(model.parameters()), (X_small, y_small),
                     (valid_loader.X, valid_loader.y), epochs=n_epochs_overfit, batch_size=256,
                     callbacks=[recorder], seed=seed, verbose=False)
    runs.append({"E_tr": np.array(history.train_loss), "E_va": np.array(history.valid_loss),
                 "train_error": 1 - np.array(history.train_accuracy),          # no dropout: as the batches were seen
                 "valid_error": 1 - np.array(history.valid_accuracy),
                 "test_loss": np.array(recorder.loss), "test_error": np.array(recorder.error)})

E_tr, E_va, test_error = runs[0]["E_tr"], runs[0]["E_va"], runs[0]["test_error"]
hindsight = int(np.argmin(E_va)) + 1
criteria = [nr.GL(1), nr.GL(2), nr.GL(5), nr.PQ(0.5), nr.PQ(2), nr.UP(2), nr.UP(3), nr.Patience(5), nr.Patience(20)]
stops = {}
print(f"seed 0: lowest validation loss over all {n_epochs_overfit} epochs at epoch {hindsight}: "
      f"test error {test_error[hindsight - 1]:.3f}\n")
print(f"{'criterion':>11} {'stops after':>12} {'restores':>9} {'test error':>11}")
for c in criteria:
    stop = c.first_stop(E_tr, E_va)
    stops[c.name] = stop
    if stop is None:
        print(f"{c.name:>11} {'never':>12}")
        continue
    best = int(np.argmin(E_va[:stop])) + 1
    print(f"{c.name:>11} {stop:12d} {best:9d} {test_error[best - 1]:11.3f}")

fig = Figure(figsize=(7.5, 4), layout="constrained")
ax = fig.subplots()
epochs = np.arange(1, n_epochs_overfit + 1)
ax.plot(epochs, E_tr, color=nr.plots.PALETTE[0], label="training loss $E_{tr}$")
ax.plot(epochs, E_va, color=nr.plots.PALETTE[1], label="validation loss $E_{va}$")
ax2 = ax.twinx()
ax2.plot(epochs, test_error, color=nr.plots.PALETTE[2], linestyle="--", label="test error (right axis)")
ax2.set_ylabel("test error")
ax.set_ylim(0, 2.4)
by_epoch = {}
for name, stop in stops.items():
    if stop:
        by_epoch.setdefault(stop, []).append(name)
for (stop, names), color in zip(sorted(by_epoch.items()), [nr.plots.PALETTE[i] for i in (3, 4, 5, 7)] * 3):
    ax.axvline(stop, color=color, linestyle=":", linewidth=1)
    ax.text(stop, 2.35, ", ".join(names), rotation=90, va="top", ha="right", fontsize=7, color=color)
ax.set_xlabel("epoch")
ax.set_ylabel("loss")
ax.set_title("Where each criterion stops (no dropout, 1,024 training images, seed 0)")
lines = ax.get_legend_handles_labels()
lines2 = ax2.get_legend_handles_labels()
ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="center right")
fig

# %% [markdown]
# The fast criteria (GL with small $\alpha$) stop soon after the validation loss first rises; patience and
# UP wait longer and restore a network from near the lowest validation loss. Note also what the figure shows
# about *what* is monitored: the validation **loss** turns up while the test **error** may still be falling,
# since the network keeps getting the same images right with ever higher (over-)confidence. A criterion on the
# loss stops earlier than one on the error rate would. `python experiments/prechelt.py` runs a small version of
# Prechelt's study (many problems, architectures and seeds, slowness against generalization).
#
# ### The effect, over seeds: training time as the strength
#
# Regularization, in the chapter's words, is "any modification we make to a learning algorithm that is
# intended to reduce its generalization error but not its training error". Early stopping returns a network
# with a *higher* training loss than the last one and, if it works, a lower test loss. Its strength is the
# training time $\tau$ itself: section 3 shows that $\tau$ steps act like an $L^2$ penalty $\alpha \approx 1/(\tau\epsilon)$,
# so fewer epochs means a stronger regularizer. Below: the three seeds' losses per epoch, and the test loss and
# error after $\tau$ = 1, 2, 4, ..., 60 epochs (under-fitting, the sweet spot, over-fitting); then the seed's rule
# (patience 20) against training all 60 epochs, monitoring the validation **loss** (the seed's choice) or the
# validation **error**.

# %%
taus = [1, 2, 4, 8, 16, 32, 60]
curve = lambda key: np.stack([r[key] for r in runs])                    # (seeds, epochs)
at_tau = {key: curve(key)[:, [t - 1 for t in taus]] for key in ("E_tr", "train_error", "test_loss", "test_error")}
print(f"{'epochs':>6} {'training loss':>16} {'test loss':>16} {'training error':>16} {'test error':>16}"
      f"   (mean ± SE over {len(seeds)} seeds)")
for j, tau in enumerate(taus):
    print(f"{tau:6d} " + " ".join(f"{m:8.3f} ± {se:.3f}" for m, se in
                                  (nr.plots.mean_se(at_tau[k][:, j]) for k in ("E_tr", "test_loss", "train_error", "test_error"))))


def restored_epoch(r, monitor, patience=20):
    """The 0-based epoch the seed's rule restores: patience on the monitored validation curve, best up to the stop."""
    stop = nr.Patience(patience).first_stop(r["E_tr"], r[monitor]) or n_epochs_overfit
    return int(np.argmin(r[monitor][:stop]))


restored = {monitor: np.array([restored_epoch(r, monitor) for r in runs]) for monitor in ("E_va", "valid_error")}
at = lambda key, idx: np.array([r[key][i] for r, i in zip(runs, idx)])
print("\nrestored epochs, patience 20 on the validation loss: " + ", ".join(str(i + 1) for i in restored["E_va"])
      + ";  on the validation error: " + ", ".join(str(i + 1) for i in restored["valid_error"]))

fig = Figure(figsize=(13, 4), layout="constrained")
ax_curves, ax_loss, ax_error = fig.subplots(1, 3)
nr.plots.train_test_curves({"no dropout, 1,024 images": (curve("E_tr"), curve("test_loss"))}, ax=ax_curves,
                           ylabel="cross-entropy loss", title=f"The U: losses per epoch ({len(seeds)} seeds, ± SE)")
ax_curves.plot(epochs, curve("E_va").mean(axis=0), color=nr.plots.PALETTE[1], label="validation loss (mean)")
ax_curves.axvline(restored["E_va"].mean() + 1, color="k", linestyle=":", label="restored epoch (mean), patience 20")
ax_curves.legend(fontsize=8)
for ax, key, train_key, name in ((ax_loss, "test_loss", "E_tr", "loss"), (ax_error, "test_error", "train_error", "error")):
    nr.plots.strength_sweep(taus, at_tau[key], train=at_tau[train_key], ax=ax, label="stopped", color=nr.plots.PALETTE[0],
                            xlabel=r"training time $\tau$ (epochs; fewer = stronger)", ylabel=name,
                            title=f"Test {name} after tau epochs", logy=(name == "loss"))
fig

# %%
for monitor, monitor_name in (("E_va", "validation loss"), ("valid_error", "validation error")):
    for key, name in (("test_loss", "test loss"), ("test_error", "test error")):
        _, _, said = nr.plots.paired_effect(curve(key)[:, -1], at(key, restored[monitor]),
                                            name=f"early stopping on the {monitor_name} (patience 20)", metric=name)
        print(said)
    d, se = nr.plots.mean_se(at("E_tr", restored[monitor]) - curve("E_tr")[:, -1])
    print(f"   The training loss of the returned network is higher by {d:.3f} ± {se:.3f}.\n")

# %% [markdown]
# The validation and test losses fall, reach a minimum, and climb again while the training loss keeps
# falling: the U of the chapter's Figure 7.3, and early stopping returns the network from its bottom. What it
# buys depends on what it watches, and the verdicts above give the numbers: stopping on the validation *loss*
# lowers the test loss, but the late epochs that it throws away may still have been lowering the test *error*
# (they mostly make correct answers more confident and wrong answers more confidently wrong, which the error rate
# ignores, while a few more examples cross the decision boundary). To stop for the error rate, monitor the
# validation error (`nr.EarlyStopping(monitor="valid_accuracy", mode="max")`).
#
# ## 3 · Early stopping as $L^2$ regularization (Eq. 7.33–7.45)
#
# Take the quadratic approximation $\hat J(w) = J(w^*) + \frac12 (w - w^*)^\top H (w - w^*)$ (Eq. 7.33) and gradient
# descent from $w^{(0)} = 0$ with learning rate $\epsilon$:
#
# $$w^{(\tau)} - w^* = (I - \epsilon H)(w^{(\tau-1)} - w^*) \;\Rightarrow\;
#   Q^\top w^{(\tau)} = \big[I - (I - \epsilon\Lambda)^\tau\big] Q^\top w^* \qquad \text{(Eq. 7.40)}$$
#
# while $L^2$ regularization gives (Eq. 7.13, rewritten)
#
# $$Q^\top \tilde w = \big[I - (\Lambda + \alpha I)^{-1}\alpha\big] Q^\top w^*. \qquad \text{(Eq. 7.41)}$$
#
# They coincide if $(I - \epsilon\Lambda)^\tau = (\Lambda + \alpha I)^{-1}\alpha$ (Eq. 7.43); for small $\epsilon\lambda_i$ and
# $\lambda_i/\alpha$, taking logarithms, $\tau \approx 1/(\epsilon\alpha)$, i.e. $\alpha \approx 1/(\tau\epsilon)$ (Eq. 7.44–7.45): the
# number of steps plays the role of the inverse weight decay. The book's Figure 7.4, from the closed forms
# (`nr.plots.early_stopping_vs_l2`):

# %%
nr.plots.early_stopping_vs_l2()

# %% [markdown]
# And in numbers: linear regression trained by gradient descent **through numreg** (the seed's loop, full
# batch, float64), stopped after $\tau$ steps, against Eq. 7.40 and against the $L^2$ solution with
# $\alpha = 1/(\tau\epsilon)$. The last column gives the range of the exact per-direction $\alpha_i$ of Eq. 7.43, the
# weight decay that would match early stopping in each eigendirection of $H$.

# %%
X_lin, y_lin, _ = nr.analysis.make_correlated_regression(n=200, d=8, rho=0.8, seed=0)
n, d = X_lin.shape
H = 2 / n * X_lin.T @ X_lin
w_star = np.linalg.lstsq(X_lin, y_lin, rcond=None)[0]
epsilon = 0.1 / np.linalg.eigvalsh(H).max()

model = nr.Sequential(nr.Linear(d, 1, bias=False)).astype(np.float64)
model[0].W.data[...] = 0                        # w(0) = 0
mse = nr.MSELoss()
optimizer = nr.SGD(model.parameters(), lr=epsilon)
print(f"{'tau':>5} {'alpha=1/(tau eps)':>17} {'|GD - Eq. 7.40|':>16} {'||w(tau) - w~||/||w*||':>23} "
      f"{'exact alpha_i (Eq. 7.43)':>25}")
done = 0
for tau in (10, 100, 1000, 10000):
    while done < tau:
        optimizer.zero_grad()
        output = model(X_lin)
        loss = mse(output, y_lin[:, None])
        model.backward(mse.backward())
        optimizer.step()
        done += 1
    w_tau = model[0].W.data[:, 0]
    alpha = nr.analysis.early_stopping_alpha(epsilon, tau)
    w_tilde = nr.analysis.l2_shrinkage(H, w_star, alpha)
    exact = nr.analysis.early_stopping_alpha(epsilon, tau, H=H)
    print(f"{tau:5d} {alpha:17.4f} {np.abs(w_tau - nr.analysis.early_stopping_trajectory(H, w_star, epsilon, tau)).max():16.1e} "
          f"{np.linalg.norm(w_tau - w_tilde) / np.linalg.norm(w_star):23.3f} {exact.min():12.2e} .. {exact.max():.2e}")

# %% [markdown]
# Gradient descent through numreg follows Eq. 7.40 to rounding error at every $\tau$. The $L^2$ solution with
# $\alpha = 1/(\tau\epsilon)$ is close (within about 10% of $\|w^*\|$ here) but not equal: the equivalence is exact only
# per direction, each with its own $\alpha_i$, and these spread over orders of magnitude once $\tau$ is large enough
# for some directions to have converged (their $\alpha_i \to 0$). The approximation
# $\alpha \approx 1/(\tau\epsilon)$ is tight for the directions with small $\epsilon\lambda_i$ and $\lambda_i/\alpha$. Early stopping has the advantage
# that it finds the right amount of regularization by itself, in one training run.
#
# **Verified by** `tests/regularize/s7_08_early_stopping/test_early_stopping.py` (Algorithm 7.1 by hand, the seed notebook's log line for line,
# patience, `min_delta`, baselines, every-$n$-steps evaluation, NaN handling, the checkpoint on disk),
# `tests/training/test_fit.py` (the seed's messages, best weights restored, bit-identical runs), `tests/regularize/s7_08_early_stopping/test_prechelt.py`
# (GL, PQ, UP by hand, epoch by epoch, and each stopping `fit` where it says), `tests/test_analysis.py`
# (Eq. 7.40 against gradient descent, Eq. 7.42–7.45), `tests/plots/test_plots_early_stopping.py` (Figure 7.4),
# `tests/regularize/s7_08_early_stopping/test_all_data.py` (Algorithms 7.2 and 7.3, re-using the validation data: `python experiments/all_data.py`),
# `tests/training/test_resume.py` (a run killed and resumed is bit-identical).
