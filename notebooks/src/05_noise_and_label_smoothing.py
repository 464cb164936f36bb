# Source of notebooks/05_noise_and_label_smoothing.ipynb -- edit here, then: python notebooks/build.py 05

# %% [markdown]
# # 4 · Noise robustness and label smoothing (§7.5)
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
# *Runs in about 15 s on two cores.*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files) and train for more epochs; `python experiments/robustness.py --data fashion-mnist` and `python experiments/label_smoothing.py --data fashion-mnist` run the full comparisons.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X, y = X[:4000], y[:4000]
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_fashion_mnist()   (see the README)
criterion = nr.SoftmaxCrossEntropy()

# %% [markdown]
# ## 1. Input noise and robustness to corruptions never seen in training
#
# Tang & Eliasmith (the paper in the seed's slides) found networks fragile under occlusion and noise, and a
# sparse, locally connected first layer more robust. We train three versions of the seed network (without
# dropout) on clean images only:
#
# - **dense**: fully connected, no regularization;
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
# Trained *with* the noise (`nr.fit(..., weight_noise=nr.WeightNoise(eta))`), the network should end where
# that sensitivity is lower, a flatter minimum, at the price of a higher $J$. Same network, same data, same
# steps:

# %%
for name, noise in {"plain": None, "WeightNoise(eta = 3e-3)": nr.WeightNoise(3e-3, seed=1)}.items():
    net = nr.Sequential(nr.Linear(5, 32), nr.Tanh(), nr.Linear(32, 1), seed=0).astype(np.float64)
    nr.fit(net, mse, nr.Adam(net.parameters(), lr=1e-2), (X_reg, y_reg), epochs=300, batch_size=32,
           weight_noise=noise, seed=0, verbose=False)
    sensitivity = nr.analysis.weight_noise_penalty(net, X_reg, 1.0)
    print(f"{name:24s} J = {mse(nr.predict(net, X_reg), y_reg):.5f}   E||grad_W y^||^2 = {sensitivity:.3f}")

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
# ### Calibration
#
# The same mechanism keeps a network's confidence in check. The seed network *without* dropout, trained
# for 60 epochs on 1,000 images, becomes over-confident: its mean confidence exceeds its accuracy. The
# reliability diagram plots accuracy against confidence per bin (the diagonal is perfect calibration); the
# expected calibration error (ECE) is the bin-weighted mean gap. Smoothing lowers the confidence, and too
# much of it overshoots into *under*-confidence: $\epsilon$ is a knob, not a cure.

# %%
X_1000, y_1000 = nr.data.subsample(X, y, 1000, seed=0)
probs = {}
for eps in (0.0, 0.05, 0.1):
    model = nr.mlp(dropout=0, seed=0)
    loss_fn = nr.SoftmaxCrossEntropy(label_smoothing=eps)
    nr.fit(model, loss_fn, nr.Adam(model.parameters()), (X_1000, y_1000), epochs=60, batch_size=256,
           seed=0, verbose=False)
    p = nr.softmax(nr.predict(model, X_test))
    name = f"eps = {eps}"
    probs[name] = p
    print(f"{name:10s} accuracy {nr.metrics.accuracy(p, y_test):.3f}   "
          f"ECE {nr.metrics.expected_calibration_error(p, y_test):.3f}   "
          f"NLL {nr.metrics.negative_log_likelihood(p, y_test):.3f}   mean confidence {p.max(axis=1).mean():.3f}")
nr.plots.reliability_diagram(probs, y_test, title="Seed network without dropout, 1,000 images, 60 epochs")

# %% [markdown]
# **Takeaway.** Input noise and local connectivity change how gracefully a network degrades under
# corruption; weight noise adds, to first order, the sensitivity penalty $\eta\,\mathbb E\|\nabla_W \hat y\|^2$
# to the objective, and training with it trades a higher $J$ for a less sensitive network; label smoothing
# gives the softmax a finite target, bounding the logits, and lowers the confidence (here $\epsilon = 0.05$
# calibrates best and $0.1$ overshoots). How much each helps is an empirical question: run the experiments
# below on Fashion-MNIST as well.
#
# **Verified by** `tests/test_gaussian_noise.py` and `tests/test_dropout.py` (input noise, gradient checks with
# the draws replayed), `tests/test_weight_noise.py` (the noisy objective against `J + eta E||grad_W y^||^2`,
# bit-exact restore), `tests/test_losses.py` (both smoothing conventions by hand and by central differences),
# `tests/test_corrupt.py`, `tests/test_robustness.py`, `tests/test_sparse_linear.py`, `tests/test_metrics.py`,
# `tests/test_plots_aug_noise.py`. Full tables: `python experiments/robustness.py` and
# `python experiments/label_smoothing.py` (both take `--data fashion-mnist`).
