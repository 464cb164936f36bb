# Source of notebooks/07_multitask.ipynb -- edit here, then: python notebooks/build.py 07

# %% [markdown]
# # 6 · Multitask learning (§7.7)
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
# *Runs in about 10 s on two cores.*
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

# ## Does sharing help? Two amounts of labels
#
# The same architecture trained on the class alone (thumbnail weight $w_2 = 0$: the thumbnail head gets no
# gradient and the trunk none from it; this is the seed network) and on both tasks with thumbnail weights 30
# and 100, for the same ~600 Adam steps, each from three seeds, with 300 and with 1,000 labeled images. Test
# accuracy of the class head:

# %%
T_test = thumbnail(X_test)
results = {}
for n, weights in ((300, (0.0, 30.0, 100.0)), (1000, (0.0, 100.0))):
    X, y = nr.data.subsample(X_all, y_all, n, seed=0)
    T = thumbnail(X)
    epochs = 600 // -(-n // 32)                 # about 600 steps of 32 images
    for w2 in weights:
        accuracies = []
        for seed in range(3):
            model = build((1.0, w2), seed=1000 + seed)
            optimizer = nr.Adam(model.parameters())
            history = model.fit(optimizer, X, [y, T], epochs=epochs, batch_size=32, seed=seed)
            total, task_losses, task_accuracies = model.evaluate(X_test, [y_test, T_test])
            accuracies.append(task_accuracies[0])
        results[n, w2] = np.array(accuracies)
        print(f"{n:5d} images, thumbnail weight {w2:5g}: class test accuracy {results[n, w2].mean():.3f} "
              f"+- {results[n, w2].std():.3f}  (seeds: {', '.join(f'{a:.3f}' for a in accuracies)})")

fig = Figure(figsize=(7, 3.6), layout="constrained")
axes = fig.subplots(1, 2)
for ax, n in zip(axes, (300, 1000)):
    keys = [k for k in results if k[0] == n]
    names = ["class only" if w2 == 0 else f"w2 = {w2:g}" for _, w2 in keys]
    means = [results[k].mean() for k in keys]
    ax.bar(names, means, yerr=[results[k].std() for k in keys], capsize=4,
           color=[nr.plots.PALETTE[0] if k[1] == 0 else nr.plots.PALETTE[2] for k in keys])
    for seed in range(3):
        ax.plot(names, [results[k][seed] for k in keys], "k.", alpha=0.6)
    ax.set_ylim(min(means) - 0.04, max(means) + 0.03)
    ax.set_title(f"{n} labeled images")
axes[0].set_ylabel("class test accuracy")
fig.suptitle("Sharing the trunk with the thumbnail task (3 seeds each)")
fig

# **Takeaway.** The trunk's gradient is the weighted sum of the tasks' gradients, checked to rounding
# error. With 300 labels, an auxiliary task that shares a factor with the class (the strokes' layout) gives
# the shared layer more to learn from, and the class head generalizes better; with 1,000 labels the class task
# has enough data of its own and the auxiliary task, weighted heavily, only competes for the trunk. Multitask
# learning is a regularizer for the small-data regime, and its weights are hyper-parameters.
#
# **Verified by** `tests/test_multitask.py` (central differences of the weighted objective and of the input
# gradient, each head's gradient entering the trunk with its weight, the loss as the weighted sum, `fit`
# training both tasks, determinism). The full table, more seeds and `--data fashion-mnist`:
# `python experiments/multitask_vs_single.py`.
