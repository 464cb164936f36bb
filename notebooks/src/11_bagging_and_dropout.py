# Source of notebooks/11_bagging_and_dropout.ipynb -- edit here, then: python notebooks/build.py 11

# %% [markdown]
# # 11 · Bagging (§7.11) and dropout (§7.12)
#
# **The book's claims.**
#
# - *Bagging.* $k$ models whose errors $\epsilon_i$ on an example have variance $\mathbb E[\epsilon_i^2] = v$ and
#   covariance $\mathbb E[\epsilon_i\epsilon_j] = c$; the error of their average has expected square
#
#   $$\mathbb E\Big[\Big(\frac1k\sum_i \epsilon_i\Big)^2\Big] = \frac1{k^2}\mathbb E\Big[\sum_i\Big(\epsilon_i^2 + \sum_{j \ne i}\epsilon_i\epsilon_j\Big)\Big]
#     = \frac1k v + \frac{k-1}{k} c. \qquad \text{(Eq. 7.50)}$$
#
#   Perfectly correlated errors ($c = v$) gain nothing; uncorrelated ones ($c = 0$) divide the error by $k$.
#   Bagging makes the errors less correlated by training each member on its own bootstrap resample (about 63%
#   of the examples, some repeated).
# - *Dropout* trains, with shared weights, the ensemble of all $2^d$ sub-networks obtained by removing units.
#   Its prediction would be $\sum_\mu p(\mu)\, p(y \mid \mathbf x, \mu)$, or the renormalized geometric mean
#   $\tilde p(y \mid \mathbf x) \propto \big(\prod_\mu p(y \mid \mathbf x, \mu)\big)^{1/2^d}$; the *weight scaling inference rule*
#   approximates it with one pass of the full network, its weights scaled by the keep probability. For softmax
#   regression the rule is exact; for deep networks it is an approximation that "works well empirically".
#
# - *Dropout's relatives* (§7.12): the mask need not be binary, nor act on units. Multiplying the units by
#   $\mu \sim \mathcal N(\mathbf 1, \sigma^2 I)$ "can outperform dropout based on binary masks" (Srivastava et al. 2014);
#   DropConnect (Wan et al. 2013) drops individual *weights*, each output unit seeing its own random subset of inputs.
#
# numreg's `Dropout` is inverted (it scales by $1/(1-p)$ in training), so the weight-scaling rule is just
# `model.eval()`; `nr.mc_dropout_predict` averages over sampled masks instead, and `nr.Bagging` trains and
# averages bootstrap members. `nr.GaussianDropout(p)` multiplies by $\mathcal N(1, p/(1-p))$, the mean and variance of
# dropout's scaled mask; `nr.DropConnect(p, in_features, out_features)` is a `Linear` whose $W$ is multiplied by a
# Bernoulli$(1-p)$ mask and $1/(1-p)$ in training (one mask per batch, or `per_example=True`), and is a plain `Linear`
# with the mean weights in evaluation.
#
# *Runs in about 35 s on two cores (about half of it the 21 training runs of the dropout sweep over rates and seeds).*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files); `python experiments/bagging.py --data fashion-mnist` and `python experiments/mc_dropout_vs_weight_scaling.py --data fashion-mnist` run the full versions.

# %%
%matplotlib inline
import itertools

import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_fashion_mnist()   (see the README)
criterion = nr.SoftmaxCrossEntropy()

# %% [markdown]
# ## Bagging the seed network
#
# Six copies of the seed network, each trained on its own bootstrap resample of 1,500 images. With
# $\epsilon_i = p_i(\mathbf x) - \text{onehot}(y)$ (each member's vector of probability errors),
# `Bagging.report` measures $v$, $c$, the ensemble's squared error and the book's prediction.

# %%
X_small, y_small = X[:1500], y[:1500]
bagging = nr.Bagging(lambda seed: nr.mlp(seed=seed), k=6, seed=0)
bagging.fit(X_small, y_small, epochs=20, batch_size=64)
report = bagging.report(X_test, y_test)
print(report)

# %% [markdown]
# Eq. 7.50 is an identity for means over the same examples, so the measured and predicted squared errors
# agree to rounding. The members' errors are strongly correlated ($\rho = c/v$ well above 0: they were trained
# on overlapping data with the same architecture), which caps what averaging can gain. The error of the first
# $k$ members' average against $k$, with the book's curve from the six members' $v$ and $c$:

