# Source of notebooks/13_adversarial_training.ipynb -- edit here, then: python notebooks/build.py 13

# %% [markdown]
# # 13 · Adversarial training (§7.13)
#
# **The book's claims.** Networks that classify test data well can be fooled by an *adversarial example*: an
# input $\mathbf x'$ near a correctly classified $\mathbf x$, so near that a human sees no difference, to which the
# network gives another class (Szegedy et al. 2014). Goodfellow, Shlens & Szegedy (2015) argue that the main
# cause is excessive **linearity**: if the output is locally close to $\mathbf w^\top\mathbf x$, changing every input by
# at most $\epsilon$ in the direction $\operatorname{sign}(\mathbf w)$ changes it by $\epsilon\|\mathbf w\|_1$, which grows with the
# dimension, whereas random perturbations of the same size mostly cancel. The fast gradient sign method
# (FGSM) takes that direction for the loss:
#
# $$\mathbf x_{\text{adv}} = \mathbf x + \epsilon\,\operatorname{sign}\big(\nabla_{\mathbf x} J(\theta, \mathbf x, y)\big),$$
#
# and *adversarial training* trains on $\tilde J(\theta, \mathbf x, y) = \alpha J(\theta, \mathbf x, y) + (1 - \alpha) J(\theta, \mathbf x_{\text{adv}}, y)$,
# which encourages the function to be locally constant around the training data.
#
# numreg: `nr.fgsm(model, criterion, X, y, epsilon, clip=(0, 1))` computes $\nabla_{\mathbf x}J$ with the model's own
# hand-written backward pass (to the input) and returns $\mathbf x_{\text{adv}}$; `nr.fit(..., adversarial=nr.FGSM(epsilon))`
# trains on $\tilde J$ with $\alpha = 0.5$.
#
# *Runs in about 35 s on two cores (most of it the 15 training runs of the sweep over epsilon and seeds).*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files); `python experiments/fgsm_adversarial_training.py --data fashion-mnist` runs the full comparison.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X, y = X[:4000], y[:4000]
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_mnist()   (see the README)
criterion = nr.SoftmaxCrossEntropy()

# %% [markdown]
# ## The gradient to the input, checked
#
# FGSM needs $\nabla_{\mathbf x} J$, which `model.backward(criterion.backward(), input_grad=True)` returns. Against
# central differences on a small network in float64:

# %%
small = nr.mlp(12, (8,), 3, dropout=0.0, seed=0).astype(np.float64)
rng = np.random.default_rng(0)
x, labels = rng.standard_normal((4, 12)), rng.integers(0, 3, 4)
loss = criterion(small(x), labels)
dx = small.backward(criterion.backward(), input_grad=True)
numeric = nr.gradcheck.numerical_gradient(lambda: criterion(small(x), labels), x)
print(f"largest relative error of grad_x J: {nr.gradcheck.rel_error(dx, numeric):.1e}")

# %% [markdown]
# ## A trained network, attacked
#
# The seed network trained on 4,000 images, then attacked on the test set with FGSM (pixels kept in
# $[0, 1]$) and, for comparison, with *random* signs of the same size $\epsilon$: the same max-norm, but not aligned
# with the gradient.

# %%
plain = nr.mlp(seed=0)
nr.fit(plain, criterion, nr.Adam(plain.parameters()), (X, y), epochs=10, seed=0, verbose=False)
plain.eval()
epsilons = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2]
signs = np.sign(np.random.default_rng(1).standard_normal(X_test.shape)).astype(np.float32)


def error_under_attack(model, epsilon):
    model.eval()
    X_adv = nr.fgsm(model, criterion, X_test, y_test, epsilon, clip=(0, 1))
    return 1 - nr.evaluate(model, criterion, X_adv, y_test)[1]


