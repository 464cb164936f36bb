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
