"""The closed forms of numreg.analysis against direct computation and training."""
import numpy as np
import pytest

import numreg as nr
from numreg import analysis


def _spd(d, seed, cond=10.0):
    """A symmetric positive definite d x d matrix with eigenvalues in [1, cond]."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.geomspace(1.0, cond, d)
    return (Q * lam) @ Q.T


# ---------------------------------------------------------------------------
# early stopping (Eq. 7.40-7.45)

def test_early_stopping_trajectory_matches_gradient_descent_iterates():
    d = 5
    H = _spd(d, 0)
    w_star = np.random.default_rng(1).standard_normal(d)
    eps = 0.05
    w = np.zeros(d)
    traj = analysis.early_stopping_trajectory(H, w_star, eps, np.arange(30))
    assert traj.shape == (30, d)
    for tau in range(30):
        np.testing.assert_allclose(traj[tau], w, rtol=0, atol=1e-12)
        assert np.allclose(analysis.early_stopping_trajectory(H, w_star, eps, tau), w, atol=1e-12)
        w = w - eps * H @ (w - w_star)              # Eq. 7.35


def test_early_stopping_trajectory_by_hand_and_from_w0():
    # H = diag(1, 4), w* = (1, 1), eps = 0.1, tau = 2:
    # (1 - 0.1)^2 = 0.81 -> w1 = 0.19; (1 - 0.4)^2 = 0.36 -> w2 = 0.64
    w = analysis.early_stopping_trajectory(np.diag([1.0, 4.0]), [1.0, 1.0], 0.1, 2)
    np.testing.assert_allclose(w, [0.19, 0.64], atol=1e-15)
    # from w0 = w*, gradient descent does not move
    w = analysis.early_stopping_trajectory(np.diag([1.0, 4.0]), [1.0, -2.0], 0.1, 7, w0=[1.0, -2.0])
    np.testing.assert_allclose(w, [1.0, -2.0], atol=1e-15)


def test_early_stopping_alpha_approximation_and_exact_form():
    assert analysis.early_stopping_alpha(0.01, 100) == pytest.approx(1.0)   # 1 / (100 * 0.01)
    assert analysis.early_stopping_alpha(0.1, 0) == np.inf
    np.testing.assert_allclose(analysis.early_stopping_alpha(0.5, [1, 2, 4]), [2.0, 1.0, 0.5])
    # exact per-direction alpha: the L2 solution with alpha_i equals w(tau) along direction i
    H = _spd(4, 3, cond=4.0)
    w_star = np.array([1.0, -2.0, 0.5, 3.0])
    eps, tau = 0.02, 40
    lam, Q = np.linalg.eigh(H)
    a = analysis.early_stopping_alpha(eps, tau, H=H)
    w_l2 = Q @ (lam / (lam + a) * (Q.T @ w_star))             # Eq. 7.41 with alpha_i per direction
    np.testing.assert_allclose(w_l2, analysis.early_stopping_trajectory(H, w_star, eps, tau), atol=1e-12)
    # and for small eps*lambda the exact alphas approach 1/(tau eps)  (Eq. 7.45)
    a_small = analysis.early_stopping_alpha(1e-4, 1000, H=np.diag([0.01, 0.02]))
    np.testing.assert_allclose(a_small, 1 / (1000 * 1e-4), rtol=0.02)


@pytest.mark.parametrize("kw, match", [
    (dict(H=[[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    (dict(H=[[1.0, 0.0], [0.0, -1.0]]), "positive semi-definite"),
    (dict(H=[1.0, 2.0]), "square"),
    (dict(w_star=[1.0, 2.0, 3.0]), "w_star"),
    (dict(epsilon=-0.1), "epsilon"),
    (dict(tau=-1), "tau"),
    (dict(tau=1.5), "tau"),
])
def test_early_stopping_trajectory_bad_input(kw, match):
    args = dict(H=np.eye(2), w_star=[1.0, 1.0], epsilon=0.1, tau=3)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        analysis.early_stopping_trajectory(**args)


# ---------------------------------------------------------------------------
# helpers: a linear model y^ = x W (no bias) trained by nr.fit on MSELoss

def _linear_problem(n=64, d=4, seed=0, orthogonal_scales=None):
    """X (n, d), y (n,), and for nr.MSELoss (J = mean (xw - y)^2) its exact H = 2 X^T X / n and w*."""
    rng = np.random.default_rng(seed)
    if orthogonal_scales is None:
        X = rng.standard_normal((n, d))
    else:   # orthogonal columns: X^T X = n diag(scales^2), so H is diagonal
        Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
        X = Q * np.sqrt(n) * np.asarray(orthogonal_scales)
    y = X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n)
    H = 2.0 * X.T @ X / n
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    return X, y, H, w_star


def _linear_model(d, w0=None):
    model = nr.Sequential(nr.Linear(d, 1, bias=False), seed=0).astype(np.float64)
    if w0 is not None:
        model[0].W.data[:, 0] = w0
    return model


def _full_batch_fit(model, X, y, lr, steps, penalties=(), constraints=(), callbacks=()):
    opt = nr.SGD(model.parameters(), lr=lr)
    return nr.fit(model, nr.MSELoss(), opt, (X, y), epochs=steps, batch_size=len(X), penalties=penalties,
                  constraints=constraints, callbacks=callbacks, seed=0, verbose=False)


# ---------------------------------------------------------------------------
# L2 (Eq. 7.13)

def test_l2_shrinkage_by_hand_and_against_direct_solve():
    # H = diag(1, 4), alpha = 1: factors 1/2 and 4/5 -> w~ = (0.5 * 2, 0.8 * 1)
    w, f, Q = analysis.l2_shrinkage(np.diag([1.0, 4.0]), [2.0, 1.0], 1.0, return_factors=True)
    np.testing.assert_allclose(f, [0.5, 0.8])
    np.testing.assert_allclose(w, [1.0, 0.8], atol=1e-15)
    H = _spd(6, 4, cond=100.0)
    w_star = np.random.default_rng(5).standard_normal(6)
    direct = np.linalg.solve(H + 0.3 * np.eye(6), H @ w_star)          # (H + alpha I)^-1 H w*  (Eq. 7.10)
    np.testing.assert_allclose(analysis.l2_shrinkage(H, w_star, 0.3), direct, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(analysis.l2_shrinkage(H, w_star, 0.0), w_star, atol=1e-13)


def test_sgd_with_L2_converges_to_l2_shrinkage_for_the_models_exact_hessian():
    X, y, H, w_star = _linear_problem()
    alpha = 0.7
    model = _linear_model(X.shape[1])
    lam = np.linalg.eigvalsh(H)
    _full_batch_fit(model, X, y, lr=1.0 / (lam.max() + alpha), steps=400, penalties=[nr.L2(alpha)])
    expected = analysis.l2_shrinkage(H, w_star, alpha)
    np.testing.assert_allclose(model[0].W.data[:, 0], expected, rtol=1e-10, atol=1e-12)
    # and it is not the unregularized minimum: the penalty did something
    assert np.linalg.norm(expected - w_star) > 0.05


def test_ridge_agrees_with_l2_shrinkage_and_with_the_books_normal_equations():
    X, y, _ = analysis.make_correlated_regression(n=40, d=5, seed=1)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    H = 2 * X.T @ X                                   # Hessian of (Xw - y)^T (Xw - y)
    for alpha in (0.0, 0.5, 10.0, 1e3):
        np.testing.assert_allclose(analysis.ridge(X, y, alpha), analysis.l2_shrinkage(H, w_star, alpha),
                                   rtol=1e-9, atol=1e-11)
    # the book's Eq. 7.17, (X^T X + alpha I)^-1 X^T y, is ridge with 2 alpha
    book = np.linalg.solve(X.T @ X + 3.0 * np.eye(5), X.T @ y)
    np.testing.assert_allclose(analysis.ridge(X, y, 6.0), book, rtol=1e-12)


# ---------------------------------------------------------------------------
# L1 (Eq. 7.23)

def test_l1_solution_by_hand():
    # alpha / H_ii = 1 / 2 = 0.5: 2 -> 1.5, 0.3 -> 0, -1 -> -0.5, -0.5 -> 0 (|w*| == threshold)
    w = analysis.l1_solution([2.0, 2.0, 2.0, 2.0], [2.0, 0.3, -1.0, -0.5], 1.0)
    np.testing.assert_array_equal(w, [1.5, 0.0, -0.5, 0.0])
    np.testing.assert_array_equal(analysis.l1_solution(np.diag([2.0, 2.0]), [2.0, 0.3], 1.0), [1.5, 0.0])


def test_sgd_with_L1_prox_converges_to_l1_solution_with_exactly_the_predicted_zeros():
    X, y, H, w_star = _linear_problem(n=64, d=6, seed=2, orthogonal_scales=[1.0, 0.5, 2.0, 0.3, 1.5, 0.8])
    assert np.allclose(H, np.diag(np.diag(H)), atol=1e-12)
    alpha = 0.4
    expected = analysis.l1_solution(np.diag(H), w_star, alpha)
    assert 1 <= np.count_nonzero(expected == 0) <= 5     # a mix of zeros and survivors
    model = _linear_model(6, w0=np.ones(6))
    _full_batch_fit(model, X, y, lr=1.0 / np.diag(H).max(), steps=1500, penalties=[nr.L1(alpha, method="prox")])
    w = model[0].W.data[:, 0]
    np.testing.assert_array_equal(w == 0, expected == 0)   # exact zeros, exactly where predicted
    np.testing.assert_allclose(w, expected, rtol=1e-10, atol=1e-12)


def test_lasso_agrees_with_l1_solution_when_XtX_is_diagonal():
    X, y, _, _ = _linear_problem(n=50, d=5, seed=3, orthogonal_scales=[1.0, 0.4, 2.0, 0.2, 1.2])
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    H_diag = 2 * np.diag(X.T @ X)
    for alpha in (0.0, 5.0, 30.0, 200.0):
        np.testing.assert_allclose(analysis.lasso(X, y, alpha), analysis.l1_solution(H_diag, w_star, alpha),
                                   rtol=1e-10, atol=1e-12)


def test_lasso_satisfies_the_optimality_conditions_and_matches_an_independent_solver():
    scipy_opt = pytest.importorskip("scipy.optimize")
    X, y, _ = analysis.make_correlated_regression(n=60, d=8, rho=0.9, seed=4)
    alpha = 15.0
    w = analysis.lasso(X, y, alpha)
    g = 2 * X.T @ (y - X @ w)                       # minus the gradient of (Xw - y)^T (Xw - y)
    on = w != 0
    assert 0 < on.sum() < 8
    np.testing.assert_allclose(g[on], alpha * np.sign(w[on]), rtol=1e-10)   # stationarity on the support
    assert np.all(np.abs(g[~on]) <= alpha * (1 + 1e-10))                    # subgradient condition off it

    def f(z):    # w = u - v, u, v >= 0: a smooth bound-constrained problem
        u, v = z[:8], z[8:]
        r = X @ (u - v) - y
        grad = 2 * X.T @ r
        return r @ r + alpha * z.sum(), np.concatenate([grad + alpha, -grad + alpha])

    res = scipy_opt.minimize(f, np.zeros(16), jac=True, method="L-BFGS-B", bounds=[(0, None)] * 16,
                             options=dict(ftol=1e-15, gtol=1e-12, maxiter=10000))
    np.testing.assert_allclose(w, res.x[:8] - res.x[8:], atol=1e-5)
    obj = lambda w_: np.sum((X @ w_ - y) ** 2) + alpha * np.abs(w_).sum()
    assert obj(w) <= res.fun + 1e-9


def test_l1_quadratic_generalizes_eq_7_23():
    H = np.diag([0.5, 4.0])
    np.testing.assert_allclose(analysis.l1_quadratic(H, [2.0, 1.5], 1.0), analysis.l1_solution([0.5, 4.0], [2.0, 1.5], 1.0))
    Hc = _spd(4, 6, cond=20.0)
    w_star = np.array([1.0, -0.2, 0.5, 2.0])
    w = analysis.l1_quadratic(Hc, w_star, 0.8)
    g = Hc @ (w_star - w)
    on = w != 0
    np.testing.assert_allclose(g[on], 0.8 * np.sign(w[on]), rtol=1e-9)
    assert np.all(np.abs(g[~on]) <= 0.8 * (1 + 1e-9))


# ---------------------------------------------------------------------------
# §7.2 constrained optimization

def test_constrained_alpha_by_hand_inside_and_on_the_ball():
    # inside the ball: the constraint is inactive, alpha* = 0 (complementary slackness)
    assert analysis.constrained_alpha(np.diag([1.0, 4.0]), [0.3, 0.4], 0.5) == 0.0
    # H = I: w~ = w* / (1 + alpha); ||w*|| = 5, k = 1 -> alpha* = 4
    assert analysis.constrained_alpha(np.eye(2), [3.0, 4.0], 1.0) == pytest.approx(4.0, rel=1e-13)
    H = _spd(5, 7, cond=50.0)
    w_star = 3 * np.random.default_rng(8).standard_normal(5)
    a = analysis.constrained_alpha(H, w_star, 1.5)
    assert a > 0
    assert np.linalg.norm(analysis.l2_shrinkage(H, w_star, a)) == pytest.approx(1.5, rel=1e-12)


# ---------------------------------------------------------------------------
# early stopping: the real model, trained by nr.fit, tracks Eq. 7.40 step by step

def test_gradient_descent_from_zero_tracks_early_stopping_trajectory():
    X, y, H, w_star = _linear_problem(n=80, d=5, seed=9)
    eps = 0.1
    model = _linear_model(5, w0=np.zeros(5))
    seen = [model[0].W.data[:, 0].copy()]

    class Record:
        def on_step_end(self, state):
            seen.append(state.model[0].W.data[:, 0].copy())

    _full_batch_fit(model, X, y, lr=eps, steps=25, callbacks=[Record()])
    traj = analysis.early_stopping_trajectory(H, w_star, eps, np.arange(26))
    np.testing.assert_allclose(np.array(seen), traj, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------
# §7.5.1 weight noise

def test_weight_noise_penalty_of_a_linear_model_by_hand():
    # y^ = x.w + b: grad_w y^ = x, so the penalty is eta * mean ||x||^2 (+ eta with the bias)
    model = nr.Sequential(nr.Linear(2, 1), seed=0).astype(np.float64)
    X = np.array([[1.0, 2.0], [3.0, 0.0]])          # ||x||^2 = 5 and 9: mean 7
    assert analysis.weight_noise_penalty(model, X, 0.1) == pytest.approx(0.7, rel=1e-14)
    assert analysis.weight_noise_penalty(model, X, 0.1, include_biases=True) == pytest.approx(0.8, rel=1e-14)


def test_weight_noise_penalty_matches_a_monte_carlo_estimate_of_the_noisy_objective():
    rng = np.random.default_rng(10)
    model = nr.Sequential(nr.Linear(4, 8), nr.Tanh(), nr.Linear(8, 2), seed=1).astype(np.float64)
    X = rng.standard_normal((40, 4))
    y = model.forward(X).copy()                      # at a minimum: zero residuals
    eta = 1e-6
    pen = analysis.weight_noise_penalty(model, X, eta)
    Ws = [model[0].W, model[2].W]
    clean = [W.data.copy() for W in Ws]
    draws = []
    for _ in range(3000):
        for W, c in zip(Ws, clean):
            W.data[...] = c + np.sqrt(eta) * rng.standard_normal(c.shape)
        out = model.forward(X)
        draws.append(np.mean(np.sum((out - y) ** 2, axis=1)))   # E_x ||y^_eps(x) - y||^2
    for W, c in zip(Ws, clean):
        W.data[...] = c
    draws = np.array(draws)
    se = draws.std() / np.sqrt(len(draws))
    assert abs(draws.mean() - pen) < 4 * se + 1e-3 * pen
    assert se < 0.05 * pen                          # the check has power: 5 % resolution


def test_weight_noise_penalty_leaves_grads_and_mode_alone():
    model = nr.mlp(6, (5,), 3, dropout=0.5, seed=0)
    X = np.random.default_rng(0).standard_normal((7, 6)).astype(np.float32)
    for p in model.parameters():
        p.grad[...] = 1.0
    model.train()
    v = analysis.weight_noise_penalty(model, X, 0.01)
    assert v > 0 and model.training
    assert all(np.all(p.grad == 1.0) for p in model.parameters())
    # only the first layer's W: smaller than all of them
    assert analysis.weight_noise_penalty(model, X, 0.01, params=[model[1].W]) < v


# ---------------------------------------------------------------------------
# bad input

@pytest.mark.parametrize("call, match", [
    (lambda: analysis.l2_shrinkage(np.eye(2), [1.0, 1.0], -1.0), "alpha"),
    (lambda: analysis.l2_shrinkage(np.ones((2, 3)), [1.0, 1.0], 1.0), "square"),
    (lambda: analysis.l2_shrinkage(np.diag([1.0, -2.0]), [1.0, 1.0], 1.0), "positive semi-definite"),
    (lambda: analysis.l2_shrinkage(np.eye(2), [1.0, 1.0, 1.0], 1.0), "w_star"),
    (lambda: analysis.l1_solution([1.0, 0.0], [1.0, 1.0], 1.0), "H_diag"),
    (lambda: analysis.l1_solution([[1.0, 0.1], [0.1, 1.0]], [1.0, 1.0], 1.0), "diagonal"),
    (lambda: analysis.l1_solution([1.0, 1.0], [1.0], 1.0), "w_star"),
    (lambda: analysis.l1_solution([1.0, 1.0], [1.0, 1.0], float("nan")), "alpha"),
    (lambda: analysis.ridge(np.ones((3, 2)), np.ones(4), 1.0), "y"),
    (lambda: analysis.ridge(np.ones(3), np.ones(3), 1.0), "X"),
    (lambda: analysis.lasso(np.ones((3, 2)), np.ones(3), -2.0), "alpha"),
    (lambda: analysis.constrained_alpha(np.eye(2), [1.0, 1.0], -1.0), "k"),
    (lambda: analysis.constrained_alpha(np.eye(2), [1.0, 1.0], 0.0), "k"),
    (lambda: analysis.constrained_alpha([[1.0, 0.5], [0.0, 1.0]], [1.0, 1.0], 1.0), "symmetric"),
    (lambda: analysis.early_stopping_alpha(0.0, 3), "epsilon"),
    (lambda: analysis.weight_noise_penalty(nr.Sequential(nr.Linear(2, 1)), np.ones((3, 2)), -1.0), "eta"),
    (lambda: analysis.make_correlated_regression(rho=1.0), "rho"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_make_correlated_regression_is_deterministic_and_correlated():
    X1, y1, w = analysis.make_correlated_regression(n=2000, d=4, rho=0.8, seed=3)
    X2, y2, _ = analysis.make_correlated_regression(n=2000, d=4, rho=0.8, seed=3)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    C = np.corrcoef(X1.T)
    assert C[0, 1] == pytest.approx(0.8, abs=0.03) and C[0, 2] == pytest.approx(0.64, abs=0.03)
    np.testing.assert_array_equal(w, [3.0, 1.5, 0.0, 0.0])


def test_weight_noise_penalty_counts_only_present_connections_of_a_sparse_layer():
    # brute force: sum over examples i and outputs k of ||grad_W y^_k(x_i)||^2, from the
    # layers' own backward (SparseLinear masks its gradient), against the vectorized formula
    rng = np.random.default_rng(0)
    mask = nr.local_mask((4, 4), 5, 2, seed=0)
    m = nr.Sequential(nr.SparseLinear(16, 5, mask), nr.Tanh(), nr.Linear(5, 2), seed=0).astype(np.float64)
    X = rng.standard_normal((7, 16))
    m.eval()
    total = 0.0
    for i in range(7):
        for k in range(2):
            for p in m.parameters():
                p.grad[...] = 0
            out = m.forward(X[i:i + 1])
            dy = np.zeros_like(out)
            dy[0, k] = 1
            m.backward(dy)
            total += sum(np.sum(p.grad ** 2) for p in m.parameters() if p.regularized)
    assert nr.analysis.weight_noise_penalty(m, X, 0.01) == pytest.approx(0.01 * total / 7, rel=1e-12)
