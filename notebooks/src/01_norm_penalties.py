# Source of notebooks/01_norm_penalties.ipynb -- edit here, then: python notebooks/build.py 01

# %% [markdown]
# # 01 · Parameter norm penalties (§7.1)
#
# **The book's claim.** Adding a penalty $\alpha\,\Omega(\theta)$ to the objective,
#
# $$\tilde J(\theta; X, y) = J(\theta; X, y) + \alpha\,\Omega(\theta), \qquad \alpha \ge 0 \qquad \text{(Eq. 7.1)}$$
#
# limits the capacity of the model. With $\Omega = \tfrac12\|w\|_2^2$ ($L^2$, weight decay) the minimum is
# *shrunk*, most along the directions the data care least about (Eq. 7.13); with $\Omega = \|w\|_1$ ($L^1$)
# it becomes *sparse*, with weights exactly zero (Eq. 7.23). $\Omega$ acts on the weights only: the biases
# stay unregularized. This notebook trains models with `nr.L2` and `nr.L1` and puts the trained weights
# next to the book's closed forms, `nr.analysis.l2_shrinkage` and `nr.analysis.l1_solution`.
#
# *Runs in about 30 s on two cores (most of it the 60 training runs of the sweep over $\alpha$ and seeds).*
#
# **On MNIST or Fashion-MNIST:** the last experiment (weight histograms) takes the real data by changing its loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files); the linear-regression parts need no data set.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

# %% [markdown]
# ## $L^2$: the update rule (Eq. 7.2–7.5)
#
# $$\tilde J(w) = \frac{\alpha}{2} w^\top w + J(w), \qquad \nabla_w \tilde J = \alpha w + \nabla_w J,$$
# $$w \leftarrow w - \epsilon(\alpha w + \nabla_w J) = (1 - \epsilon\alpha)\, w - \epsilon \nabla_w J .$$
#
# The weights are multiplied by $1 - \epsilon\alpha$ before the usual step: "weight decay". One step of
# plain SGD with `nr.L2(alpha)` in the seed's loop, checked against the right-hand side:

# %%
X_lin, y_lin, w_true = nr.analysis.make_correlated_regression(n=200, d=8, rho=0.8, noise=1.0, seed=0)
epsilon, alpha = 0.05, 0.5

model = nr.Sequential(nr.Linear(8, 1, bias=False), seed=0).astype(np.float64)
criterion = nr.MSELoss()
optimizer = nr.SGD(model.parameters(), lr=epsilon)
l2 = nr.L2(alpha)

w_before = model[0].W.data.copy()
optimizer.zero_grad()
output = model(X_lin)
loss = criterion(output, y_lin[:, None])
model.backward(criterion.backward())
grad_J = model[0].W.grad.copy()            # the data term's gradient
l2.add_grad(model.parameters())            # + alpha w           (Eq. 7.3)
optimizer.step()
expected = (1 - epsilon * alpha) * w_before - epsilon * grad_J
print("max |w_after - ((1 - eps alpha) w - eps grad J)| =", np.abs(model[0].W.data - expected).max())

# %% [markdown]
# ## $L^2$: where the minimum goes (Eq. 7.6–7.13)
#
# Near the unregularized minimum $w^* = \arg\min_w J(w)$, $J$ is the quadratic
# $\hat J(w) = J(w^*) + \frac12 (w - w^*)^\top H (w - w^*)$. Setting $\nabla_w(\hat J + \frac\alpha2\|w\|^2) = 0$:
#
# $$\alpha \tilde w + H(\tilde w - w^*) = 0 \;\Rightarrow\; \tilde w = (H + \alpha I)^{-1} H w^*
#   = Q(\Lambda + \alpha I)^{-1}\Lambda Q^\top w^* \qquad \text{(Eq. 7.10, 7.13)}$$
#
# with $H = Q\Lambda Q^\top$. Along the $i$-th eigenvector of $H$ the component of $w^*$ is multiplied by
# $\lambda_i / (\lambda_i + \alpha)$: directions of high curvature ($\lambda_i \gg \alpha$) are kept, those of
# low curvature ($\lambda_i \ll \alpha$) decay away.
#
# For linear regression with numreg's `MSELoss`, $J(w) = \frac1n\|Xw - y\|^2$ is exactly quadratic, with
# $H = \frac2n X^\top X$. We train it to convergence with full-batch gradient descent and `nr.L2(alpha)`,
# in float64, and compare with Eq. 7.13.