random_error = [1 - nr.evaluate(plain, criterion, np.clip(X_test + e * signs, 0, 1), y_test)[1] for e in epsilons]
fgsm_error = [error_under_attack(plain, e) for e in epsilons]
print(f"{'epsilon':>8} {'random signs':>13} {'FGSM':>8}")
for e, r, f in zip(epsilons, random_error, fgsm_error):
    print(f"{e:8.2f} {r:13.3f} {f:8.3f}")

# %% [markdown]
# Random perturbations of size $\epsilon = 0.1$ (a tenth of the pixel range) hardly matter; the same budget
# spent along the sign of the gradient wrecks the classifier. Some adversarial digits, with the network's
# answer before and after:

# %%
epsilon = 0.1
X_adv = nr.fgsm(plain, criterion, X_test[:8], y_test[:8], epsilon, clip=(0, 1))
before = nr.predict(plain, X_test[:8]).argmax(axis=1)
after = nr.predict(plain, X_adv).argmax(axis=1)
fig = Figure(figsize=(9, 2.6), layout="constrained")
axes = fig.subplots(2, 8)
for i in range(8):
    axes[0, i].imshow(X_test[i], cmap="gray_r", vmin=0, vmax=1)
    axes[0, i].set_title(f"says {before[i]}", fontsize=9)
    axes[1, i].imshow(X_adv[i], cmap="gray_r", vmin=0, vmax=1)
    axes[1, i].set_title(f"says {after[i]}", fontsize=9, color="k" if after[i] == y_test[i] else nr.plots.PALETTE[3])
    for ax in axes[:, i]:
        ax.axis("off")
fig.suptitle(f"Test digits (top) and their FGSM versions, epsilon = {epsilon} (bottom)")
fig

# %% [markdown]
# ## Adversarial training
#
# The same network trained on $\tilde J$ with `nr.FGSM(epsilon=0.1, alpha=0.5, clip=(0, 1))`: at each step the clean
# batch's gradient gives $\mathbf x_{\text{adv}}$, and the update follows $\frac12 J(\mathbf x) + \frac12 J(\mathbf x_{\text{adv}})$
# (about twice the cost of a plain step).

# %%
robust = nr.mlp(seed=0)
history = nr.fit(robust, criterion, nr.Adam(robust.parameters()), (X, y), epochs=10, seed=0, verbose=False,
                 adversarial=nr.FGSM(0.1, alpha=0.5, clip=(0, 1)))
robust_error = [error_under_attack(robust, e) for e in epsilons]
print(f"{'epsilon':>8} {'plain':>8} {'adversarially trained':>22}")
for e, a, b in zip(epsilons, fgsm_error, robust_error):
    print(f"{e:8.2f} {a:8.3f} {b:22.3f}")
nr.plots.adversarial_curves(epsilons, {"plain training": fgsm_error, "FGSM training, epsilon = 0.1": robust_error,
                                       "plain, random signs": random_error},
                            title="Test error under attack")

# %% [markdown]
# ## How strong? The training epsilon swept, over seeds
#
# One network and one seed say little about the size of the effect. We take a regime where the plain network
# overfits, 1,000 training images (100 per class), the seed network without dropout, 40 epochs of Adam (320 steps of 128 images), and train it
# without and with FGSM adversarial training for training strengths $\epsilon$ from 0.02 to 0.3, each from 3 seeds
# (a seed draws the 1,000 images, the initialization and the batch order, shared by every $\epsilon$). Every network
# is scored on clean test images and under an FGSM attack of the fixed size $\epsilon_{\text{attack}} = 0.1$ against
# itself. The strength is chosen on 1,000 validation images (the mean of the clean and the attacked validation
# errors, the two halves of $\tilde J$); the test set is another 1,000.

# %%
(X_all, y_all), _ = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X_val, y_val = X_all[4000:], y_all[4000:]                  # chooses epsilon; training sets come from X, y
seeds, epochs, attack = [0, 1, 2], 40, 0.1


