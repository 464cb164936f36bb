# Source of notebooks/02_constrained_optimization.ipynb -- edit here, then: python notebooks/build.py 02

# %% [markdown]
# # 02 · Norm penalties as constrained optimization (§7.2)
#
# **The book's claim.** Minimizing $J$ under a constraint $\Omega(\theta) \le k$ is the same as minimizing
# the penalized $J + \alpha^*\Omega$ for one particular $\alpha^*$, the multiplier of the constraint. The
# generalized Lagrangian (§4.4) is
#
# $$\mathcal L(\theta, \alpha; X, y) = J(\theta; X, y) + \alpha\big(\Omega(\theta) - k\big) \qquad \text{(Eq. 7.25)}$$
#
# $$\theta^* = \arg\min_\theta \max_{\alpha \ge 0} \mathcal L(\theta, \alpha) \qquad \text{(Eq. 7.26)}$$
#
# and at the solution, with $\alpha^*$ fixed, $\theta^* = \arg\min_\theta J(\theta) + \alpha^*\Omega(\theta)$ (Eq. 7.27). The KKT
# conditions hold: $\Omega(\theta^*) \le k$, $\alpha^* \ge 0$, $\alpha^*(\Omega(\theta^*) - k) = 0$ (complementary
# slackness), $\nabla_\theta \mathcal L(\theta^*, \alpha^*) = 0$. A tight constraint (small $k$) means a large
# $\alpha^*$; an inactive one ($k$ larger than $\|w^*\|$) means $\alpha^* = 0$.
#
# The book also recommends *explicit* constraints with reprojection: take a gradient step on $J$, then
# project $\theta$ back onto $\{\Omega(\theta) \le k\}$. `nr.NormBall(k)` projects onto $\|w\|_2 \le k$ (i.e.
# $\Omega = \frac12\|w\|^2 \le \frac12 k^2$) and `nr.MaxNorm(c)` onto $\|W_{:,j}\|_2 \le c$ for every unit $j$
# (Hinton et al. 2012); `nr.fit(..., constraints=[...])` applies them after every step.
#
# *Runs in about 25 s on two cores (most of it the 40 training runs of the max-norm sweep).*

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

# %% [markdown]
# ## Projected gradient descent lands on the penalized solution at $\alpha^*$
#
# Linear regression, $J(w) = \frac1n\|Xw - y\|^2$, so $H = \frac2n X^\top X$ and $w^*$ is the least-squares
# solution. For each radius $k$ we run the seed's loop with a projection after each step, and compare with
# $\tilde w(\alpha^*) = (H + \alpha^* I)^{-1} H w^*$ (Eq. 7.13), where `nr.analysis.constrained_alpha` finds the
# $\alpha^*$ that puts $\tilde w(\alpha)$ on the sphere $\|w\| = k$ (or 0 when $\|w^*\| \le k$).

# %%
X_lin, y_lin, w_true = nr.analysis.make_correlated_regression(n=200, d=8, rho=0.8, seed=0)
n, d = X_lin.shape
H = 2 / n * X_lin.T @ X_lin
w_star = np.linalg.lstsq(X_lin, y_lin, rcond=None)[0]
epsilon = 1 / np.linalg.eigvalsh(H).max()
criterion = nr.MSELoss()


def projected_gradient_descent(X, y, constraint, steps, record=False):
    model = nr.Sequential(nr.Linear(X.shape[1], 1, bias=False), seed=0).astype(np.float64)
    model[0].W.data[...] = 0                      # start from w = 0
    optimizer = nr.SGD(model.parameters(), lr=epsilon)
    path = [model[0].W.data[:, 0].copy()]
    for step in range(steps):
        optimizer.zero_grad()
        output = model(X)
        loss = criterion(output, y[:, None])
        model.backward(criterion.backward())
        optimizer.step()
        constraint.project(model.parameters())    # back onto the ball
        if record:
            path.append(model[0].W.data[:, 0].copy())
    return model[0].W.data[:, 0].copy(), np.array(path)


print(f"||w*|| = {np.linalg.norm(w_star):.4f}\n")
print(f"{'k':>6} {'alpha*':>8} {'||w_pgd||':>9} {'||w_pgd - w~(alpha*)||':>22} "
      f"{'|alpha*(||w||-k)|':>17} {'||grad L||':>10}")
