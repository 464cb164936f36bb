# Source of notebooks/01_norm_penalties.ipynb -- edit here, then: python notebooks/build.py 01

# %% [markdown]
# # 1 · Parameter norm penalties (§7.1)
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
# *Runs in about 10 s on two cores.*
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
# ## On the seed network: weight histograms
#
# The same contrast on the 784-128-128-10 network, trained with plain SGD (so that $L^1$'s proximal step is
# the textbook one) with no penalty, `nr.L2(1e-3)` and `nr.L1(5e-4)`. `nr.L2` and `nr.L1` select the
# parameters with `regularized=True`, the weight matrices; the biases are left out, as the book recommends
# (each bias controls a single unit, so leaving it free adds little variance):

# %%
print("penalized:", [p.name + str(p.shape) for p in nr.L2(1e-3).selected(nr.mlp(seed=0).parameters())])

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X, y = X[:2000], y[:2000]
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_fashion_mnist(), and more epochs

models = {}
for name, penalties in {"no penalty": [], "L2, alpha = 1e-3": [nr.L2(1e-3)],
                        "L1 (prox), alpha = 5e-4": [nr.L1(5e-4)]}.items():
    model = nr.mlp(seed=0)
    optimizer = nr.SGD(model.parameters(), lr=0.1)
    history = nr.fit(model, nr.SoftmaxCrossEntropy(), optimizer, (X, y), epochs=6, batch_size=64,
                     penalties=penalties, seed=0, verbose=False)
    _, accuracy = nr.evaluate(model, nr.SoftmaxCrossEntropy(), X_test, y_test)
    w = np.concatenate([p.data.ravel() for p in model.parameters() if p.regularized])
    print(f"{name:24s} train J {history.train_data_loss[-1]:.3f}  test accuracy {accuracy:.3f}  "
          f"||w|| {np.linalg.norm(w):6.2f}  exact zeros {np.mean(w == 0):6.1%}")
    models[name] = model
nr.plots.weight_histograms(models)

# %% [markdown]
# **Takeaway.** Trained $L^2$ models land on Eq. 7.13, eigendirection by eigendirection; proximal $L^1$ lands
# on Eq. 7.23 with exactly the predicted zeros. On the network, $L^2$ pulls the weight distribution in and
# $L^1$ puts a spike of exact zeros at 0.
#
# **Verified by** `tests/test_penalties.py` (values, central-difference gradients, the prox of Eq. 7.23),
# `tests/test_analysis.py` (SGD with `nr.L2` / `nr.L1` converges to Eq. 7.13 / Eq. 7.23),
# `tests/test_weight_decay.py` (Eq. 7.5 and `SGD(weight_decay=...)`), `tests/test_plots_norms.py` (the figures).
# For the full tables run `python experiments/weight_histograms.py`, `python experiments/regularization_path.py`
# and `python experiments/bias_penalty.py` (each takes `--data fashion-mnist`).