# %%
members = bagging.member_proba(X_test)                    # (k, n, classes)
onehot = np.eye(10)[y_test]
ks = np.arange(1, len(members) + 1)
ensemble_sq_error = [np.mean(np.sum((members[:k].mean(axis=0) - onehot) ** 2, axis=1)) for k in ks]
member_sq_error = [np.mean(np.sum((p - onehot) ** 2, axis=1)) for p in members]
nr.plots.bagging_curve(ks, ensemble_sq_error, report.v, report.c, member_sq_error=member_sq_error,
                       title="Bagging six seed networks (1,500 images each)")

# %% [markdown]
# ## Dropout: the weight scaling rule is exact for softmax regression
#
# Softmax regression with dropout on its $d = 10$ inputs, $P(y \mid \mathbf v; \mathbf d) = \operatorname{softmax}\big(W^\top(\mathbf d \odot \mathbf v)/(1-p) + \mathbf b\big)_y$.
# The geometric mean of softmaxes is the softmax of the mean logits (the normalizers cancel after
# renormalizing), and the mean of the logits over all $2^{10}$ equally likely masks is $W^\top\mathbf v + \mathbf b$:
# what the network computes in evaluation mode. We enumerate the 1,024 masks and check:

# %%
d, p_drop = 10, 0.5
softmax_regression = nr.Sequential(nr.Dropout(p_drop), nr.Linear(d, 3), seed=0).astype(np.float64)
W, b = softmax_regression[1].W.data, softmax_regression[1].b.data
v = np.random.default_rng(0).standard_normal((5, d))                      # five inputs

masks = np.array(list(itertools.product([0, 1], repeat=d)), dtype=float)  # all 2^d masks, (1024, d)
logits = (v[:, None, :] * masks[None] / (1 - p_drop)) @ W + b              # (5, 1024, 3), every sub-network
log_p = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
geometric = np.exp(log_p.mean(axis=1))
geometric /= geometric.sum(axis=1, keepdims=True)                           # renormalized geometric mean
arithmetic = np.exp(log_p).mean(axis=1)                                     # sum_mu p(mu) p(y | x, mu)
weight_scaling = nr.softmax(nr.predict(softmax_regression, v))              # model.eval(): one pass

print("max |weight scaling - geometric mean over all masks| =", np.abs(weight_scaling - geometric).max())
print("max |weight scaling - arithmetic mean over all masks| =", np.abs(weight_scaling - arithmetic).max())
sampled = nr.mc_dropout_predict(softmax_regression, v, samples=4000, mean="geometric", seed=0)
print("max |geometric mean of 4,000 sampled masks - all masks| =", np.abs(sampled - geometric).max())

# %% [markdown]
# ## On the seed network: weight scaling against Monte Carlo
#
# For the 784-128-128-10 network with dropout 0.5 the rule is an approximation. We compare it with
# `nr.mc_dropout_predict` averaging $S$ sampled sub-networks (arithmetic mean, the ensemble's
# $\sum_\mu p(\mu)p(y \mid \mathbf x, \mu)$), by test error and negative log-likelihood.

# %%
model = nr.mlp(seed=0)
nr.fit(model, criterion, nr.Adam(model.parameters()), (X[:4000], y[:4000]), epochs=15, seed=0, verbose=False)
p_ws = nr.softmax(nr.predict(model, X_test))
ws_error, ws_nll = 1 - nr.metrics.accuracy(p_ws, y_test), nr.metrics.negative_log_likelihood(p_ws, y_test)
print(f"weight scaling (one pass):  error {ws_error:.3f}  NLL {ws_nll:.4f}")
samples = [1, 2, 5, 10, 30, 100]
mc_error, mc_nll = [], []
for S in samples:
    p_mc = nr.mc_dropout_predict(model, X_test, samples=S, seed=1)
    mc_error.append(1 - nr.metrics.accuracy(p_mc, y_test))
    mc_nll.append(nr.metrics.negative_log_likelihood(p_mc, y_test))
    print(f"Monte Carlo, S = {S:3d} masks:  error {mc_error[-1]:.3f}  NLL {mc_nll[-1]:.4f}")

