# Source of notebooks/03_under_constrained.ipynb -- edit here, then: python notebooks/build.py 03

# %% [markdown]
# # 03 · Regularization and under-constrained problems (§7.3)
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
# *Runs in about 15 s on two cores.*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()`
# (the README says how to get the files); any $n < 784$ images make the regression under-determined.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X_img, y_img), (X_test_img, y_test_img) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
# MNIST / Fashion-MNIST: (X_img, y_img), (X_test_img, y_test_img) = nr.data.load_fashion_mnist()   (see the README)

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
# ## Does the minimum-norm solution generalize? Test error against $\alpha$
#
# Both answers above fit the training set exactly; neither says how well the fitted $w$ does on *new* images.
# To see the effect of weight decay, a ten-class version of the same problem: classify the digits by
# regression on one-hot targets, $W = (X^\top X + \alpha I)^{-1} X^\top Y$
# (`nr.analysis.weight_decay_inverse(X, alpha) @ Y`, $Y$ of shape $n \times 10$), predicting the class of the
# largest output. The end $\alpha \to 0$ of the sweep is
# $X^+ Y$ (`np.linalg.pinv`), the minimum-norm solution gradient descent finds from 0: it interpolates, so its
# training error is exactly 0. Each **seed** draws its own random subset of $n < d$ training images from the first
# 4,000 of the training set; the last 1,000 are a validation set that picks $\alpha$ (picking it on the test set
# would flatter the result); the test set is 1,000 other images. Two sizes: $n = 60$ (as above) and $n = 300$.

# %%
X_pool = X_img.reshape(len(X_img), -1).astype(np.float64)
X_val, y_val = X_pool[4000:], y_img[4000:]
X_te, y_te = X_test_img.reshape(len(X_test_img), -1).astype(np.float64), y_test_img
alphas = np.logspace(-3, 4, 15)
seeds, sizes = [0, 1, 2], [60, 300]


def error(W, X, y):
    """Classification error of the linear regression W (d, 10) on images X, labels y."""
    return float(np.mean(np.argmax(X @ W, axis=1) != y))


def sweep(n, seed):
    """[train, validation, test] error of X^+ Y, then of each alpha, on this seed's n training images."""
    idx = np.random.default_rng(seed).choice(4000, size=n, replace=False)
    X, y = X_pool[idx], y_img[idx]
    Y = np.eye(10)[y]
    weights = [np.linalg.pinv(X) @ Y] + [nr.analysis.weight_decay_inverse(X, a) @ Y for a in alphas]
    return np.array([[error(W, X, y), error(W, X_val, y_val), error(W, X_te, y_te)] for W in weights])


errors = {n: np.stack([sweep(n, s) for s in seeds]) for n in sizes}    # (seeds, 1 + len(alphas), 3)
best = {n: int(np.argmin(errors[n][:, 1:, 1].mean(axis=0))) for n in sizes}   # lowest mean validation error
for n in sizes:
    print(f"n = {n} training images, d = {X_pool.shape[1]} pixels: classification error, mean ± SE over "
          f"{len(seeds)} seeds")
    print(f"  {'alpha':>8} {'training':>15} {'validation':>15} {'test':>15}")
    for j, name in enumerate(["-> 0 (pinv)"] + [f"{a:.3g}" for a in alphas]):
        cells = [nr.plots.mean_se(errors[n][:, j, k]) for k in range(3)]
        mark = "  <- lowest validation error" if j == best[n] + 1 else ""
        print(f"  {name:>11} " + " ".join(f"{m:.3f} ± {se:.3f}" for m, se in cells) + mark)

# %%
fig = Figure(figsize=(12, 4.2), layout="constrained")
for ax, n, color in zip(fig.subplots(1, 2, sharey=True), sizes, nr.plots.PALETTE[1:]):
    e = errors[n]
    nr.plots.strength_sweep(alphas, e[:, 1:, 2], train=e[:, 1:, 0], baseline=e[:, 0, 2], best=alphas[best[n]],
                            ax=ax, label="weight decay", color=color, xlabel=r"weight decay $\alpha$",
                            ylabel="classification error",
                            title=f"n = {n} training images, d = 784 pixels")