def errors(model, X_eval, y_eval):
    """(clean error, error under an FGSM attack of size `attack`), in evaluation mode."""
    model.eval()
    clean = 1 - nr.evaluate(model, criterion, X_eval, y_eval)[1]
    return clean, 1 - nr.evaluate(model, criterion, nr.fgsm(model, criterion, X_eval, y_eval, attack, clip=(0, 1)),
                                  y_eval)[1]


class Errors(nr.Callback):
    """Clean and attacked error on the training images and the test images, every 10 epochs."""

    def __init__(self, train):
        self.train, self.rows = train, []

    def on_epoch_end(self, state):
        if state.epoch % 10 == 0:
            self.rows.append(errors(state.model, *self.train) + errors(state.model, X_test, y_test))
            state.model.train()


def train_adversarial(epsilon, seed):
    X_train, y_train = nr.data.subsample(X, y, 1000, seed=seed)
    model = nr.mlp(dropout=0, seed=seed)             # no dropout: the only regularizer is the one studied
    recorder = Errors((X_train, y_train))
    nr.fit(model, criterion, nr.Adam(model.parameters()), (X_train, y_train), epochs=epochs, batch_size=128,
           seed=seed, verbose=False, callbacks=[recorder],
           adversarial=None if epsilon == 0 else nr.FGSM(epsilon, alpha=0.5, clip=(0, 1)))
    rows = np.array(recorder.rows)                     # (records, 4): train clean, train attacked, test clean, test attacked
    return {"rows": rows, "val": np.mean(errors(model, X_val, y_val))}


strengths = [0.02, 0.05, 0.1, 0.3]
plain_runs = [train_adversarial(0.0, seed) for seed in seeds]
sweep = [[train_adversarial(e, seed) for e in strengths] for seed in seeds]
final = np.array([[r["rows"][-1] for r in row] for row in sweep])     # (seeds, strengths, 4)
plain_final = np.array([r["rows"][-1] for r in plain_runs])           # (seeds, 4)
best = int(np.argmin(np.mean([[r["val"] for r in row] for row in sweep], axis=0)))
print(f"{'train eps':>9} {'clean test error':>17} {'attacked test error':>20} {'clean train error':>18}"
      f"   (mean ± SE over {len(seeds)} seeds; attack eps = {attack})")
fmt = lambda v: "{:8.3f} ± {:.3f}".format(*nr.plots.mean_se(v))
print(f"{'plain':>9} {fmt(plain_final[:, 2]):>17} {fmt(plain_final[:, 3]):>20} {fmt(plain_final[:, 0]):>18}")
for j, e in enumerate(strengths):
    print(f"{e:9g} {fmt(final[:, j, 2]):>17} {fmt(final[:, j, 3]):>20} {fmt(final[:, j, 0]):>18}"
          + ("  <- lowest validation error" if j == best else ""))

# %%
fig = Figure(figsize=(15, 4), layout="constrained")
ax_clean, ax_attacked, ax_sweep = fig.subplots(1, 3)
best_name = f"FGSM training, eps = {strengths[best]:g}"
records = np.arange(10, epochs + 1, 10)
stack = lambda runs, k: np.stack([r["rows"][:, k] for r in runs])
chosen = [row[best] for row in sweep]
for ax, k, what in ((ax_clean, 0, "clean images"), (ax_attacked, 1, f"under FGSM attack, eps = {attack}")):
    nr.plots.train_test_curves({"plain": (stack(plain_runs, k), stack(plain_runs, k + 2)),
                                best_name: (stack(chosen, k), stack(chosen, k + 2))},
                               x=records, ax=ax, xlabel="epoch (8 Adam steps each)", ylabel="classification error",
                               title=f"{what} ({len(seeds)} seeds, ± SE)")
nr.plots.strength_sweep(strengths, final[:, :, 2], baseline=plain_final[:, 2], best=strengths[best], ax=ax_sweep,
                        label="clean", color=nr.plots.PALETTE[1], xlabel="training epsilon",
                        ylabel=f"test error after {epochs} epochs", title="Clean and attacked test error")