fig = Figure(figsize=(9, 3.4), layout="constrained")
axes = fig.subplots(1, 2)
for ax, values, reference, label in ((axes[0], mc_error, ws_error, "test error"),
                                     (axes[1], mc_nll, ws_nll, "negative log-likelihood")):
    ax.semilogx(samples, values, "o-", color=nr.plots.PALETTE[0], label="Monte Carlo over S masks")
    ax.axhline(reference, color=nr.plots.PALETTE[3], linestyle="--", label="weight scaling (1 pass)")
    ax.set_xlabel("S, sampled sub-networks")
    ax.set_ylabel(label)
    ax.legend()
fig.suptitle("Dropout inference on the seed network")
fig

# %% [markdown]
# ## Dropout's relatives: Gaussian dropout and DropConnect
#
# The three noises have the same first two moments. For a unit $x$, dropout's $x\,m/(1-p)$ and Gaussian dropout's
# $x\,e$, $e \sim \mathcal N(1, p/(1-p))$, both have mean $x$ and variance $x^2\,p/(1-p)$. DropConnect's output unit
# $j$, $\sum_i x_i W_{ij} M_{ij}/(1-p) + b_j$, has mean $(\mathbf x^\top W)_j + b_j$ (the layer in evaluation mode) and
# variance $\frac{p}{1-p}\sum_i x_i^2 W_{ij}^2$. Measured over 20,000 draws, $p = 0.5$:

# %%
p_drop, draws = 0.5, 20_000
x_unit = np.array([1.0, -2.0, 0.5, 3.0])
batch = np.tile(x_unit, (draws, 1))
for name, layer in (("Dropout", nr.Dropout(p_drop, seed=0)), ("GaussianDropout", nr.GaussianDropout(p_drop, seed=0))):
    out = layer(batch)
    print(f"{name:16s} mean {np.round(out.mean(axis=0), 2)}  variance {np.round(out.var(axis=0), 2)}"
          f"   (x^2 p/(1-p) = {x_unit ** 2 * p_drop / (1 - p_drop)})")
connect = nr.DropConnect(p_drop, 4, 2, per_example=True, seed=0, dtype=np.float64)   # one mask per example
out = connect(batch)
W, b = connect.W.data, connect.b.data
print(f"DropConnect      mean {np.round(out.mean(axis=0), 3)} (x W + b = {np.round(x_unit @ W + b, 3)})  "
      f"variance {np.round(out.var(axis=0), 3)} (formula {np.round(p_drop / (1 - p_drop) * x_unit ** 2 @ W ** 2, 3)})")

# %% [markdown]
# ## Does dropout help? The rate swept, over seeds
#
# The chapter defines regularization as "any modification we make to a learning algorithm that is intended to
# reduce its generalization error but not its training error". To see dropout do that we take the regime where a
# network overfits: 500 training images (50 per class), the seed network's 784-128-128-10 ReLU shape, Adam for 100 epochs (400
# steps of 128 images). **The strength** is the drop rate $p$ after each hidden layer, with $0.4p$ on the input
# pixels (Srivastava et al. 2014 drop inputs less than hidden units); $p = 0$ is the plain network. Each run is
# repeated for 3 seeds (a seed draws the 500 images, the initialization and the batch order, shared by every
# rate); $p$ is chosen on 1,000 validation images apart from the training pool, and the test set is another
# 1,000. Errors are measured in evaluation mode (the weight-scaling rule), the training error on the training images.

# %%
X_pool, y_pool = X[:4000], y[:4000]                     # training sets are drawn from here
X_val, y_val = X[4000:], y[4000:]                       # chooses the rate
seeds, epochs, width = [0, 1, 2], 100, 128


class Errors(nr.Callback):
    """Records the training and test error (evaluation mode) every 10 epochs."""

    def __init__(self, train):
        self.train, self.train_error, self.test_error = train, [], []

    def on_epoch_end(self, state):
        if state.epoch % 10 == 0:
            self.train_error.append(1 - nr.evaluate(state.model, criterion, *self.train)[1])
            self.test_error.append(1 - nr.evaluate(state.model, criterion, X_test, y_test)[1])