for k in np.array([0.25, 0.5, 0.75, 0.9, 1.25]) * np.linalg.norm(w_star):
    w_pgd, _ = projected_gradient_descent(X_lin, y_lin, nr.NormBall(k), steps=5000)
    alpha_star = nr.analysis.constrained_alpha(H, w_star, k)
    w_tilde = nr.analysis.l2_shrinkage(H, w_star, alpha_star)
    grad_L = H @ (w_pgd - w_star) + alpha_star * w_pgd          # gradient of the Lagrangian at (w, alpha*)
    print(f"{k:6.3f} {alpha_star:8.4f} {np.linalg.norm(w_pgd):9.4f} {np.linalg.norm(w_pgd - w_tilde):22.1e} "
          f"{abs(alpha_star * (np.linalg.norm(w_pgd) - k)):17.1e} {np.linalg.norm(grad_L):10.1e}")

# %% [markdown]
# Each row satisfies the KKT conditions to rounding error: the projected iterates sit on the sphere when
# the constraint is active ($\alpha^* > 0$), at $w^*$ when it is not (last row), and the gradient of the
# Lagrangian vanishes there. $\alpha^*$ grows as $k$ shrinks.
#
# ## The picture in two dimensions
#
# With two features we can draw it: the contours of $\hat J$, the ball $\|w\| \le k$, the projected-gradient
# iterates (which run into the ball's boundary and then slide along it), and the path of $L^2$ solutions
# $\tilde w(\alpha)$, $\alpha$ from $\infty$ (at 0) to 0 (at $w^*$). The iterates stop where the path crosses
# the circle: at $\tilde w(\alpha^*)$.

# %%
rng = np.random.default_rng(0)
H2 = np.array([[1.0, 0.45], [0.45, 0.35]])
w_star2 = np.array([2.0, 1.6])
Q_n, _ = np.linalg.qr(rng.standard_normal((100, 2)))
evals, evecs = np.linalg.eigh(H2)
X2 = Q_n @ (evecs * np.sqrt(100 * evals / 2)) @ evecs.T        # 2/n X^T X = H2
y2 = X2 @ w_star2
k = 1.2
epsilon = 1 / evals.max()
w_end, path = projected_gradient_descent(X2, y2, nr.NormBall(k), steps=60, record=True)
alpha_star = nr.analysis.constrained_alpha(H2, w_star2, k)
w_tilde = nr.analysis.l2_shrinkage(H2, w_star2, alpha_star)
l2_path = np.array([nr.analysis.l2_shrinkage(H2, w_star2, a) for a in np.logspace(-3, 3, 200)])

fig = Figure(figsize=(6, 5), layout="constrained")
ax = fig.subplots()
g = np.linspace(-0.8, 3.2, 200)
W1, W2 = np.meshgrid(g, g)
D = np.stack([W1 - w_star2[0], W2 - w_star2[1]])
J_hat = 0.5 * np.einsum("i...,ij,j...->...", D, H2, D)
ax.contour(W1, W2, J_hat, levels=np.geomspace(0.02, 4, 8), colors=nr.plots.PALETTE[0], linewidths=1)
t = np.linspace(0, 2 * np.pi, 200)
ax.plot(k * np.cos(t), k * np.sin(t), color=nr.plots.PALETTE[1], linewidth=2, label=f"||w|| = k = {k}")
ax.plot(*l2_path.T, color=nr.plots.PALETTE[2], linestyle="--", label=r"L2 path $\tilde w(\alpha)$ (Eq. 7.13)")
ax.plot(*path.T, ".-", color=nr.plots.PALETTE[3], markersize=4, linewidth=1, label="projected gradient descent")
ax.plot(*w_star2, "k*", markersize=12, label=r"$w^*$")
ax.plot(*w_tilde, "o", markerfacecolor="none", markeredgecolor="k", markersize=12,
        label=rf"$\tilde w(\alpha^*)$, $\alpha^*$ = {alpha_star:.3f}")
ax.set_aspect("equal")
ax.set_xlabel("$w_1$")
ax.set_ylabel("$w_2$")
ax.set_title("A norm constraint is an L2 penalty with weight alpha*")
ax.legend(loc="lower right", fontsize=8)
print(f"last iterate {w_end}, w~(alpha*) {w_tilde}, distance {np.linalg.norm(w_end - w_tilde):.1e}")
fig

# %% [markdown]
# ## Max-norm on the seed network
#
# Hinton et al. (2012) and Srivastava et al. (2014) constrain each hidden unit's *incoming* weight vector,
# not the whole matrix: for `Linear`, which computes $xW + b$, that is each **column** of $W$,
# $W_{:,j} \leftarrow W_{:,j}\min\big(1, c / \|W_{:,j}\|\big)$. Without a penalty pulling every weight down,
# a unit is only stopped from growing large. We train the seed network with Adam at a large learning rate
# (0.01, ten times the default) with and without `nr.MaxNorm(c=2)` (Srivastava et al. use $c$ from 3 to 4)
# and look at the column norms. What the constraint guarantees is the bound. These 8 epochs on 4,000 images
# are too short for the network to overfit, so they are no test of generalization: the next section is.
#
# **On MNIST / Fashion-MNIST**: replace the loading line by `nr.data.load_fashion_mnist()` and raise `epochs`.

