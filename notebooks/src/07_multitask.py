# Source of notebooks/07_multitask.ipynb -- edit here, then: python notebooks/build.py 07

# %% [markdown]
# # 07 · Multitask learning (§7.7)
#
# **The book's claim.** When several supervised tasks share the same input $\mathbf x$ and "there is
# something shared across tasks", a model whose lower layers are shared, $\mathbf h^{(\text{shared})} = f(\mathbf x)$,
# with one task-specific head per task (the book's Figure 7.2), generalizes better: the shared parameters are
# fitted to the data of *every* task, and the statistical strength of one task reaches the others
# (Caruana 1993; Baxter 1995). The objective is the weighted sum of the tasks' losses,
#
# $$J(\theta) = \sum_t w_t\, J_t\big(\text{head}_t(f(\mathbf x)),\ \mathbf y_t\big),$$
#
# so the trunk receives the sum of the tasks' gradients,
#
# $$\frac{\partial J}{\partial \mathbf h} = \sum_t w_t \frac{\partial J_t}{\partial \mathbf h}.$$
#
# `nr.MultiTask(trunk, heads, weights, criteria)` is that model. Its training loop is the seed's with a list
# of targets (one per task):
#
# ```python
# model.train()
# for data, targets in batches:
#     optimizer.zero_grad()
#     outputs = model(data)                  # one output per head
#     loss = criterion(outputs, targets)     # sum_t w_t J_t   (criterion = model.criterion)
#     model.backward(criterion.backward())   # w_t dJ_t/d output_t, through the heads and into the trunk
#     optimizer.step()
# ```
#
# *Runs in about 30 s on two cores (12 digit networks and 35 small regressions).*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files); `python experiments/multitask_vs_single.py --data fashion-mnist` runs the full comparison.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X_all, y_all), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
# MNIST / Fashion-MNIST: (X_all, y_all), (X_test, y_test) = nr.data.load_fashion_mnist()   (see the README)

# %% [markdown]
# ## Two tasks on one image
#
# Task 1 is the class (cross-entropy). Task 2 is a target computed from the image itself, its 7×7
# thumbnail (the mean of each 4×4 block; squared error): a task that, like the class, needs the layout of the
# strokes. The trunk is the seed network's first layer, the class head the rest of the seed network, the
# thumbnail head one linear layer.

# %%
def thumbnail(images):
    return images.reshape(len(images), 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(images), 49)


def build(weights, seed):
    trunk = nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU(), nr.Dropout(0.5))
    heads = [nr.Sequential(nr.Linear(128, 128), nr.ReLU(), nr.Dropout(0.5), nr.Linear(128, 10)),
             nr.Linear(128, 49)]
    return nr.MultiTask(trunk, heads, weights, criteria=[nr.SoftmaxCrossEntropy(), nr.MSELoss()], seed=seed)


model = build((1.0, 10.0), seed=0)
print("trunk (shared):", model.trunk)
for t, head in enumerate(model.heads):
    print(f"head {t} ({type(model.criterion.criteria[t]).__name__}, weight {model.criterion.weights[t]:g}):", head)

# %% [markdown]
# ## The gradient: checked, and a sum
#
# Central differences of the whole weighted objective in float64, every coordinate, on a small network of
# the same shape (12 inputs, a trunk of 7 tanh units with dropout, heads for 3 classes and 2 regression
# targets; dropout masks replayed). Then the trunk's gradient with both tasks against the sum of its gradients with
# each task alone (dropout off):

# %%
rng = np.random.default_rng(0)
x = rng.standard_normal((6, 12))
targets = [rng.integers(0, 3, 6), rng.standard_normal((6, 2))]
small = nr.MultiTask(nr.Sequential(nr.Linear(12, 7), nr.Tanh(), nr.Dropout(0.3)),
                     [nr.Sequential(nr.Linear(7, 5), nr.Tanh(), nr.Linear(5, 3)), nr.Linear(7, 2)],
                     weights=(1.0, 0.5), criteria=[nr.SoftmaxCrossEntropy(), nr.MSELoss()], seed=0)