nr.plots.strength_sweep(strengths, final[:, :, 3], ax=ax_sweep, label=f"attacked (eps {attack})",
                        color=nr.plots.PALETTE[3], xlabel="training epsilon", ylabel=f"test error after {epochs} epochs",
                        title="Clean and attacked test error")
ax_sweep.axhline(plain_final[:, 3].mean(), color="grey", linestyle="--", linewidth=1, label="without: attacked")
ax_sweep.legend(fontsize=8)
fig

# %%
for k, metric in ((2, "clean test error"), (3, f"test error under FGSM attack (eps = {attack})")):
    print(nr.plots.paired_effect(plain_final[:, k], final[:, best, k], name=best_name, metric=metric)[2])
d_train, se_train = nr.plots.mean_se(final[:, best, 0] - plain_final[:, 0])
print(f"   ... while the clean training error changes by {d_train:+.3f} ± {se_train:.3f}.")

# %% [markdown]
# Under attack the gain is largest for training strengths around the attack's size; on clean images it is the
# regularizing effect
# §7.13 mentions, smaller, and the sentences above say whether it stands out from the seed-to-seed noise. Too
# large a training $\epsilon$ asks the network to be constant over boxes that reach other digits, and the clean
# error rises (the right end of the sweep).

# %% [markdown]
# ## Virtual adversarial training: adversarial examples without labels
#
# §7.13 ends with a semi-supervised use: at an unlabeled $\mathbf x$ the model's own prediction
# $\hat p = p(y \mid \mathbf x, \hat\theta)$ stands in for the label, and a *virtual adversarial* perturbation is the
# one that changes that prediction most (Miyato et al. 2015, 2018):
#
# $$\mathbf r_{\text{adv}} = \arg\max_{\|\mathbf r\|_2 \le \epsilon} \mathrm{KL}\big(\hat p \,\|\, p(y \mid \mathbf x + \mathbf r, \theta)\big),
# \qquad \mathrm{LDS}(\mathbf x, \theta) = \mathrm{KL}\big(\hat p \,\|\, p(y \mid \mathbf x + \mathbf r_{\text{adv}}, \theta)\big).$$
#
# The KL is 0 with zero gradient at $\mathbf r = 0$, so near 0 it is $\frac12 \mathbf r^\top H \mathbf r$ and the maximizer is the top
# eigenvector of $H$; one step of power iteration from a random unit $\mathbf d$, $\mathbf d \leftarrow \nabla_{\mathbf r}\mathrm{KL}|_{\mathbf r = \xi\mathbf d} \approx \xi H\mathbf d$,
# normalized, finds it well enough. The training objective is $J(\theta) + \alpha\,\overline{\mathrm{LDS}}$ over labeled *and*
# unlabeled images. `nr.VAT(epsilon, xi, unlabeled=X_u)` does this in `nr.fit(..., adversarial=...)`: each step adds the LDS
# of the labeled batch and of a batch drawn from the unlabeled pool. (In float32 the paper's $\xi = 10^{-6}$ is below the
# rounding of pixels near 1, so we take $\xi = 10^{-2}$; $\xi = 0$ gives the exact $H\mathbf d$ by forward mode.)
#
# Only 100 of the 4,000 training images keep their label here (10 per class); the others are the unlabeled pool.

# %%
rng = np.random.default_rng(0)
labeled = np.concatenate([rng.choice(np.flatnonzero(y == c), 10, replace=False) for c in range(10)])
pool = np.setdiff1d(np.arange(len(X)), labeled)
accuracy = lambda m: float(np.mean(nr.predict(m, X_test).argmax(axis=1) == y_test))
sup = nr.mlp(seed=0)
nr.fit(sup, criterion, nr.Adam(sup.parameters()), (X[labeled], y[labeled]), epochs=400, batch_size=64, seed=0,
       verbose=False)