def noisy_network(kind, p, seed):
    """784-128-128-10 with noise of rate p after each hidden layer and 0.4 p on the input (p = 0: no noise)."""
    if kind == "DropConnect":                            # masks the weights of the two hidden layers instead
        return nr.Sequential(nr.Flatten(), nr.DropConnect(0.4 * p, 784, width), nr.ReLU(),
                             nr.DropConnect(p, width, width), nr.ReLU(), nr.Linear(width, 10), seed=seed)
    noise = {"Dropout": nr.Dropout, "GaussianDropout": nr.GaussianDropout}[kind]
    maybe = lambda rate: [noise(rate)] if p > 0 else []
    return nr.Sequential(nr.Flatten(), *maybe(0.4 * p), nr.Linear(784, width), nr.ReLU(), *maybe(p),
                         nr.Linear(width, width), nr.ReLU(), *maybe(p), nr.Linear(width, 10), seed=seed)


def train_noisy(kind, p, seed):
    X_train, y_train = nr.data.subsample(X_pool, y_pool, 500, seed=seed)
    net = noisy_network(kind, p, seed)
    recorder = Errors((X_train, y_train))
    nr.fit(net, criterion, nr.Adam(net.parameters()), (X_train, y_train), epochs=epochs, batch_size=128,
           callbacks=[recorder], seed=seed, verbose=False)
    p_test = nr.softmax(nr.predict(net, X_test))
    return {"train": np.array(recorder.train_error), "test": np.array(recorder.test_error),
            "val": 1 - nr.evaluate(net, criterion, X_val, y_val)[1], "nll": nr.metrics.negative_log_likelihood(p_test, y_test)}


rates = [0.25, 0.5, 0.7, 0.85]
plain = [train_noisy("Dropout", 0.0, seed) for seed in seeds]
sweep = [[train_noisy("Dropout", p, seed) for p in rates] for seed in seeds]

train = np.array([[r["train"][-1] for r in row] for row in sweep])
test = np.array([[r["test"][-1] for r in row] for row in sweep])
best = int(np.argmin(np.mean([[r["val"] for r in row] for row in sweep], axis=0)))
print(f"{'rate p':>8} {'train error':>16} {'test error':>16}   (mean ± SE over {len(seeds)} seeds)")
(m, se), (mt, set_) = nr.plots.mean_se([r["train"][-1] for r in plain]), nr.plots.mean_se([r["test"][-1] for r in plain])
print(f"{'0':>8} {m:8.3f} ± {se:.3f} {mt:8.3f} ± {set_:.3f}")
for j, p in enumerate(rates):
    (m, se), (mt, set_) = nr.plots.mean_se(train[:, j]), nr.plots.mean_se(test[:, j])
    print(f"{p:8g} {m:8.3f} ± {se:.3f} {mt:8.3f} ± {set_:.3f}" + ("  <- lowest validation error" if j == best else ""))

# %%
fig = Figure(figsize=(12, 4), layout="constrained")
ax_curves, ax_sweep = fig.subplots(1, 2)
best_name = f"dropout, p = {rates[best]:g}"
curves = {"no dropout": (np.stack([r["train"] for r in plain]), np.stack([r["test"] for r in plain])),
          best_name: (np.stack([row[best]["train"] for row in sweep]), np.stack([row[best]["test"] for row in sweep]))}
nr.plots.train_test_curves(curves, x=np.arange(10, epochs + 1, 10), ax=ax_curves, xlabel="epoch (4 Adam steps each)",
                           ylabel="classification error",
                           title=f"500 training images: training and test error ({len(seeds)} seeds, ± SE)")
nr.plots.strength_sweep(rates, test, train=train, baseline=[r["test"][-1] for r in plain], best=rates[best],
                        ax=ax_sweep, label="dropout", color=nr.plots.PALETTE[1],
                        xlabel="drop rate p (hidden units; 0.4 p on the input)",
                        ylabel=f"error after {epochs} epochs", title="Too little, just right, too much")
fig

# %%
_, _, said = nr.plots.paired_effect([r["test"][-1] for r in plain], test[:, best], name=best_name, metric="test error")
d_train, se_train = nr.plots.mean_se(train[:, best] - np.array([r["train"][-1] for r in plain]))
print(said)
print(f"   ... while the training error changes by {d_train:+.3f} ± {se_train:.3f} "
      f"(no dropout: {np.mean([r['train'][-1] for r in plain]):.3f}).")