# %%
n = len(X_lin)
H = 2 / n * X_lin.T @ X_lin
w_star = np.linalg.lstsq(X_lin, y_lin, rcond=None)[0]
alpha = 1.0
lam = np.linalg.eigvalsh(H)
epsilon = 1 / (lam.max() + alpha)

model = nr.Sequential(nr.Linear(8, 1, bias=False), seed=0).astype(np.float64)
optimizer = nr.SGD(model.parameters(), lr=epsilon)
penalty = nr.L2(alpha)
model.train()
for step in range(3000):
    optimizer.zero_grad()
    output = model(X_lin)
    loss = criterion(output, y_lin[:, None])
    model.backward(criterion.backward())
    penalty.add_grad(model.parameters())
    optimizer.step()
w_trained = model[0].W.data[:, 0]

w_tilde, factors, Q = nr.analysis.l2_shrinkage(H, w_star, alpha, return_factors=True)
measured = (Q.T @ w_trained) / (Q.T @ w_star)
print(f"||w_trained - w~(Eq. 7.13)|| = {np.linalg.norm(w_trained - w_tilde):.2e}\n")
print(f"{'lambda_i':>9} {'lambda/(lambda+alpha)':>22} {'measured':>9}")
for l, f, m in zip(lam, factors, measured):
    print(f"{l:9.3f} {f:22.6f} {m:9.6f}")

# %%
fig = Figure(figsize=(6.4, 3.8), layout="constrained")
ax = fig.subplots()
grid = np.logspace(np.log10(lam.min()) - 1, np.log10(lam.max()) + 1, 200)
ax.semilogx(grid, grid / (grid + alpha), color=nr.plots.PALETTE[0], label=r"Eq. 7.13: $\lambda/(\lambda+\alpha)$")
ax.semilogx(lam, measured, "o", color=nr.plots.PALETTE[3], label=r"trained: $(Q^\top w)_i / (Q^\top w^*)_i$")
ax.axvline(alpha, color="grey", linestyle=":", label=r"$\lambda = \alpha$")
ax.set_xlabel(r"eigenvalue $\lambda_i$ of $H$ (curvature)")
ax.set_ylabel("shrinkage factor")
ax.set_title(f"L2 shrinks each eigendirection of H (alpha = {alpha})")
ax.legend()
fig

# %% [markdown]
# The book's Figure 7.1 shows the same in two dimensions: the regularized minimum $\tilde w$ is where a
# contour of $\hat J$ touches a contour of $\Omega$. Below, `nr.plots.figure_7_1` draws it from the closed
# forms, for $L^2$ (left, the book's figure: $w_1$, of low curvature, shrinks much more than $w_2$) and for
# $L^1$ (right: the contour touches the diamond at a corner, and $\tilde w_1 = 0$ exactly).

# %%
nr.plots.figure_7_1()

# %% [markdown]
# ## $L^1$: the soft threshold (Eq. 7.18–7.23)
#
# $\Omega(w) = \|w\|_1 = \sum_i |w_i|$ and $\nabla_w \tilde J = \alpha\,\operatorname{sign}(w) + \nabla_w J$
# (Eq. 7.20): the push towards 0 no longer shrinks with $w$. With a diagonal Hessian
# $H = \operatorname{diag}(H_{11}, \dots, H_{dd})$ (uncorrelated features) the quadratic problem separates,
#
# $$\hat J(w) + \alpha\|w\|_1 = J(w^*) + \sum_i \Big[\tfrac12 H_{ii}(w_i - w_i^*)^2 + \alpha|w_i|\Big] \qquad \text{(Eq. 7.22)}$$
#
# and each coordinate is soft-thresholded:
#
# $$w_i = \operatorname{sign}(w_i^*) \max\Big\{|w_i^*| - \frac{\alpha}{H_{ii}},\, 0\Big\} \qquad \text{(Eq. 7.23)}$$
#
# Every $w_i^*$ with $|w_i^*| \le \alpha / H_{ii}$ becomes exactly 0. We build a regression whose features
# are orthogonal, so that $H = \frac2n X^\top X$ is diagonal, and train it with `nr.L1(alpha)`. Its default
# `method="prox"` applies Eq. 7.23 itself after each gradient step on $J$ (proximal gradient descent), so the
# zeros are exact; `method="subgradient"` adds $\alpha\,\operatorname{sign}(w)$ to the gradient instead.

