# Source of notebooks/05_noise_and_label_smoothing.ipynb -- edit here, then: python notebooks/build.py 05

# %% [markdown]
# # 05 · Noise robustness and label smoothing (§7.5)
#
# **The book's claims.** Noise can be injected in three places, each a regularizer:
#
# 1. **on the inputs**: a form of dataset augmentation; neural networks are not very robust to noise
#    (Tang & Eliasmith 2010), and training with noise is one way to make them robust;
# 2. **on the weights**: for small noise, it is equivalent to a penalty that pushes the model towards
#    regions where small perturbations of the weights barely change the output (Eq. 7.30–7.31 and below);
# 3. **on the output targets**: label smoothing replaces the hard 0/1 targets of the softmax, which it can
#    never reach, by $\frac{\epsilon}{k-1}$ and $1 - \epsilon$ (§7.5.1).
#
# *Runs in about 40 s on two cores (most of it the sweeps: 55 small regressions for input and weight noise,
# 19 digit networks for label smoothing).*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files) and train for more epochs; `python experiments/robustness.py --data fashion-mnist` and `python experiments/label_smoothing.py --data fashion-mnist` run the full comparisons.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X, y = X[:2000], y[:2000]
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_fashion_mnist()   (see the README)
criterion = nr.SoftmaxCrossEntropy()

# %% [markdown]
# ## 1. Input noise and robustness to corruptions never seen in training
#
# Tang & Eliasmith (the paper in the seed's slides) found networks fragile under occlusion and noise, and a
# sparse, locally connected first layer more robust. We train three versions of the seed network (without
# dropout) on clean images only:
#
# - **dense**: fully connected, no regularization (2,000 training images, 10 epochs);
# - **input noise**: `nr.GaussianNoise(0.3)` on the input in training (identity at test time);
# - **local sparse**: a first layer `nr.SparseLinear` in which each hidden unit sees one random 10×10
#   window (`nr.local_mask`), as in the paper,
#
# then test each on the test set under the corruptions of `nr.corrupt` (an occluding square, additive
# Gaussian noise, salt noise, a noisy border) at three levels with `nr.robustness`. Note that the Gaussian
# rows are not unseen noise for the input-noise model.

# %%
mask = nr.local_mask((28, 28), 128, 10, seed=0)
robust_models = {
    "dense": nr.mlp(dropout=0, seed=0),
    "input noise": nr.mlp(dropout=0, input_noise=0.3, seed=0),
    "local sparse": nr.Sequential(nr.Flatten(), nr.SparseLinear(784, 128, mask), nr.ReLU(),
                                  nr.Linear(128, 128), nr.ReLU(), nr.Linear(128, 10), seed=0),
}
tables = {}
for name, model in robust_models.items():
    optimizer = nr.Adam(model.parameters())
    nr.fit(model, criterion, optimizer, (X, y), epochs=10, batch_size=256, seed=0, verbose=False)
    tables[name] = nr.robustness(model, X_test, y_test, seed=0)
print(nr.robust.compare(tables))
nr.plots.robustness_curves(tables, title="Trained on clean digits, tested on corrupted ones")

# %% [markdown]
# Each network loses accuracy under corruption it never saw; input noise buys robustness to noise-like
# corruptions (at a small cost in clean accuracy), and the local first layer keeps more of its accuracy
# under some corruptions than the dense one. `python experiments/robustness.py --repeats 3` runs the full
# comparison (with augmentation and dropout as well) over several seeds.
#
# ### Input noise as a regularizer, on a network that overfits
#
# The chapter's definition: a regularizer is "any modification we make to a learning algorithm that is
# intended to reduce its generalization error but not its training error". To see input noise do that we need
# a network that overfits: 20 noisy points of $y = \sin(3x) + \text{noise}$ (noise standard deviation 0.3, so
# no model's test mean squared error can go below $0.3^2 = 0.09$), a tanh network with two hidden layers of 100
# units, full-batch Adam for 1,500 steps (the set-up of notebooks 01 and 02). `nr.GaussianNoise(std)` as the
# first layer adds $\mathcal N(0, \text{std}^2)$ to $x$ at every step in training (Bishop 1995: to first order
# a penalty on the slope of the fitted function). The runs with noise share each seed's training points,
# initialization and batch order with the run without (a paired comparison); a validation set of 200 points
# picks the noise level, a test set of 1,000 measures it.

