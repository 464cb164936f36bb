# Source of notebooks/03_under_constrained.ipynb -- edit here, then: python notebooks/build.py 03

# %% [markdown]
# # 2b · Regularization and under-constrained problems (§7.3)
#
# **The book's claims.** Some problems have no unique answer without regularization.
#
# - *Linear regression with more features than examples.* The normal equations need $(X^\top X)^{-1}$, but with
#   $n < d$ the $d \times d$ matrix $X^\top X$ has rank at most $n$: singular. Weight decay replaces it by
#   $X^\top X + \alpha I$, invertible for every $\alpha > 0$, and the limit of the regularized inverse is the
#   Moore–Penrose pseudo-inverse:
#
#   $$X^+ = \lim_{\alpha \searrow 0}\,(X^\top X + \alpha I)^{-1} X^\top. \qquad \text{(Eq. 7.29)}$$
#
#   So the pseudo-inverse "stabilizes under-determined problems using regularization": $X^+ y$ is the solution of
#   smallest norm among the infinitely many $w$ with $Xw = y$.
# - *Logistic regression on linearly separable classes.* If $w$ separates the classes perfectly, so does $2w$,
#   with a higher likelihood. Gradient descent then increases $\|w\|$ for ever and never halts (in practice it stops
#   only when the numbers overflow); weight decay makes the minimum exist and the iterates converge.
#
# numreg: `nr.analysis.weight_decay_inverse(X, alpha)` is $(X^\top X + \alpha I)^{-1}X^\top$,
# `nr.analysis.pseudo_inverse_limit(X, alphas)` measures its distance to `np.linalg.pinv(X)`,
# `nr.analysis.min_norm_gradient_descent(X, y)` runs gradient descent from $w = 0$ on $\frac12\|Xw - y\|^2$, and
# `nr.analysis.logistic_trajectory(X, y, alpha)` records $\|w_t\|$ and the loss at every step of logistic regression.
#
# *Runs in about 10 s on two cores.*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()`
# (the README says how to get the files); any $n < 784$ images make the regression under-determined.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X_img, y_img), _ = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
# MNIST / Fashion-MNIST: (X_img, y_img), _ = nr.data.load_fashion_mnist()   (see the README)

# %% [markdown]
# ## An under-determined regression: 60 images, 784 pixels
#
# Predict $y = +1$ for the digit 3 and $-1$ otherwise, linearly from the pixels, with only $n = 60$ images: $d = 784$
# unknowns, 60 equations. $X^\top X$ is $784 \times 784$ of rank 60; `np.linalg.solve` on it would divide by zero
# (or by round-off). With weight decay it is invertible, and as $\alpha \to 0$ the regularized inverse tends to
# $X^+$. Along each singular direction of $X$ (singular value $s$) it has $s/(s^2 + \alpha)$ where $X^+$ has $1/s$; the
# difference $\alpha / \big(s(s^2 + \alpha)\big) \approx \alpha / s^3$ is *proportional to* $\alpha$:
#
# $$\big\|(X^\top X + \alpha I)^{-1}X^\top - X^+\big\|_F \approx \alpha \sqrt{\textstyle\sum_i s_i^{-6}}.$$

# %%
n = 60
X = X_img[:n].reshape(n, -1).astype(np.float64)
y = np.where(y_img[:n] == 3, 1.0, -1.0)
print(f"X: {X.shape}, rank of X^T X ({X.shape[1]} x {X.shape[1]}): {np.linalg.matrix_rank(X.T @ X)}")

alphas = np.logspace(2, -7, 10)
limit = nr.analysis.pseudo_inverse_limit(X, alphas)
for alpha, error in zip(limit.alphas, limit.errors):
    print(f"alpha {alpha:7.0e}: ||(X^T X + alpha I)^-1 X^T - pinv(X)||_F = {error:.3e}   "
          f"error / alpha = {error / alpha:.4f}")
print(f"predicted slope sqrt(sum s^-6) = {limit.rate:.4f}")

fig = Figure(figsize=(6.4, 4), layout="constrained")
ax = fig.subplots()
ax.loglog(limit.alphas, limit.errors, "o-", color=nr.plots.PALETTE[0], label="measured")
ax.loglog(limit.alphas, limit.rate * limit.alphas, "--", color=nr.plots.PALETTE[3],
          label=r"$\alpha\,\sqrt{\sum_i s_i^{-6}}$")
ax.set_xlabel(r"weight decay $\alpha$")
ax.set_ylabel(r"$\|(X^\top X + \alpha I)^{-1}X^\top - X^+\|_F$")
ax.set_title("Eq. 7.29: weight decay's inverse tends to the pseudo-inverse, error ~ alpha")
ax.legend()
fig