small = small.astype(np.float64)
print(f"gradient check of w_1 J_1 + w_2 J_2: largest relative error "
      f"{nr.gradcheck.check_model(small, small.criterion, x, targets):.1e}")

small.eval()
trunk_W = small.trunk[0].W
grads = {}
for weights in [(1.0, 0.0), (0.0, 0.5), (1.0, 0.5)]:
    loss_fn = nr.MultiTaskLoss([nr.SoftmaxCrossEntropy(), nr.MSELoss()], weights)
    for p in small.parameters():
        p.zero_grad()
    outputs = small(x)
    loss = loss_fn(outputs, targets)
    small.backward(loss_fn.backward())
    grads[weights] = trunk_W.grad.copy()
both, first, second = grads[(1.0, 0.5)], grads[(1.0, 0.0)], grads[(0.0, 0.5)]
print(f"trunk gradient: max |both tasks - (task 1 alone + task 2 alone)| = {np.abs(both - first - second).max():.1e}"
      f"  (scale {np.abs(both).max():.1e})")

# %% [markdown]
# ## Does sharing help the digits? Two amounts of labels
#
# The same architecture trained on the class alone (thumbnail weight $w_2 = 0$: the thumbnail head gets no
# gradient and the trunk none from it; this is the seed network) and on both tasks with thumbnail weight 100,
# for the same ~600 Adam steps, from three seeds (each seed: its labeled images, initialization and batch order,
# shared by both runs: a paired comparison), with 300 and with 1,000 labeled images. Test accuracy of the
# class head:

# %%
T_test = thumbnail(X_test)
results = {}
for n in (300, 1000):
    for w2 in (0.0, 100.0):
        accuracies = []
        for seed in range(3):
            X, y = nr.data.subsample(X_all, y_all, n, seed=seed)
            model = build((1.0, w2), seed=1000 + seed)
            optimizer = nr.Adam(model.parameters())
            epochs = 600 // -(-n // 32)                 # about 600 steps of 32 images
            history = model.fit(optimizer, X, [y, thumbnail(X)], epochs=epochs, batch_size=32, seed=seed)
            total, task_losses, task_accuracies = model.evaluate(X_test, [y_test, T_test])
            accuracies.append(task_accuracies[0])
        results[n, w2] = np.array(accuracies)
        m, se = nr.plots.mean_se(results[n, w2])
        print(f"{n:5d} images, thumbnail weight {w2:5g}: class test accuracy {m:.3f} ± {se:.3f} (mean ± SE; "
              f"seeds: {', '.join(f'{a:.3f}' for a in accuracies)})")
for n in (300, 1000):
    print(nr.plots.paired_effect(1 - results[n, 0.0], 1 - results[n, 100.0],
                                 name=f"the thumbnail task (w2 = 100, {n} images)", metric="test error")[2])

fig = Figure(figsize=(7, 3.6), layout="constrained")
axes = fig.subplots(1, 2)
for ax, n in zip(axes, (300, 1000)):
    keys = [k for k in results if k[0] == n]
    names = ["class only" if w2 == 0 else f"w2 = {w2:g}" for _, w2 in keys]
    means = [results[k].mean() for k in keys]
    ax.bar(names, means, yerr=[nr.plots.mean_se(results[k])[1] for k in keys], capsize=4,
           color=[nr.plots.PALETTE[0] if k[1] == 0 else nr.plots.PALETTE[2] for k in keys])
    for seed in range(3):
        ax.plot(names, [results[k][seed] for k in keys], "k.-", alpha=0.6, linewidth=0.8)
    ax.set_ylim(min(means) - 0.04, max(means) + 0.03)
    ax.set_title(f"{n} labeled images")
axes[0].set_ylabel("class test accuracy")
fig.suptitle("Sharing the trunk with the thumbnail task (3 paired seeds; bars: mean ± SE)")
fig