# %%
def noisy_sine(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    return x.astype(np.float32), (np.sin(3 * x) + 0.3 * rng.standard_normal((n, 1))).astype(np.float32)


X_sine_test, y_sine_test = noisy_sine(1000, seed=1000)
X_sine_val, y_sine_val = noisy_sine(200, seed=2000)
seeds = [0, 1, 2, 3, 4]
steps, every = 1500, 50
mse = nr.MSELoss()


class SineErrors(nr.Callback):
    """Training and test MSE every `every` epochs (an epoch is one full-batch step here)."""

    def __init__(self, train):
        self.train, self.train_error, self.test_error = train, [], []

    def on_epoch_end(self, state):
        if state.epoch % every == 0:
            self.train_error.append(mse(nr.predict(state.model, self.train[0]), self.train[1]))
            self.test_error.append(mse(nr.predict(state.model, X_sine_test), y_sine_test))


def train_sine(seed, input_std=0.0, weight_noise=None):
    X_train, y_train = noisy_sine(20, seed)
    layers = [nr.Linear(1, 100), nr.Tanh(), nr.Linear(100, 100), nr.Tanh(), nr.Linear(100, 1)]
    if input_std:
        layers.insert(0, nr.GaussianNoise(input_std))           # noise on x, in training only
    model = nr.Sequential(*layers, seed=seed)
    recorder = SineErrors((X_train, y_train))
    nr.fit(model, mse, nr.Adam(model.parameters(), lr=0.01), (X_train, y_train), epochs=steps, batch_size=20,
           weight_noise=weight_noise, callbacks=[recorder], seed=seed, verbose=False)
    return {"model": model, "train": np.array(recorder.train_error), "test": np.array(recorder.test_error),
            "val": mse(nr.predict(model, X_sine_val), y_sine_val)}


def show_sweep(name, symbol, grid, baseline_runs, sweep_runs, color):
    """Table, figure (train/test curves of the best setting; the sweep) and the paired effect of one technique."""
    train = np.array([[r["train"][-1] for r in row] for row in sweep_runs])
    test = np.array([[r["test"][-1] for r in row] for row in sweep_runs])
    best = int(np.argmin(np.mean([[r["val"] for r in row] for row in sweep_runs], axis=0)))
    base_train = np.array([r["train"][-1] for r in baseline_runs])
    base_test = np.array([r["test"][-1] for r in baseline_runs])
    print(f"{symbol:>10} {'train MSE':>16} {'test MSE':>16}   (mean ± SE over {len(seeds)} seeds)")
    (m, se), (mt, set_) = nr.plots.mean_se(base_train), nr.plots.mean_se(base_test)
    print(f"{'none':>10} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}")
    for j, v in enumerate(grid):
        (m, se), (mt, set_) = nr.plots.mean_se(train[:, j]), nr.plots.mean_se(test[:, j])
        print(f"{v:10g} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}" + ("  <- lowest validation MSE" if j == best else ""))
    label = f"{name}, {symbol} = {grid[best]:g}"
    _, _, said = nr.plots.paired_effect(base_test, test[:, best], name=label, metric="test MSE", digits=4)
    d_train, se_train = nr.plots.mean_se(train[:, best] - base_train)
    print("\n" + said + f"\n   ... while it raises the training MSE by {d_train:.4f} ± {se_train:.4f}.")
    fig = Figure(figsize=(12, 4), layout="constrained")
    ax_curves, ax_sweep = fig.subplots(1, 2)
    curves = {"no noise": (np.stack([r["train"] for r in baseline_runs]), np.stack([r["test"] for r in baseline_runs])),
              label: (np.stack([row[best]["train"] for row in sweep_runs]),
                      np.stack([row[best]["test"] for row in sweep_runs]))}
    nr.plots.train_test_curves(curves, x=np.arange(every, steps + 1, every), ax=ax_curves, logy=True,
                               xlabel="full-batch Adam step", ylabel="mean squared error",
                               title=f"Training and test error ({len(seeds)} seeds, ± SE)")
    nr.plots.strength_sweep(grid, test, train=train, baseline=base_test, best=grid[best], ax=ax_sweep, label=name,
                            color=color, logy=True, xlabel=f"{name}: {symbol}",
                            ylabel=f"mean squared error after {steps:,} steps", title="The strength of the noise")
    for ax in (ax_curves, ax_sweep):
        ax.axhline(0.09, color="k", linestyle=":", linewidth=1)
    return fig, best


no_noise = [train_sine(seed) for seed in seeds]
input_stds = [0.01, 0.03, 0.1, 0.3, 0.8]
input_sweep = [[train_sine(seed, input_std=std) for std in input_stds] for seed in seeds]
fig, best_input = show_sweep("input noise", "std", input_stds, no_noise, input_sweep, nr.plots.PALETTE[1])
fig

# %% [markdown]
# Without noise the network fits the noisy points (training error near 0) and its test error rises as training
# goes on; with noise of the right size it cannot fit them, and its test error is lower on most seeds. The
# verdict printed above says whether the mean effect clears twice its standard error: the seed-to-seed spread
# of the unregularized network is large on 20 points, and if the verdict is "NOT", settling the claim takes more
# seeds than this notebook's one-minute budget allows (each seed adds six training runs). Too much noise (std
# 0.8 on inputs in $[-1, 1]$) blurs the function itself: training and test error rise together.
#
# ## 2. Noise on the weights is a penalty on the output's sensitivity (Eq. 7.30–7.31)
#
# For a regression $\hat y(x)$ trained on $J = \mathbb E_{p(x,y)}\big[(\hat y(x) - y)^2\big]$ (Eq. 7.30), add
# $\epsilon_W \sim \mathcal N(\epsilon; 0, \eta I)$ to the weights at each presentation:
#
# $$\tilde J_W = \mathbb E_{p(x, y, \epsilon_W)}\big[(\hat y_{\epsilon_W}(x) - y)^2\big]. \qquad \text{(Eq. 7.31)}$$
#
# To first order $\hat y_{\epsilon_W}(x) \approx \hat y(x) + \nabla_W \hat y(x)^\top \epsilon_W$; the cross term has
# mean zero, and $\mathbb E[(\nabla_W\hat y^\top\epsilon_W)^2] = \eta\|\nabla_W \hat y\|^2$, so
#
# $$\tilde J_W \approx J + \eta\, \mathbb E_{p(x,y)}\big[\|\nabla_W \hat y(x)\|^2\big].$$
#
# (The second-order term $\eta\,\mathbb E[(\hat y - y)\operatorname{tr}\nabla_W^2\hat y]$ is small near a minimum,
# where the residuals are small.) `nr.analysis.weight_noise_penalty` computes the right-hand term exactly,
# with per-example gradients; `nr.WeightNoise(eta)` perturbs the weights in place and restores them bit for
# bit. We estimate $\tilde J_W$ by Monte Carlo on a small trained tanh network and compare.

# %%
rng = np.random.default_rng(0)
X_reg = rng.standard_normal((256, 5))
y_reg = np.sin(X_reg @ rng.standard_normal(5))[:, None]
net = nr.Sequential(nr.Linear(5, 32), nr.Tanh(), nr.Linear(32, 1), seed=0).astype(np.float64)
mse = nr.MSELoss()
nr.fit(net, mse, nr.Adam(net.parameters(), lr=1e-2), (X_reg, y_reg), epochs=300, batch_size=256,
       seed=0, verbose=False)
net.eval()
J = mse(net(X_reg), y_reg)
params = net.parameters()
print(f"J = {J:.5f} after training\n")
print(f"{'eta':>7} {'Monte Carlo J~_W':>22} {'J + eta E||grad_W y^||^2':>25}")
etas, mc, predicted = [1e-4, 3e-4, 1e-3, 3e-3], [], []
for eta in etas:
    noise = nr.WeightNoise(eta, seed=1)
    draws = []
    for _ in range(2000):
        noise.perturb(params)                 # W + epsilon_W, in place
        draws.append(mse(net(X_reg), y_reg))
        noise.restore(params)                 # W again, bit for bit
    draws = np.array(draws)
    mc.append((draws.mean(), draws.std(ddof=1) / np.sqrt(len(draws))))
    predicted.append(J + nr.analysis.weight_noise_penalty(net, X_reg, eta))
    print(f"{eta:7.0e} {mc[-1][0]:14.5f} +- {mc[-1][1]:.5f} {predicted[-1]:25.5f}")

fig = Figure(figsize=(6.4, 3.8), layout="constrained")
ax = fig.subplots()
ax.errorbar(etas, [m - J for m, _ in mc], yerr=[2 * s for _, s in mc], fmt="o", color=nr.plots.PALETTE[3],
            capsize=3, label=r"Monte Carlo $\tilde J_W - J$ (2 standard errors)")
ax.plot(etas, [p - J for p in predicted], color=nr.plots.PALETTE[0],
        label=r"$\eta\,\mathbb{E}\|\nabla_W \hat y\|^2$ (weight_noise_penalty)")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel(r"noise variance $\eta$")
ax.set_ylabel("increase of the objective")
ax.set_title("Weight noise = a penalty on the output's sensitivity to W")
ax.legend()
fig

# %% [markdown]
# ### Weight noise as a regularizer, on the network that overfits
#
# Trained *with* the noise (`nr.fit(..., weight_noise=nr.WeightNoise(eta))`: the weights are perturbed before
# each forward pass and restored after the backward pass), the network should end where that sensitivity is
# lower, a flatter minimum, at the price of a higher training error. The same 20-point problem and network as
# for input noise, sweeping the noise variance $\eta$; the last line compares the sensitivity
# $\mathbb E\|\nabla_W \hat y\|^2$ of the trained networks (the penalty the noise adds, divided by $\eta$).

# %%
etas = [1e-4, 1e-3, 3e-3, 1e-2, 3e-2]
weight_sweep = [[train_sine(seed, weight_noise=nr.WeightNoise(eta, seed=seed)) for eta in etas] for seed in seeds]
fig, best_eta = show_sweep("weight noise", "eta", etas, no_noise, weight_sweep, nr.plots.PALETTE[2])
X_train0, _ = noisy_sine(20, seeds[0])
sensitivity = {name: [nr.analysis.weight_noise_penalty(net.astype(np.float64), X_train0, 1.0) for net in nets]
               for name, nets in {"no noise": [r["model"] for r in no_noise],
                                  f"eta = {etas[best_eta]:g}": [row[best_eta]["model"] for row in weight_sweep]}.items()}
print("E||grad_W y^||^2 on the training points: " + ",  ".join(
    f"{name}: {np.mean(v):.3g} ± {nr.plots.mean_se(v)[1]:.2g}" for name, v in sensitivity.items()))
fig

# %% [markdown]
# Training with weight noise is itself noisy: every step sees a different perturbed network, so its curves
# jitter (most at the larger $\eta$), and its effect over 5 seeds is close to the 2-standard-error line (the
# verdict above says on which side). What it reliably does is the theory's prediction: the trained network's
# sensitivity $\mathbb E\|\nabla_W \hat y\|^2$, the penalty the noise adds, is much lower than without noise (the last
# printed line).

# %% [markdown]
# ## 3. Label smoothing (§7.5.1)
#
# With hard targets the softmax cross-entropy can never be minimized: $\operatorname{softmax}(z)_y < 1$ for every
# finite $z$, so on separable data the logits grow without bound. Label smoothing assumes a label is right
# with probability $1 - \epsilon$ and replaces the target $[0, \dots, 1, \dots, 0]$ by
#
# $$\Big[\tfrac{\epsilon}{k-1}, \dots, 1 - \epsilon, \dots, \tfrac{\epsilon}{k-1}\Big] \quad\text{(the book, `smoothing="book"`)}$$
#
# or, as PyTorch's `CrossEntropyLoss(label_smoothing=eps)`, by $(1 - \epsilon)\,\text{onehot} + \epsilon/k$
# (`smoothing="uniform"`). Now the minimum exists: the softmax matches the targets when the logit of the
# labelled class exceeds every other by
#
# $$z_y - z_j = \log\frac{1 - \epsilon}{\epsilon/(k-1)} = \log\frac{(1-\epsilon)(k-1)}{\epsilon}
#   \quad\Big(= \log 81 \approx 4.39 \text{ for } \epsilon = 0.1,\ k = 10\Big).$$
#
# Softmax regression on 200 images (separable in 784 dimensions) shows both behaviours:

# %%
X_sep, y_sep = nr.data.subsample(X, y, 200, seed=0)
k = 10
losses = {"hard targets": nr.SoftmaxCrossEntropy(),
          "book, eps = 0.1": nr.SoftmaxCrossEntropy(0.1, smoothing="book"),
          "uniform, eps = 0.1": nr.SoftmaxCrossEntropy(0.1, smoothing="uniform")}
gaps = {}
for name, loss_fn in losses.items():
    on, off = loss_fn.targets(k)
    softmax_regression = nr.Sequential(nr.Flatten(), nr.Linear(784, k), seed=0)
    optimizer = nr.Adam(softmax_regression.parameters(), lr=0.01)
    gaps[name] = []
    for step in range(1500):
        optimizer.zero_grad()
        output = softmax_regression(X_sep)
        loss = loss_fn(output, y_sep)
        softmax_regression.backward(loss_fn.backward())
        optimizer.step()
        z_y = output[np.arange(len(y_sep)), y_sep]
        gaps[name].append(float(np.mean(z_y - (output.sum(axis=1) - z_y) / (k - 1))))
    theory = np.log(on / off) if off > 0 else np.inf
    print(f"{name:20s} targets ({on:.3f}, {off:.4f})  mean gap z_y - z_j after 1500 steps: "
          f"{gaps[name][-1]:6.3f}   log(on/off) = {theory:.3f}")

fig = Figure(figsize=(6.4, 3.8), layout="constrained")
ax = fig.subplots()
for (name, gap), color in zip(gaps.items(), nr.plots.PALETTE):
    ax.plot(np.arange(1, len(gap) + 1), gap, color=color, label=name)
    on, off = losses[name].targets(k)
    if off > 0:
        ax.axhline(np.log(on / off), color=color, linestyle=":", linewidth=1)
ax.set_xscale("log")
ax.set_xlabel("full-batch Adam steps")
ax.set_ylabel(r"mean logit gap $z_y - z_j$")
ax.set_title("Hard targets: the logits grow forever. Smoothed: they stop at log(on/off)")
ax.legend()
fig

# %% [markdown]
# ### Calibration: where the baseline is over-confident
#
# The same mechanism keeps a network's confidence in check, *when there is over-confidence to correct*. A
# network trained long on few examples memorizes them, and pushes its softmax towards 1 on everything: the
# seed network *without* dropout, on 300 training images (30 per class), 60 epochs of Adam (180 steps). The
# reliability diagram plots accuracy against confidence per bin (the diagonal is perfect calibration); the
# expected calibration error (ECE) is the bin-weighted mean gap $|\text{accuracy} - \text{confidence}|$, and the
# test negative log-likelihood (NLL) punishes confident mistakes. We sweep $\epsilon$ over 3 seeds (each seed:
# its 300 images, initialization and batch order, shared by all $\epsilon$).
#
# **Both conventions.** The uniform targets $(1-\epsilon_u)\,\text{onehot} + \epsilon_u/k$ are the book's targets
# $\big[\frac{\epsilon_b}{k-1}, 1 - \epsilon_b\big]$ with $\epsilon_b = \epsilon_u (k-1)/k$: the same family, the same
# training runs, on an $\epsilon$ axis stretched by $k/(k-1) = 10/9$. We check that once, by training with
# `smoothing="uniform"` at $\epsilon_u = \epsilon_b\,k/(k-1)$ and comparing with the book's run, and plot each
# convention against its own $\epsilon$.

# %%
X_pool, y_pool = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)[0]
epsilons = [0.01, 0.03, 0.1, 0.2, 0.4]                  # the book's convention