# %%
rng = np.random.default_rng(1)
d, n = 8, 200
H_diag = np.array([4.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.5, 0.5])
Q_n, _ = np.linalg.qr(rng.standard_normal((n, d)))
X_orth = Q_n * np.sqrt(n * H_diag / 2)             # so that 2/n X^T X = diag(H_diag)
w_star = np.array([1.5, -0.2, 0.8, -0.1, 1.2, 0.3, -0.9, 0.05])
y_orth = X_orth @ w_star
alpha = 0.5


def train_l1(method, steps=2000):
    model = nr.Sequential(nr.Linear(d, 1, bias=False), seed=0).astype(np.float64)
    optimizer = nr.SGD(model.parameters(), lr=0.1)
    penalty = nr.L1(alpha, method=method)
    for step in range(steps):
        optimizer.zero_grad()
        output = model(X_orth)
        loss = criterion(output, y_orth[:, None])
        model.backward(criterion.backward())
        penalty.add_grad(model.parameters())         # subgradient: + alpha sign(w); prox: nothing
        optimizer.step()
        penalty.prox(model.parameters(), optimizer.lr)   # prox: Eq. 7.23 with threshold lr * alpha
    return model[0].W.data[:, 0]


w_prox, w_sub = train_l1("prox"), train_l1("subgradient")
w_eq = nr.analysis.l1_solution(H_diag, w_star, alpha) + 0.0     # + 0.0: no "-0" in the table
print(f"{'w*_i':>6} {'alpha/H_ii':>10} {'Eq. 7.23':>9} {'prox':>12} {'subgradient':>12}")
for row in zip(w_star, alpha / H_diag, w_eq, w_prox, w_sub):
    print(f"{row[0]:6.2f} {row[1]:10.3f} {row[2]:9.4f} {row[3]:12.4g} {row[4]:12.4g}")
print(f"\nexact zeros: Eq. 7.23 {np.sum(w_eq == 0)}, prox {np.sum(w_prox == 0)}, subgradient {np.sum(w_sub == 0)};"
      f"  max |prox - Eq. 7.23| = {np.abs(w_prox - w_eq).max():.1e}")

# %% [markdown]
# The proximal iterates land on Eq. 7.23 with the same zeros; the subgradient iterates hover around 0
# (by about $\epsilon\alpha$ per step) without ever reaching it: the same penalty, a different optimizer.
#
# ## Regularization paths
#
# Along $\alpha$, on Tibshirani's correlated regression, the lasso ($L^1$) sets the coefficients to 0
# one by one while ridge ($L^2$) shrinks them all and zeroes none (`nr.plots.regularization_path`, from the
# exact solvers `nr.analysis.lasso` and `nr.analysis.ridge`; truly-zero coefficients dashed).

# %%
X_lin, y_lin, w_true = nr.analysis.make_correlated_regression(n=100, d=8, rho=0.8, seed=0)
nr.plots.regularization_path(X_lin, y_lin, w_true=w_true)

