"""§7.3: the pseudo-inverse as the limit of weight decay (Eq. 7.29), gradient descent's minimum-norm
solution, and logistic regression on separable classes (||w|| ~ log t without L2, convergence with it)."""
import numpy as np
import pytest
from scipy.optimize import minimize

from numreg.regularize.s7_03_under_constrained.theory import (
    weight_decay_inverse, pseudo_inverse_limit, min_norm_gradient_descent, separable_classes,
    logistic_loss, logistic_trajectory)
from numreg.gradcheck import numerical_gradient, rel_error


@pytest.fixture
def wide():
    """An under-determined regression: 5 examples, 20 features, so X^T X (20 x 20) has rank 5."""
    rng = np.random.default_rng(0)
    return rng.standard_normal((5, 20)), rng.standard_normal(5)


def test_weight_decay_inverse_is_the_books_formula(wide):
    X, _ = wide
    assert np.linalg.matrix_rank(X.T @ X) == 5          # singular: no (X^T X)^-1
    for alpha in (0.1, 1.0, 10.0):
        direct = np.linalg.solve(X.T @ X + alpha * np.eye(20), X.T)
        np.testing.assert_allclose(weight_decay_inverse(X, alpha), direct, rtol=1e-10, atol=1e-12)


def test_the_limit_is_the_pseudo_inverse_with_error_proportional_to_alpha(wide):
    X, _ = wide
    alphas = np.logspace(0, -8, 9)
    r = pseudo_inverse_limit(X, alphas)
    pinv = np.linalg.pinv(X)
    np.testing.assert_allclose(r.inverses[-1], pinv, rtol=0, atol=1e-6 * np.abs(pinv).max())
    assert np.all(np.diff(r.errors) < 0)                # closer as alpha decreases
    # per singular value s: s/(s^2 + alpha) - 1/s = -alpha / (s (s^2 + alpha)) ~ -alpha/s^3, so
    # error / alpha -> sqrt(sum s^-6) = r.rate; the relative gap is about alpha / s_min^2
    s = np.linalg.svd(X, compute_uv=False)
    assert r.rate == pytest.approx(np.sqrt(np.sum(s ** -6.0)))
    small = alphas <= 1e-4
    np.testing.assert_allclose(r.errors[small] / alphas[small], r.rate, rtol=1e-3)
    # halving alpha halves the error (slope 1 on a log-log plot)
    slope = np.polyfit(np.log(alphas[small]), np.log(r.errors[small]), 1)[0]
    assert slope == pytest.approx(1.0, abs=1e-3)


def test_gradient_descent_from_zero_finds_the_minimum_norm_solution(wide):
    X, y = wide
    w = min_norm_gradient_descent(X, y, steps=3000)
    w_plus = np.linalg.pinv(X) @ y
    np.testing.assert_allclose(w, w_plus, rtol=0, atol=1e-8)
    np.testing.assert_allclose(X @ w, y, atol=1e-8)     # a solution of X w = y ...
    # ... in the row space of X: w = X^T c, so projecting onto that space changes nothing
    P = X.T @ np.linalg.solve(X @ X.T, X)
    np.testing.assert_allclose(P @ w, w, atol=1e-12)
    # another solution, w + (a null-space vector), is longer: ||w + v||^2 = ||w||^2 + ||v||^2
    v = (np.eye(20) - P) @ np.random.default_rng(1).standard_normal(20)
    np.testing.assert_allclose(X @ (w + v), y, atol=1e-8)
    assert np.linalg.norm(w + v) ** 2 == pytest.approx(np.linalg.norm(w) ** 2 + np.linalg.norm(v) ** 2)


def test_gradient_descent_path_matches_its_closed_form(wide):
    X, y = wide
    eps = 0.5 / np.linalg.norm(X, 2) ** 2
    _, path = min_norm_gradient_descent(X, y, epsilon=eps, steps=10, return_path=True)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    for t in (0, 1, 10):           # w_t = V diag((1 - (1 - eps s^2)^t) / s) U^T y
        np.testing.assert_allclose(path[t], Vt.T @ ((1 - (1 - eps * s * s) ** t) / s * (U.T @ y)), atol=1e-12)


def test_bad_arguments(wide):
    X, y = wide
    with pytest.raises(ValueError, match="alpha=0"):
        weight_decay_inverse(X, 0)
    with pytest.raises(ValueError, match="alphas=-1"):
        pseudo_inverse_limit(X, [1.0, -1])
    big = 2.5 / np.linalg.norm(X, 2) ** 2
    with pytest.raises(ValueError, match="epsilon="):
        min_norm_gradient_descent(X, y, epsilon=big)
    with pytest.raises(ValueError, match="steps=0"):
        min_norm_gradient_descent(X, y, steps=0)
    with pytest.raises(ValueError, match="X must hold finite"):
        weight_decay_inverse(np.array([[np.nan, 1.0]]), 1.0)
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        logistic_trajectory(X, np.arange(5.0), steps=2)