def train_smoothed(epsilon, seed, smoothing="book"):
    X_small, y_small = nr.data.subsample(X_pool[:4000], y_pool[:4000], 300, seed=seed)
    model = nr.mlp(dropout=0, seed=seed)
    loss_fn = nr.SoftmaxCrossEntropy(label_smoothing=epsilon, smoothing=smoothing)
    nr.fit(model, loss_fn, nr.Adam(model.parameters()), (X_small, y_small), epochs=60, batch_size=100,
           seed=seed, verbose=False)
    return nr.softmax(nr.predict(model, X_test))


metrics = {"accuracy": nr.metrics.accuracy, "ECE": nr.metrics.expected_calibration_error,
           "NLL": nr.metrics.negative_log_likelihood}
ls_seeds = [0, 1, 2]
probs = {(eps, seed): train_smoothed(eps, seed) for eps in [0.0] + epsilons for seed in ls_seeds}
table = {name: np.array([[f(probs[eps, seed], y_test) for eps in [0.0] + epsilons] for seed in ls_seeds])
         for name, f in metrics.items()}
confidence = np.array([[probs[eps, seed].max(axis=1).mean() for eps in [0.0] + epsilons] for seed in ls_seeds])

print(f"{'eps (book)':>10} {'eps (uniform)':>13} {'accuracy':>15} {'mean confidence':>17} {'ECE':>15} {'NLL':>15}")
for j, eps in enumerate([0.0] + epsilons):
    cells = [nr.plots.mean_se(table[m][:, j]) for m in ("accuracy",)] + [nr.plots.mean_se(confidence[:, j])] + \
            [nr.plots.mean_se(table[m][:, j]) for m in ("ECE", "NLL")]
    print(f"{eps:10g} {eps * 10 / 9:13.3g} " + " ".join(f"{m:8.3f} ± {se:.3f}" for m, se in cells))