# %%
(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
train, valid = nr.data.train_valid_split(X, y, valid_fraction=0.2, seed=0)
criterion = nr.SoftmaxCrossEntropy()
max_norm = nr.MaxNorm(2.0)
models = {}
for name, constraints in {"no constraint": [], "MaxNorm(c = 2)": [max_norm]}.items():
    model = nr.mlp(seed=0)
    optimizer = nr.Adam(model.parameters(), lr=1e-2)
    history = nr.fit(model, criterion, optimizer, train, valid, epochs=8, batch_size=256,
                     constraints=constraints, seed=0, verbose=False)
    norms = max_norm.column_norms(model.parameters())
    print(f"{name:17s} largest column norm per layer: "
          + ", ".join(f"{v.max():.2f}" for v in norms))
    models[name] = norms

fig = Figure(figsize=(10, 3.2), layout="constrained")
axes = fig.subplots(1, 3)
for i, ax in enumerate(axes):
    for (name, norms), color in zip(models.items(), nr.plots.PALETTE):
        ax.hist(norms[i], bins=30, alpha=0.6, color=color, label=name)
    ax.axvline(max_norm.c, color="k", linestyle=":", label="c")
    ax.set_title(f"layer {i + 1}: {len(norms[i])} units")
    ax.set_xlabel(r"$\|W_{:,j}\|_2$ (incoming weights of unit j)")
axes[0].set_ylabel("units")
axes[0].legend(fontsize=8)
fig

# %% [markdown]
# ## Does max-norm generalize better? A network that can overfit
#
# Regularization, in the chapter's words, is "any modification we make to a learning algorithm that is
# intended to reduce its generalization error but not its training error". To see it we need a network that
# overfits: as in notebook 01, 20 noisy points of $y = \sin(3x) + \text{noise}$ (noise standard deviation 0.3:
# no model's test mean squared error can go below $0.3^2 = 0.09$), a tanh network with two hidden layers of
# 100 units, full-batch Adam for 1,500 steps, with and without `nr.MaxNorm(c)` applied after every step. A
# smaller $c$ is a *stronger* constraint: every unit's incoming weights stay in a ball of radius $c$, which
# bounds how steeply the unit's output can change with its input. A validation set of 200 points picks $c$;
# the test set is 1,000 fresh points. Each seed draws its own training points and initialization, shared by
# the runs with and without the constraint (a paired comparison).

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


def train_regression(c, seed):
    """One run on the 20 training points of this seed; c = None: no constraint."""
    X_train, y_train = noisy_sine(20, seed)
    model = nr.Sequential(nr.Linear(1, 100), nr.Tanh(), nr.Linear(100, 100), nr.Tanh(), nr.Linear(100, 1),
                          seed=seed)
    optimizer = nr.Adam(model.parameters(), lr=0.01)
    recorder = TestError((X_train, y_train))
    nr.fit(model, mse, optimizer, (X_train, y_train), epochs=steps, batch_size=20,
           constraints=[] if c is None else [nr.MaxNorm(c)], callbacks=[recorder], seed=seed, verbose=False)
    return {"model": model, "train": np.array(recorder.train_error), "test": np.array(recorder.test_error),
            "val": mse(nr.predict(model, X_val), y_val)}


c_grid = [0.25, 0.35, 0.5, 0.7, 1.0, 2.0, 4.0]
none = [train_regression(None, s) for s in seeds]
sweep = [[train_regression(c, s) for c in c_grid] for s in seeds]          # sweep[seed][j]: c = c_grid[j]

train = np.array([[r["train"][-1] for r in row] for row in sweep])
test = np.array([[r["test"][-1] for r in row] for row in sweep])
val = np.array([[r["val"] for r in row] for row in sweep])
best = int(np.argmin(val.mean(axis=0)))                                     # the sweet spot, on validation
print(f"{'c':>15} {'train MSE':>16} {'test MSE':>16}   (mean ± SE over {len(seeds)} seeds)")
(m, se), (mt, set_) = nr.plots.mean_se([r["train"][-1] for r in none]), nr.plots.mean_se([r["test"][-1] for r in none])
print(f"{'no constraint':>15} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}")
for j, c in enumerate(c_grid):
    (m, se), (mt, set_) = nr.plots.mean_se(train[:, j]), nr.plots.mean_se(test[:, j])
    print(f"{c:15g} {m:8.4f} ± {se:.4f} {mt:8.4f} ± {set_:.4f}" + ("  <- lowest validation MSE" if j == best else ""))

# %%
fig = Figure(figsize=(13, 4), layout="constrained")
ax_fit, ax_curves, ax_sweep = fig.subplots(1, 3)
x_grid = np.linspace(-1, 1, 400, dtype=np.float32)[:, None]
X_train0, y_train0 = noisy_sine(20, seeds[0])
ax_fit.plot(x_grid, np.sin(3 * x_grid), color="grey", linewidth=3, alpha=0.4, label=r"truth $\sin(3x)$")
ax_fit.plot(X_train0, y_train0, "ko", markersize=4, label="the 20 training points")
for (name, model), color in zip({"no constraint": none[0]["model"],
                                 f"MaxNorm(c = {c_grid[best]:g})": sweep[0][best]["model"]}.items(), nr.plots.PALETTE):
    ax_fit.plot(x_grid, nr.predict(model, x_grid), color=color, label=name)
ax_fit.set_ylim(-2, 2)
ax_fit.set_xlabel("x")
ax_fit.set_ylabel("y")
ax_fit.set_title(f"What the network learned (seed {seeds[0]})")
ax_fit.legend(fontsize=8)

curves = {"no constraint": (np.stack([r["train"] for r in none]), np.stack([r["test"] for r in none])),
          f"MaxNorm(c = {c_grid[best]:g})": (np.stack([row[best]["train"] for row in sweep]),
                                             np.stack([row[best]["test"] for row in sweep]))}
nr.plots.train_test_curves(curves, x=np.arange(every, steps + 1, every), ax=ax_curves,
                           xlabel="full-batch Adam step", ylabel="mean squared error",
                           title=f"Training and test error ({len(seeds)} seeds, ± SE)", logy=True)
ax_curves.axhline(0.09, color="k", linestyle=":", linewidth=1)

nr.plots.strength_sweep(c_grid, test, train=train, baseline=[r["test"][-1] for r in none], best=c_grid[best],
                        ax=ax_sweep, label="MaxNorm", color=nr.plots.PALETTE[1], logy=True,
                        xlabel="max-norm radius c (smaller = stronger constraint)",
                        ylabel=f"mean squared error after {steps:,} steps", title="Too tight, just right, too loose")
ax_sweep.axhline(0.09, color="k", linestyle=":", linewidth=1, label="noise floor 0.09")
ax_sweep.legend(fontsize=7)
fig

# %%
baseline_test = np.array([r["test"][-1] for r in none])
baseline_train = np.array([r["train"][-1] for r in none])
_, _, said = nr.plots.paired_effect(baseline_test, test[:, best], name=f"MaxNorm(c = {c_grid[best]:g})",
                                    metric="test MSE", digits=4)
d_train, se_train = nr.plots.mean_se(train[:, best] - baseline_train)
print(said)
print(f"   ... while it raises the training MSE by {d_train:.4f} ± {se_train:.4f}: the gap test - train shrinks "
      f"from {np.mean(baseline_test - baseline_train):.4f} to {np.mean(test[:, best] - train[:, best]):.4f}.")

# %% [markdown]
# Without the constraint the network threads its curve through the noisy points (training error near 0, test
# error high and rising with training). With $c$ chosen on the validation set, the training error rises and
# the test error falls. The sweep is the classic U: a very tight ball cannot even fit the sine (training and
# test error both high), and from $c = 2$ on the constraint no longer holds the network back: its test error is
# back at (on average even above) the unconstrained one, with a large spread over seeds.
#
# **Takeaway.** A norm constraint and a norm penalty are two descriptions of one solution: projected
# gradient descent with `nr.NormBall(k)` stops exactly at the $L^2$ solution for the KKT multiplier $\alpha^*$
# that `nr.analysis.constrained_alpha` computes. `nr.MaxNorm` caps every unit's incoming weight vector at $c$.
#
# **Verified by** `tests/regularize/s7_02_constraints/test_constraints.py` (projections, the nearest feasible point, fit keeping every
# unit within $c$, projected gradient descent reaching $\tilde w(\alpha^*)$) and `tests/test_analysis.py`
# (`constrained_alpha` by hand). `python experiments/regularization_path.py` repeats the duality check on real
# image data (`--data fashion-mnist`).
