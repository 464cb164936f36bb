"""Synthetic data for the figures and experiments of §7.1-7.2.
"""
import numpy as np

from ..core import checks
from ..core.checks import nonnegative, float_vector


# ---------------------------------------------------------------------------
# data for the figures and experiments

def make_correlated_regression(n=100, d=8, rho=0.8, noise=1.0, w_true=None, seed=0):
    """A linear regression problem with correlated features, as in Tibshirani (1996), §7.2.

    ``X ~ N(0, Sigma)`` with ``Sigma_ij = rho^|i - j|``, ``y = X w_true + noise * N(0, 1)``.

    Parameters
    ----------
    n : int, default 100
        Number of examples.
    d : int, default 8
        Number of features.
    rho : float, default 0.8
        Correlation of neighbouring features, in (-1, 1).
    noise : float, default 1.0
        Standard deviation of the noise on ``y``, >= 0.
    w_true : array_like, (d,), or None, default None
        None: Tibshirani's ``(3, 1.5, 0, 0, 2, 0, 0, 0)`` (padded with zeros or cut to ``d``).
    seed : int or None, default 0

    Returns
    -------
    X : ndarray, (n, d), float64
    y : ndarray, (n,), float64
    w_true : ndarray, (d,)
    """
    n, d = checks.count("n", n), checks.count("d", d)
    checks.allocation("n * d", (n, d), n, d)
    checks.allocation("d", d, d, d)
    rho = checks.real("rho", rho, low=-1.0, high=1.0, low_open=True, high_open=True)
    noise = nonnegative("noise", noise)
    if w_true is None:
        base = np.array([3.0, 1.5, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
        w_true = np.zeros(d)
        w_true[:min(d, 8)] = base[:d]
    w_true = float_vector("w_true", w_true, d, "d")
    rng = checks.generator("seed", seed)
    idx = np.arange(d)
    Sigma = float(rho) ** np.abs(idx[:, None] - idx[None, :])
    L = np.linalg.cholesky(Sigma)
    X = rng.standard_normal((n, d)) @ L.T
    y = X @ w_true + noise * rng.standard_normal(n)
    return X, y, w_true