# %% [markdown]
# ## Does it generalize better? A network that can overfit
#
# The chapter defines regularization as "any modification we make to a learning algorithm that is intended
# to reduce its generalization error but not its training error". To *see* that, we need a model that
# overfits: here 20 noisy points of $y = \sin(3x) + \text{noise}$ (noise standard deviation 0.3, so no
# model can have a test mean squared error below $0.3^2 = 0.09$), and a tanh network with two hidden layers
# of 100 units, 10,301 parameters for 20 examples, trained full-batch with Adam for 1,500 steps. The test
# set is 1,000 fresh points from the same distribution; a separate validation set of 200 points picks the
# strength $\alpha$ (choosing it on the test set would flatter the result).
#
# Each **seed** draws its own training set, initialization and noise; the runs with and without a penalty
# share them, so that their difference is a *paired* comparison. $L^1$ here uses `method="subgradient"`:
# with Adam, the proximal step's threshold $\epsilon\alpha$ is not the threshold Adam's rescaled step calls for.

# %%
def noisy_sine(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    return x.astype(np.float32), (np.sin(3 * x) + 0.3 * rng.standard_normal((n, 1))).astype(np.float32)


X_test, y_test = noisy_sine(1000, seed=1000)
X_val, y_val = noisy_sine(200, seed=2000)
seeds = [0, 1, 2, 3, 4]
steps, every = 1500, 50
mse = nr.MSELoss()


class TestError(nr.Callback):
    """Records the training and test MSE every `every` epochs (here an epoch is one full-batch step)."""

    def __init__(self, train):
        self.train, self.train_error, self.test_error = train, [], []

    def on_epoch_end(self, state):
        if state.epoch % every == 0:
            self.train_error.append(mse(nr.predict(state.model, self.train[0]), self.train[1]))
            self.test_error.append(mse(nr.predict(state.model, X_test), y_test))


def train_regression(penalty, seed):
    """One run: the 20 training points of this seed, the network of this seed, the penalty (or None)."""
    X_train, y_train = noisy_sine(20, seed)
    model = nr.Sequential(nr.Linear(1, 100), nr.Tanh(), nr.Linear(100, 100), nr.Tanh(), nr.Linear(100, 1),
                          seed=seed)
    optimizer = nr.Adam(model.parameters(), lr=0.01)
    recorder = TestError((X_train, y_train))
    nr.fit(model, mse, optimizer, (X_train, y_train), epochs=steps, batch_size=20,
           penalties=[] if penalty is None else [penalty], callbacks=[recorder], seed=seed, verbose=False)
    return {"model": model, "train": np.array(recorder.train_error), "test": np.array(recorder.test_error),
            "val": mse(nr.predict(model, X_val), y_val)}


alphas = {"L2": [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1], "L1": [3e-4, 1e-3, 3e-3, 1e-2, 3e-2]}
make = {"L2": lambda a: nr.L2(a), "L1": lambda a: nr.L1(a, method="subgradient")}
none = [train_regression(None, s) for s in seeds]
sweep = {name: [[train_regression(make[name](a), s) for a in grid] for s in seeds] for name, grid in alphas.items()}

# %%
final = lambda runs, key: np.array([[r[key][-1] if key != "val" else r[key] for r in row] for row in runs])
best = {}
print(f"{'':10s} {'alpha':>7} {'train MSE':>16} {'test MSE':>16}   (mean ± SE over {len(seeds)} seeds)")
m, se = nr.plots.mean_se([r["train"][-1] for r in none]); mt, set_ = nr.plots.mean_se([r["test"][-1] for r in none])
print(f"{'none':10s} {0:7g} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}")
for name, grid in alphas.items():
    runs = sweep[name]
    train, test, val = final(runs, "train"), final(runs, "test"), final(runs, "val")
    best[name] = int(np.argmin(val.mean(axis=0)))                      # the sweet spot, on the validation set
    for j, a in enumerate(grid):
        (m, se), (mt, set_) = nr.plots.mean_se(train[:, j]), nr.plots.mean_se(test[:, j])
        mark = "  <- lowest validation MSE" if j == best[name] else ""
        print(f"{name:10s} {a:7g} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}{mark}")

# %%
fig = Figure(figsize=(13, 4), layout="constrained")
ax_fit, ax_curves, ax_sweep = fig.subplots(1, 3)
x_grid = np.linspace(-1, 1, 400, dtype=np.float32)[:, None]
X_train0, y_train0 = noisy_sine(20, seeds[0])
ax_fit.plot(x_grid, np.sin(3 * x_grid), color="grey", linewidth=3, alpha=0.4, label=r"truth $\sin(3x)$")
ax_fit.plot(X_train0, y_train0, "ko", markersize=4, label="the 20 training points")
fitted = {"no penalty": none[0]["model"]}
fitted.update({f"{name}, alpha = {alphas[name][best[name]]:g}": sweep[name][0][best[name]]["model"]
               for name in alphas})
for (name, model), color in zip(fitted.items(), nr.plots.PALETTE):
    ax_fit.plot(x_grid, nr.predict(model, x_grid), color=color, label=name)
ax_fit.set_ylim(-2, 2)
ax_fit.set_xlabel("x")
ax_fit.set_ylabel("y")
ax_fit.set_title(f"What the network learned (seed {seeds[0]})")
ax_fit.legend(fontsize=8)

curves = {"no penalty": (np.stack([r["train"] for r in none]), np.stack([r["test"] for r in none]))}
for name in alphas:
    runs = [row[best[name]] for row in sweep[name]]
    curves[f"{name}, alpha = {alphas[name][best[name]]:g}"] = (np.stack([r["train"] for r in runs]),
                                                               np.stack([r["test"] for r in runs]))
nr.plots.train_test_curves(curves, x=np.arange(every, steps + 1, every), ax=ax_curves, xlabel="full-batch Adam step", ylabel="mean squared error",
                           title=f"Training and test error ({len(seeds)} seeds, ± SE)", logy=True)
ax_curves.axhline(0.09, color="k", linestyle=":", linewidth=1)

for (name, grid), color in zip(alphas.items(), nr.plots.PALETTE[1:]):
    nr.plots.strength_sweep(grid, final(sweep[name], "test"), train=final(sweep[name], "train"),
                            baseline=[r["test"][-1] for r in none] if name == "L2" else None,
                            best=grid[best[name]], ax=ax_sweep, label=name, color=color, logy=True,
                            xlabel=r"penalty strength $\alpha$", ylabel=f"mean squared error after {steps:,} steps",
                            title="Under- and over-regularized: the sweet spot")
ax_sweep.axhline(0.09, color="k", linestyle=":", linewidth=1, label="noise floor 0.09")
ax_sweep.legend(fontsize=7)
fig

# %%
baseline_test = np.array([r["test"][-1] for r in none])
baseline_train = np.array([r["train"][-1] for r in none])
for name in alphas:
    runs = [row[best[name]] for row in sweep[name]]
    test = np.array([r["test"][-1] for r in runs])
    train = np.array([r["train"][-1] for r in runs])
    _, _, said = nr.plots.paired_effect(baseline_test, test, name=f"{name} (alpha = {alphas[name][best[name]]:g})",
                                        metric="test MSE", digits=4)
    d_train, se_train = nr.plots.mean_se(train - baseline_train)
    print(said)
    print(f"   ... while it raises the training MSE by {d_train:.4f} ± {se_train:.4f}: "
          f"the gap test - train shrinks from {np.mean(baseline_test - baseline_train):.4f} "
          f"to {np.mean(test - train):.4f}.\n")

# %% [markdown]
# Read the three panels together. Without a penalty the network threads the curve through every noisy
# training point: training error near 0, test error well above the noise floor, and growing as training goes
# on. With the penalty at the strength the validation set chose, the training error *rises* (it can no
# longer fit the noise) and the test error *falls*: regularization as the chapter defines it. The sweep shows
# that $\alpha$ is a knob with a sweet spot: too small changes little (the grey band is the test error without
# a penalty), too large under-fits (training and test
# error rise together). $L^1$ and $L^2$ reach similar test errors here; they differ in *which* solution they
# pick, as the next section shows.
#
# ## On the seed network: weight histograms
#
# The same contrast on the 784-128-128-10 network, trained with plain SGD (so that $L^1$'s proximal step is
# the textbook one) with no penalty, `nr.L2(1e-3)` and `nr.L1(5e-4)`, for 6 epochs on 2,000 digits: enough to
# see the *shape* of the weight distributions, far too short to overfit (this run is no test of generalization;
# the section above is). `nr.L2` and `nr.L1` select the
# parameters with `regularized=True`, the weight matrices; the biases are left out, as the book recommends
# (each bias controls a single unit, so leaving it free adds little variance):

# %%
print("penalized:", [p.name + str(p.shape) for p in nr.L2(1e-3).selected(nr.mlp(seed=0).parameters())])

(X, y), _ = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X, y = X[:2000], y[:2000]
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_fashion_mnist(), and more epochs

models = {}
for name, penalties in {"no penalty": [], "L2, alpha = 1e-3": [nr.L2(1e-3)],
                        "L1 (prox), alpha = 5e-4": [nr.L1(5e-4)]}.items():
    model = nr.mlp(seed=0)
    optimizer = nr.SGD(model.parameters(), lr=0.1)
    history = nr.fit(model, nr.SoftmaxCrossEntropy(), optimizer, (X, y), epochs=6, batch_size=64,
                     penalties=penalties, seed=0, verbose=False)
    w = np.concatenate([p.data.ravel() for p in model.parameters() if p.regularized])
    print(f"{name:24s} train J {history.train_data_loss[-1]:.3f}  "
          f"||w|| {np.linalg.norm(w):6.2f}  exact zeros {np.mean(w == 0):6.1%}")
    models[name] = model
nr.plots.weight_histograms(models)

# %% [markdown]
# ## The full picture on Fashion-MNIST (study 3, `results/strength_sweeps/`)
#
# The sweep above runs in seconds on font digits. The study behind it sweeps sixteen techniques of the chapter
# on Fashion-MNIST at 500, 2,000 and 8,000 images over 3 paired seeds (756 runs, about an hour on two cores:
# `python experiments/strength_sweeps.py --data fashion-mnist --sizes 500 2000 8000`; the `--quick` flag runs a
# reduced version in seconds). Its figure for 2,000 images, loaded from the records (test error solid, training
# error dashed, mean ± standard error; the grey band is the network without the technique), and the study's own
# verdicts, read from its output: which techniques lower the test error by more than twice the standard error of
# the paired difference, at which strength.

# %%
import matplotlib.pyplot as plt
image = plt.imread("../results/strength_sweeps/strength_sweeps_n2000.png")
fig, ax = plt.subplots(figsize=(13, 11))
ax.imshow(image)
ax.set_axis_off()

# %%
verdicts = open("../results/strength_sweeps/output.txt").read().split("paired against strength 0:")[1]
for line in verdicts.strip().splitlines():
    n, rest = line.split(":", 1)
    helped = "which exceeds" in rest and "(-" in rest       # lower test error, by more than 2 SE
    print(f"{n.strip():<22} {'> 2 SE ' if helped else '       '}{rest.split(' (')[0].strip()}")

# %% [markdown]
# **Takeaway.** Trained $L^2$ models land on Eq. 7.13, eigendirection by eigendirection; proximal $L^1$ lands
# on Eq. 7.23 with exactly the predicted zeros. On the network, $L^2$ pulls the weight distribution in and
# $L^1$ puts a spike of exact zeros at 0. On a network that overfits, both raise the training error with
# $\alpha$ and move the test error through a sweet spot; whether that spot beats the unregularized network by more
# than its seed-to-seed noise depends on the data and the optimizer -- the verdicts above say where it does, and the
# study's verdicts say where, on Fashion-MNIST with Adam, it does not.
#
# **Verified by** `tests/regularize/s7_01_norm_penalties/test_penalties.py` (values, central-difference gradients, the prox of Eq. 7.23),
# `tests/test_analysis.py` (SGD with `nr.L2` / `nr.L1` converges to Eq. 7.13 / Eq. 7.23),
# `tests/regularize/s7_01_norm_penalties/test_weight_decay.py` (Eq. 7.5 and `SGD(weight_decay=...)`), `tests/plots/test_plots_norms.py` (the figures).
# For the full tables run `python experiments/weight_histograms.py`, `python experiments/regularization_path.py`
# and `python experiments/bias_penalty.py` (each takes `--data fashion-mnist`).