# %% [markdown]
# For large $\alpha$ the error saturates at $\|X^+\|_F$ (the regularized inverse shrinks to 0); for small $\alpha$ it
# falls on the straight line of slope 1: halve $\alpha$, halve the distance to $X^+$.
#
# ## Gradient descent chooses the minimum-norm solution by itself
#
# Every $w$ with $Xw = y$ minimizes $J(w) = \frac12\|Xw - y\|^2$: $X^+ y$ plus anything in the 724-dimensional null
# space of $X$. Gradient descent's steps $-\epsilon X^\top(Xw - y)$ are combinations of the examples (the rows of $X$),
# so from $w = 0$ it never leaves their span, where the only solution is $X^+y$, the one of smallest norm. From a
# random start, the null-space part of the start stays for ever: a solution, but a longer one.

# %%
w_plus = np.linalg.pinv(X) @ y
w_gd = nr.analysis.min_norm_gradient_descent(X, y, steps=30000)
print(f"from w = 0:   max |w_GD - pinv(X) y| = {np.abs(w_gd - w_plus).max():.1e},   ||X w - y|| = "
      f"{np.linalg.norm(X @ w_gd - y):.1e},   ||w|| = {np.linalg.norm(w_gd):.4f} (pinv: {np.linalg.norm(w_plus):.4f})")

w0 = np.random.default_rng(0).normal(scale=0.05, size=X.shape[1])
w = w0.copy()
epsilon = 1 / np.linalg.norm(X, 2) ** 2
for _ in range(30000):
    w -= epsilon * X.T @ (X @ w - y)
P = X.T @ np.linalg.solve(X @ X.T, X)                     # projection onto the row space of X
print(f"from w0 != 0: ||X w - y|| = {np.linalg.norm(X @ w - y):.1e},   ||w|| = {np.linalg.norm(w):.4f},   "
      f"||w - (pinv(X) y + (I - P) w0)|| = {np.linalg.norm(w - (w_plus + w0 - P @ w0)):.1e}")

# %% [markdown]
# ## Logistic regression on separable classes: $\|w\|$ grows like $\log t$
#
# Forty points in two classes separated by a gap (`nr.analysis.separable_classes`), logistic regression without a
# bias, gradient descent from $w = 0$ with the safe step $1/L$. Without a penalty the loss has no minimum: it tends
# to 0 only as $\|w\| \to \infty$. The growth is slow, like $\log t$ (Soudry et al. 2018: $w_t \approx \hat w \log t$,
# with $\hat w$ the max-margin separator), so each tenfold increase in the number of steps adds roughly the same
# amount, $\|\hat w\| \log 10$ (4.5 here), to $\|w_t\|$; the printed increments approach it slowly from below (a
# $\log\log t$ correction), and the curve straightens on the logarithmic axis. With $L^2$ weight decay ($\alpha = 0.01$), $J + \frac\alpha2\|w\|^2$ is strongly convex and the
# iterates converge to its unique minimum.

# %%
Xs, ys = nr.analysis.separable_classes(n=40, d=2, margin=1.0, seed=0)
free = nr.analysis.logistic_trajectory(Xs, ys, alpha=0.0, steps=30_000)
decayed = nr.analysis.logistic_trajectory(Xs, ys, alpha=0.01, steps=30_000)
for t in (10, 100, 1_000, 10_000, 30_000):
    print(f"t = {t:>7,}:  no penalty ||w|| = {free.norms[t]:6.3f}  loss {free.losses[t]:.2e}     "
          f"L2 ||w|| = {decayed.norms[t]:6.4f}  ||grad|| {decayed.grad_norms[t]:.1e}")
decades = np.diff(free.norms[[10, 100, 1_000, 10_000]])
print("increase of ||w|| per tenfold more steps, no penalty:", np.round(decades, 2))
nr.plots.norm_growth(free, decayed, alpha=0.01)

# %% [markdown]
# **Takeaway.** Without regularization, "the best fit" is not unique (regression with $d > n$) or does not exist
# (separable classification). Weight decay fixes both: the regularized inverse exists for every $\alpha > 0$ and tends to
# the pseudo-inverse at a rate proportional to $\alpha$; the regularized logistic regression converges. Gradient
# descent adds its own implicit regularization: from $w = 0$ it returns the minimum-norm solution, and on separable
# data its direction tends to the max-margin separator while the norm creeps up like $\log t$.
#
# **Verified by** `tests/regularize/test_under_constrained.py` (Eq. 7.29's inverse against `np.linalg.solve`, the limit
# against `np.linalg.pinv` with error/$\alpha$ equal to $\sqrt{\sum s^{-6}}$, gradient descent equal to `pinv(X) @ y` to
# $10^{-8}$ and in the row space, its closed form along the path, the per-decade growth of $\|w\|$ against the
# max-margin separator, the regularized iterates against Newton's method).