fig

# %%
for n in sizes:
    e, b = errors[n], best[n]
    _, _, said = nr.plots.paired_effect(e[:, 0, 2], e[:, b + 1, 2], name=f"weight decay (alpha = {alphas[b]:.3g})",
                                        metric="test error of the minimum-norm solution")
    d_train, se_train = nr.plots.mean_se(e[:, b + 1, 0] - e[:, 0, 0])
    s = np.linalg.svd(X_pool[np.random.default_rng(0).choice(4000, size=n, replace=False)], compute_uv=False)
    print(f"n = {n}: {said}")
    print("   ... while the training error " + (f"rises from 0 to {d_train:.3f} ± {se_train:.3f}." if d_train > 0
                                                else "stays at 0 (every training image still fitted)."))
    print(f"   Seed 0: singular values of X from {s.max():.1f} down to {s.min():.2f} (X^+ multiplies by up to "
          f"1/s_min = {1 / s.min():.2f}); {np.sum(s ** 2 < alphas[b])} of the {n} directions have s^2 < alpha = "
          f"{alphas[b]:.3g}, so weight decay shrinks them by more than half.\n")

# %% [markdown]
# Read the two panels together (the printed tables give every point). At $\alpha \to 0$, the minimum-norm solution
# $X^+Y$ (grey line), the training error is 0 and the test error 0.641 with 60 images and 0.656 with 300 (guessing
# gives 0.9). As $\alpha$ grows the test error first falls below the grey line, then rises again once $\alpha$ is
# so large that the model under-fits: at $\alpha = 10^4$ the training error has climbed to 0.611 and 0.517 and the
# test error is back at or above $X^+Y$'s. The validation set puts the sweet spot at $\alpha = 31.6$ ($n = 60$) and
# $\alpha = 100$ ($n = 300$); there, over 3 paired seeds, weight decay lowers the test error by 0.052 ± 0.007
# ($n = 60$) and 0.223 ± 0.007 ($n = 300$), 8 and 32 standard errors: both more than twice their standard error.
# With 60 images it does so while still fitting every training image; with 300 it gives up a training error of
# 0.113 to do it: regularization in the chapter's sense, a higher training error for a lower test error.
#
# Why the gain is larger at $n = 300$: the closer $n$ gets to $d$, the smaller the smallest singular values of $X$
# (2.03 with 60 images, 0.57 with 300, for seed 0), and $X^+$ multiplies whatever the targets hold along those
# directions by $1/s$. The minimum-norm solution fits all 300 images and is no better on new ones than the one fitted
# to 60; weight decay replaces $1/s$ by $s/(s^2 + \alpha)$, which damps exactly those directions.

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
# the pseudo-inverse at a rate proportional to $\alpha$; the regularized logistic regression converges. And weight decay
# is not only a way to make the problem well posed: on the digits, the $\alpha$ a validation set picks lowers the test
# error of the minimum-norm solution by more than twice its standard error at both sizes (the verdicts above), at the
# price of a training error above 0 with 300 images. Gradient
# descent adds its own implicit regularization: from $w = 0$ it returns the minimum-norm solution, and on separable
# data its direction tends to the max-margin separator while the norm creeps up like $\log t$.
#
# **Verified by** `tests/regularize/s7_03_under_constrained/test_under_constrained.py` (Eq. 7.29's inverse against `np.linalg.solve`, the limit
# against `np.linalg.pinv` with error/$\alpha$ equal to $\sqrt{\sum s^{-6}}$, gradient descent equal to `pinv(X) @ y` to
# $10^{-8}$ and in the row space, its closed form along the path, the per-decade growth of $\|w\|$ against the
# max-margin separator, the regularized iterates against Newton's method).