vat_model = nr.mlp(seed=0)
vat = nr.VAT(epsilon=1.0, xi=1e-2, unlabeled=X[pool], unlabeled_batch_size=128, seed=0)
nr.fit(vat_model, criterion, nr.Adam(vat_model.parameters()), (X[labeled], y[labeled]), epochs=400, batch_size=64,
       seed=0, verbose=False, adversarial=vat)
print(f"test accuracy with 100 labels: supervised only {accuracy(sup):.3f}, "
      f"VAT with {len(pool)} unlabeled images {accuracy(vat_model):.3f}")

# %% [markdown]
# What the perturbations look like: for a few test digits, the virtual adversarial direction of each network
# ($\|\mathbf r\|_2 = \epsilon = 1$ over 784 pixels, shown on a common scale), and the KL it causes, against that of
# random directions of the same norm.

# %%
from numreg.regularize.s7_13_adversarial.vat import kl_divergence, virtual_adversarial_direction

fig = Figure(figsize=(9, 2.8), layout="constrained")
axes = fig.subplots(2, 6)
for row, (name, m) in enumerate((("supervised", sup), ("VAT", vat_model))):
    m.eval()
    Xs = X_test[:200]
    p_hat = nr.softmax(m.forward(Xs)).copy()
    d = virtual_adversarial_direction(m, Xs, p_hat, np.random.default_rng(0), xi=0.0)
    r = np.random.default_rng(1).standard_normal(Xs.shape).astype(np.float32)
    r /= np.sqrt((r ** 2).sum(axis=(1, 2), keepdims=True))
    kl_adv, kl_rand = kl_divergence(p_hat, m.forward(Xs + d)), kl_divergence(p_hat, m.forward(Xs + r))
    print(f"{name:>10}: mean KL at r_adv {kl_adv.mean():.4f}, at random r {kl_rand.mean():.5f} (eps = 1)")
    for i in range(6):
        axes[row, i].imshow(d[i], cmap="RdBu", vmin=-0.15, vmax=0.15)
        axes[row, i].axis("off")
    axes[row, 0].set_title(name, fontsize=9, loc="left")
fig.suptitle("Virtual adversarial directions (red < 0 < blue) on test digits")
fig

# %% [markdown]
# **Takeaway.** A perturbation of a tenth of the pixel range, invisible as noise, defeats the plain network when
# it is aligned with the gradient, as the linearity argument predicts. Adversarial training makes the network
# substantially more robust to it, though far from immune, and here it even lowers the error on clean images:
# the regularizing effect the book mentions. Virtual adversarial training needs no label for its smoothness
# term, which makes it a semi-supervised method: with 100 labels it used the unlabeled pool to gain test accuracy
# over the same network trained on the labels alone (numbers above; one seed, a small data set), and it made the
# network flatter along its own worst direction (a smaller KL at $\mathbf r_{\text{adv}}$). Note that the attack is computed against
# the model being tested (a "white-box" attack) with the same method it was trained against; stronger, iterated
# attacks are beyond this chapter.
#
# **Verified by** `tests/regularize/s7_13_adversarial/test_adversarial.py` (the input gradient by central differences, FGSM by hand and as the
# sign of the numerical gradient, the combined objective's gradient, `alpha = 1` being plain training bit for bit,
# adversarial training lowering the error under attack, the figure) and `tests/regularize/s7_13_adversarial/test_vat.py` (the KL's
# input gradient and the LDS's parameter gradient by central differences, the power iteration against the top
# eigenvector of a finite-difference Hessian). With 100 labels on the full pool: `python experiments/semisupervised_100_labels.py`. Full table: `python experiments/fgsm_adversarial_training.py`
# (`--data fashion-mnist`); `python benchmarks/bench_fgsm.py` times an adversarial training step.