k = 10
uniform = train_smoothed(0.1 * k / (k - 1), ls_seeds[0], smoothing="uniform")
print(f"\nuniform eps_u = {0.1 * k / (k - 1):.4f} against book eps_b = 0.1 (seed {ls_seeds[0]}): "
      f"max |difference of the test probabilities| = {np.abs(uniform - probs[0.1, ls_seeds[0]]).max():.1e}")

# %%
best_ece = 1 + int(np.argmin(table["ECE"][:, 1:].mean(axis=0)))     # the sweet spot, epsilon > 0
best_eps = epsilons[best_ece - 1]
fig = Figure(figsize=(13, 4), layout="constrained")
ax_ece, ax_nll, ax_rel = fig.subplots(1, 3)
for ax, name in ((ax_ece, "ECE"), (ax_nll, "NLL")):
    for convention, scale, color in (("book", 1.0, nr.plots.PALETTE[1]), ("uniform", k / (k - 1), nr.plots.PALETTE[4])):
        nr.plots.strength_sweep(np.array(epsilons) * scale, table[name][:, 1:],
                                baseline=table[name][:, 0] if convention == "book" else None,
                                ax=ax, label=f"{convention} convention", color=color,
                                xlabel=r"label smoothing $\epsilon$ (each convention its own)",
                                ylabel=f"test {name}", title=f"Test {name} against epsilon ({len(ls_seeds)} seeds, ± SE)")
    ax.legend(fontsize=7)
