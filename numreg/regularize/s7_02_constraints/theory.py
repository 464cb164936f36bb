"""The closed form of §7.2: the KKT multiplier ``alpha*`` of the constraint ``||w||_2 <= k`` (Eq. 7.25-7.27).
"""
import numpy as np

from ...core.checks import positive, hessian, float_vector


# ---------------------------------------------------------------------------
# §7.2: norm penalties as constrained optimization

def constrained_alpha(H, w_star, k, tol=1e-15):
    """The KKT multiplier ``alpha*`` of ``min J^(w) s.t. ||w||_2 <= k`` (§7.2, Eq. 7.25-7.27).

    The generalized Lagrangian ``J^(w) + alpha (Omega(w) - 1/2 k^2)`` with
    ``Omega = 1/2 ||w||^2`` (Eq. 7.25) has, at the solution, the
    stationarity condition of the L2-penalized problem: the constrained
    minimum is ``w~(alpha*) = (H + alpha* I)^-1 H w_star`` (Eq. 7.13) with

    - ``alpha* = 0`` if ``||w_star|| <= k`` (the constraint is inactive;
      complementary slackness ``alpha* (Omega(w~) - 1/2 k^2) = 0``), else
    - the ``alpha* > 0`` at which ``||w~(alpha*)||_2 = k``, found by
      bisection on the strictly decreasing
      ``||w~(alpha)||^2 = sum_i (lambda_i c_i / (lambda_i + alpha))^2``,
      ``c = Q^T w_star``.

    Projected gradient descent with ``nr.NormBall(k)`` converges to the same
    point ``w~(alpha*)``.

    Parameters
    ----------
    H : array_like, (d, d)
        Hessian of J at ``w_star``, symmetric positive semi-definite.
    w_star : array_like, (d,)
        The unconstrained minimum.
    k : float
        Radius of the ball ``||w||_2 <= k`` (as ``nr.NormBall(k)``), > 0.
        In terms of ``Omega = 1/2 ||w||^2`` the constraint is ``Omega(w) <= k^2/2``.
    tol : float, default 1e-15
        Relative width of the final bisection bracket.

    Returns
    -------
    float
        ``alpha* >= 0``.

    Notes
    -----
    If ``H`` is singular and ``w_star`` has a component in its null space,
    that component is removed by any ``alpha > 0``; when the rest already
    lies inside the ball, ``alpha*`` is the limit 0.
    """
    _, lam, Q = hessian(H)
    w_star = float_vector("w_star", w_star, lam.shape[0])
    k = positive("k", k)
    positive("tol", tol)
    if np.linalg.norm(w_star) <= k:
        return 0.0
    c = Q.T @ w_star

    def norm2(a):
        f = lam / np.where(lam + a > 0, lam + a, 1.0)
        return float(np.sum((f * c) ** 2))

    k2 = k * k
    if float(np.sum(c[lam > 0] ** 2)) <= k2:             # ||w~(alpha)|| as alpha -> 0+
        return 0.0
    # ||w~(alpha)|| <= lam_max / (lam_max + alpha) ||w*||  =>  alpha = lam_max (||w*||/k - 1) is feasible
    lo, hi = 0.0, float(lam.max()) * (np.linalg.norm(w_star) / k - 1.0) * 1.0001 + 1e-300
    while norm2(hi) > k2:
        hi *= 2.0
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if norm2(mid) > k2:
            lo = mid
        else:
            hi = mid
        if hi - lo <= tol * hi:
            break
    return 0.5 * (lo + hi)