# %% [markdown]
# The thumbnail is computed from the image itself: it carries no information about the class that the image
# does not, so all it can do is shape the trunk. The effect is small either way (the verdicts above): with 300
# labels it helps on every seed; with 1,000, where the class task has more data of its own, the heavily weighted
# auxiliary task no longer helps and competes with the class for the trunk.
#
# ## Where sharing pays: related tasks with labels of their own
#
# The chapter's argument is about *statistical strength*: when each task brings its own noisy labels of a
# shared factor, the shared layers are fitted to all of them, and the noise of one task's labels averages out
# against the others'. A clean case: ten regression tasks on the same 20 inputs $x \in [-1, 1]$, each
# $y_t = a_t \sin(3x) + b_t + \text{noise}$ with its own $a_t, b_t$ and independent noise of standard deviation
# 0.3 (task 1, the main one, is $\sin(3x)$ itself, as in notebooks 01 and 02: no model's test mean squared error
# can go below $0.3^2 = 0.09$). The trunk is a tanh network $1 \to 100 \to 100 \to 2$ (the shared
# representation $\mathbf h^{(\text{shared})}$ of Figure 7.2 has 2 units), the main head `Linear(2, 1)`, one more
# head `Linear(2, 9)` for the nine auxiliary tasks with weight $w_2$. With $w_2 = 0$ it is single-task learning.
# We sweep $w_2$ over 5 paired seeds (each seed: its inputs, labels and initialization), choose it on a
# validation set of 200 points of the main task, and test on 1,000.

# %%
T = 10
task_rng = np.random.default_rng(123)
a = np.r_[1.0, task_rng.uniform(0.5, 1.5, T - 1)]          # task 1 is sin(3x); the others are related
b = np.r_[0.0, task_rng.normal(0.0, 0.5, T - 1)]