def test_logistic_loss_gradient_by_central_differences():
    X, y = separable_classes(n=12, d=3, seed=1)
    w = np.array([0.3, -1.2, 2.0])
    for alpha in (0.0, 0.1):
        _, g = logistic_loss(w, X, y, alpha)
        assert rel_error(g, numerical_gradient(lambda v: logistic_loss(v, X, y, alpha)[0], w)) < 1e-8


def max_margin_direction(X, y):
    """The hard-margin separator through the origin: min 1/2 ||w||^2 subject to y_i w^T x_i >= 1."""
    r = minimize(lambda w: 0.5 * w @ w, np.ones(X.shape[1]), jac=lambda w: w, method="SLSQP",
                 constraints=[dict(type="ineq", fun=lambda w: y * (X @ w) - 1, jac=lambda w: y[:, None] * X)],
                 options=dict(ftol=1e-14, maxiter=500))
    return r.x


def test_without_weight_decay_the_norm_grows_like_log_t():
    X, y = separable_classes(n=40, d=2, margin=1.0, seed=0)
    tr = logistic_trajectory(X, y, steps=10_000)
    assert np.all(np.diff(tr.norms) > 0)                 # ||w_t|| increases at every step
    assert np.all(np.diff(tr.losses) < 0) and tr.losses[-1] < 1e-3   # J(w_t) -> 0 (no minimum)
    # loss ~ c/t for large t: ten times the steps, about a tenth of the loss
    assert 0.08 < tr.losses[10_000] / tr.losses[1_000] < 0.2
    # w_t ~ w_hat log t (Soudry et al. 2018), w_hat the max-margin separator: each decade of steps adds
    # about ||w_hat|| log 10 to the norm; here ||w_hat|| = 1.94, so 4.47 per decade. Measured: 3.2
    # (10^2 -> 10^3) and 3.7 (10^3 -> 10^4), approaching it from below (an O(log log t) correction)
    # -- a constant per decade, where a power law t^a would multiply the increments by 10^a
    w_hat = max_margin_direction(X, y)
    per_decade = np.linalg.norm(w_hat) * np.log(10)
    d2, d3 = tr.norms[1_000] - tr.norms[100], tr.norms[10_000] - tr.norms[1_000]
    assert 0.7 * per_decade < d3 < per_decade
    assert 1.0 < d3 / d2 < 1.3
    # and the direction converges to the max-margin direction
    cos = tr.w @ w_hat / (np.linalg.norm(tr.w) * np.linalg.norm(w_hat))
    assert cos > 0.999


def newton(X, y, alpha, steps=30):
    """The regularized minimum by Newton's method: H = X^T diag(s (1 - s)) X / n + alpha I."""
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        _, g = logistic_loss(w, X, y, alpha)
        s = 1 / (1 + np.exp(-(X @ w)))
        H = (X.T * (s * (1 - s))) @ X / X.shape[0] + alpha * np.eye(X.shape[1])
        w = w - np.linalg.solve(H, g)
    return w


def test_with_weight_decay_the_iterates_converge():
    X, y = separable_classes(n=40, d=2, margin=1.0, seed=0)
    tr = logistic_trajectory(X, y, alpha=1e-2, steps=10_000)
    assert tr.grad_norms[-1] < 1e-12                     # a stationary point of J + alpha/2 ||w||^2
    assert abs(tr.norms[-1] - tr.norms[-1001]) < 1e-12   # ||w_t|| has stopped moving
    np.testing.assert_allclose(tr.w, newton(X, y, 1e-2), atol=1e-10)
    free = logistic_trajectory(X, y, steps=10_000)
    assert tr.norms[-1] < 0.5 * free.norms[-1]


def test_norm_growth_figure():
    import numreg as nr
    X, y = separable_classes(n=20, seed=2)
    fig = nr.plots.norm_growth(logistic_trajectory(X, y, steps=200), logistic_trajectory(X, y, 0.1, steps=200), 0.1)
    left, right = fig.axes
    assert len(left.lines) == 2 and left.get_xscale() == "log" and right.get_yscale() == "log"
    assert "L2, alpha = 0.1" in [t.get_text() for t in left.get_legend().get_texts()]