worst = int(np.argmax(test.mean(axis=0)))
print(f"Across the sweep the test error runs from {test.mean(axis=0).min():.3f} (p = {rates[int(np.argmin(test.mean(axis=0)))]:g}) "
      f"to {test.mean(axis=0).max():.3f} (p = {rates[worst]:g}); without dropout it is "
      f"{np.mean([r['test'][-1] for r in plain]):.3f}.")

# %% [markdown]
# ## Gaussian dropout and DropConnect at the same rate
#
# The same 500 images, seeds and batch orders, with the chosen rate: Gaussian dropout in place of each
# dropout layer, and DropConnect on the weights of the two hidden layers (rate $0.4p$ on the first, $p$ on the
# second; the output layer is a plain `Linear` in every variant). Each is compared, seed by seed, with the
# network without noise:

# %%
p_best = rates[best]
relatives = {"Dropout": [row[best] for row in sweep]}
relatives["GaussianDropout"] = [train_noisy("GaussianDropout", p_best, seed) for seed in seeds]
relatives["DropConnect"] = [train_noisy("DropConnect", p_best, seed) for seed in seeds]
(m0, s0), (n0, sn0) = nr.plots.mean_se([r["test"][-1] for r in plain]), nr.plots.mean_se([r["nll"] for r in plain])
print(f"{'no noise':16s} test error {m0:.3f} ± {s0:.3f}   NLL {n0:.3f} ± {sn0:.3f}")
for kind, runs in relatives.items():
    (m, se), (n, sn) = nr.plots.mean_se([r["test"][-1] for r in runs]), nr.plots.mean_se([r["nll"] for r in runs])
    print(f"{kind:16s} test error {m:.3f} ± {se:.3f}   NLL {n:.3f} ± {sn:.3f}")
for kind, runs in relatives.items():
    print(nr.plots.paired_effect([r["test"][-1] for r in plain], [r["test"][-1] for r in runs],
                                 name=f"{kind} (p = {p_best:g})", metric="test error")[2])

# %% [markdown]
# Without dropout the network fits its 500 images exactly within about 30 epochs and its test error stops
# improving; with dropout at the chosen rate the training error falls more slowly and ends near 0 too (measured
# with the weight-scaling rule), while the test error keeps falling and ends lower: the regularizer closes part of
# the gap between the two without fitting the training set worse in the end. The sweep shows the knob: a small rate helps a little, a moderate one most, and at the largest the
# network can no longer fit its training images and the test error rises above the plain network's (the table
# above). Gaussian noise with dropout's mean and variance is compared with dropout, and DropConnect (masking weights
# rather than units) at the same rate; the sentences printed by the code say which of these differences exceed
# twice their standard error, and which cannot be told from seed-to-seed noise.
#
# **Takeaway.** Averaging models helps by as much as their errors are uncorrelated, exactly as Eq. 7.50 says.
# Dropout's ensemble is evaluated in one pass by the weight-scaling rule, exact for softmax regression and, on
# the deep network here, at least as good as averaging 100 sampled sub-networks, at a hundredth of the cost.
# In a regime that overfits (500 images, no other regularizer) the rate matters: too little does little, too
# much under-fits, and the rate chosen on validation images lowers the test error by the amount printed above.
# The binary mask is not essential (compare Gaussian noise of the same variance above), and masking weights
# instead of units (DropConnect) is another member of the family, whose effect here the printed verdict gives.
#
# **Verified by** `tests/regularize/s7_11_bagging/test_bagging.py` (about two thirds distinct examples per resample, the report worked by
# hand, determinism), `tests/regularize/s7_12_dropout/test_dropout_ensemble.py` (weight scaling equals the geometric mean over all masks,
# sampled means converge, modes and generators restored), `tests/regularize/s7_12_dropout/test_dropout.py` (keep rate, scaling, the same
# mask in backward), `tests/regularize/s7_12_dropout/test_gaussian_dropout.py` and `tests/regularize/s7_12_dropout/test_dropconnect.py` (the
# moments, float64 gradient checks with the draws replayed, a check that fails if DropConnect's backward leaves out
# the mask, training with `fit`). Full tables: `python experiments/bagging.py` and
# `python experiments/mc_dropout_vs_weight_scaling.py` (both take `--data fashion-mnist`).