def related_tasks(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    Y = a * np.sin(3 * x) + b + 0.3 * rng.standard_normal((n, T))
    return x.astype(np.float32), Y[:, :1].astype(np.float32), Y[:, 1:].astype(np.float32)


X_reg_test, y_reg_test, _ = related_tasks(1000, seed=1000)
X_reg_val, y_reg_val, _ = related_tasks(200, seed=2000)
no_aux = np.zeros((1000, T - 1), np.float32)
seeds, steps, every = [0, 1, 2, 3, 4], 1500, 50


class MainTaskErrors(nr.Callback):
    """Training and test MSE of the main task every `every` epochs (one full-batch step each)."""

    def __init__(self, model, train):
        self.model, self.train, self.train_error, self.test_error = model, train, [], []

    def on_epoch_end(self, state):
        if state.epoch % every == 0:
            self.train_error.append(self.model.evaluate(self.train[0], self.train[1:])[1][0])
            self.test_error.append(self.model.evaluate(X_reg_test, [y_reg_test, no_aux])[1][0])


def train_tasks(w2, seed):
    X, y, Y_aux = related_tasks(20, seed)
    trunk = nr.Sequential(nr.Linear(1, 100), nr.Tanh(), nr.Linear(100, 100), nr.Tanh(), nr.Linear(100, 2), nr.Tanh())
    model = nr.MultiTask(trunk, [nr.Linear(2, 1), nr.Linear(2, T - 1)], (1.0, w2),
                         criteria=[nr.MSELoss(), nr.MSELoss()], seed=seed)
    recorder = MainTaskErrors(model, (X, y, Y_aux))
    model.fit(nr.Adam(model.parameters(), lr=0.01), X, [y, Y_aux], epochs=steps, batch_size=20, seed=seed,
              callbacks=[recorder])
    return {"train": np.array(recorder.train_error), "test": np.array(recorder.test_error),
            "val": model.evaluate(X_reg_val, [y_reg_val, no_aux[:200]])[1][0]}


w2_grid = [0.1, 1.0, 3.0, 10.0, 30.0, 100.0]
single = [train_tasks(0.0, seed) for seed in seeds]
sweep = [[train_tasks(w2, seed) for w2 in w2_grid] for seed in seeds]
train = np.array([[r["train"][-1] for r in row] for row in sweep])
test = np.array([[r["test"][-1] for r in row] for row in sweep])
best = int(np.argmin(np.mean([[r["val"] for r in row] for row in sweep], axis=0)))
print(f"{'w2':>13} {'train MSE':>16} {'test MSE':>16}   (main task; mean ± SE over {len(seeds)} seeds)")
(m, se), (mt, set_) = nr.plots.mean_se([r["train"][-1] for r in single]), nr.plots.mean_se([r["test"][-1] for r in single])
print(f"{'0 (single)':>13} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}")
for j, w2 in enumerate(w2_grid):
    (m, se), (mt, set_) = nr.plots.mean_se(train[:, j]), nr.plots.mean_se(test[:, j])
    print(f"{w2:13g} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}" + ("  <- lowest validation MSE" if j == best else ""))
print()
print(nr.plots.paired_effect([r["test"][-1] for r in single], test[:, best], name=f"multitask (w2 = {w2_grid[best]:g})",
                             metric="main task's test MSE", digits=4)[2])
d, se = nr.plots.mean_se(train[:, best] - np.array([r["train"][-1] for r in single]))
print(f"   ... while the main task's training MSE changes by {d:+.4f} ± {se:.4f}.")

# %%
fig = Figure(figsize=(12, 4), layout="constrained")
ax_curves, ax_sweep = fig.subplots(1, 2)
nr.plots.train_test_curves({"single task": (np.stack([r["train"] for r in single]), np.stack([r["test"] for r in single])),
                            f"10 tasks, w2 = {w2_grid[best]:g}": (np.stack([row[best]["train"] for row in sweep]),
                                                                  np.stack([row[best]["test"] for row in sweep]))},
                           x=np.arange(every, steps + 1, every), ax=ax_curves, logy=True, xlabel="full-batch Adam step",
                           ylabel="main task: mean squared error", title=f"Training and test error ({len(seeds)} seeds, ± SE)")
nr.plots.strength_sweep(w2_grid, test, train=train, baseline=[r["test"][-1] for r in single], best=w2_grid[best],
                        ax=ax_sweep, label="10 tasks", color=nr.plots.PALETTE[1], logy=True,
                        xlabel="weight w2 of the nine auxiliary tasks", ylabel=f"main task: MSE after {steps:,} steps",
                        title="How much the other tasks count")
for ax in (ax_curves, ax_sweep):
    ax.axhline(0.09, color="k", linestyle=":", linewidth=1)
fig

# %% [markdown]
# Alone, the main task's 20 noisy labels are all the trunk sees, and it fits their noise (training error far
# below the noise floor, test error above it). Sharing the trunk with nine related tasks gives it 200 noisy
# labels of the same factor, which it cannot all fit through two shared units: the main task's training error
# rises towards the noise floor and its test error falls. The weight $w_2$ sets how much the other tasks count;
# the sweep shows where, between ignoring them and letting them dominate, the main task gains most.
#
# **Takeaway.** The trunk's gradient is the weighted sum of the tasks' gradients, checked to rounding
# error. Multitask learning regularizes the shared layers when the other tasks bring information about a shared
# factor: nine related regression tasks, each with its own noisy labels, raise the main task's training error
# and lower its test error, with a sweet spot in the weight $w_2$; an auxiliary task computed from the input
# itself (the thumbnail) can only shape the trunk, and helps a little, with few labels only. The tasks' weights
# are hyper-parameters.
#
# **Verified by** `tests/regularize/s7_07_multitask/test_multitask.py` (central differences of the weighted objective and of the input
# gradient, each head's gradient entering the trunk with its weight, the loss as the weighted sum, `fit`
# training both tasks, determinism). The full table, more seeds and `--data fashion-mnist`:
# `python experiments/multitask_vs_single.py`.