nr.plots.reliability_diagram({"eps = 0 (hard targets)": probs[0.0, ls_seeds[0]],
                              f"eps = {best_eps:g} (book)": probs[best_eps, ls_seeds[0]]}, y_test, ax=ax_rel,
                             title=f"Reliability, seed {ls_seeds[0]}")
fig

# %%
for name in ("ECE", "NLL"):
    _, _, said = nr.plots.paired_effect(table[name][:, 0], table[name][:, best_ece],
                                        name=f"label smoothing (book, eps = {best_eps:g})", metric=f"test {name}")
    print(said)
d_acc, se_acc = nr.plots.mean_se(table["accuracy"][:, best_ece] - table["accuracy"][:, 0])
print(f"Test accuracy changes by {d_acc:+.3f} ± {se_acc:.3f}: smoothing here fixes the confidence, not the ranking.")

# %% [markdown]
# The hard-target network is confident far beyond its accuracy (the first row: mean confidence well above
# accuracy). A little smoothing brings the two together and cuts ECE and NLL; more smoothing overshoots into
# *under*-confidence and ECE climbs again: $\epsilon$ is a knob with a sweet spot, not a cure. The two
# conventions are the same targets on a stretched axis: their curves are one curve shifted by $10/9$.

# %% [markdown]
# **Takeaway.** Input noise and local connectivity change how gracefully a network degrades under
# corruption; weight noise adds, to first order, the sensitivity penalty $\eta\,\mathbb E\|\nabla_W \hat y\|^2$
# to the objective; on a network that overfits, input and weight noise of the right size raise the training
# error and lower the test error; label smoothing gives the softmax a finite target, bounding the logits, and,
# where the network is over-confident, lowers ECE and NLL, with a sweet spot in $\epsilon$. How much each helps
# is an empirical question: run the experiments below on Fashion-MNIST as well.
#
# **Verified by** `tests/regularize/s7_05_noise/test_gaussian_noise.py` and `tests/regularize/s7_12_dropout/test_dropout.py` (input noise, gradient checks with
# the draws replayed), `tests/regularize/s7_05_noise/test_weight_noise.py` (the noisy objective against `J + eta E||grad_W y^||^2`,
# bit-exact restore), `tests/core/test_losses.py` (both smoothing conventions by hand and by central differences),
# `tests/robust/test_corrupt.py`, `tests/robust/test_robustness.py`, `tests/robust/test_sparse_linear.py`, `tests/test_metrics.py`,
# `tests/plots/test_plots_aug_noise.py`. Full tables: `python experiments/robustness.py` and
# `python experiments/label_smoothing.py` (both take `--data fashion-mnist`).
