"""Checks of the closed forms' inputs (the theory modules): Hessians, vectors, step counts, regression data."""
import numpy as np

from .arrays import float_array, numbers_array
from .errors import type_error

__all__ = ["hessian", "float_vector", "step_counts", "regression_data"]


def hessian(H, name="H", psd=True):
    """``H`` as a float64 square symmetric (and, if ``psd``, positive semi-definite) matrix.

    Returns ``(H, lam, Q)`` with ``H = Q diag(lam) Q^T``; tiny negative
    eigenvalues from round-off (``>= -1e-10 * max|lam|``) are set to 0.
    """
    if np.ndim(numbers_array(name, H)) != 2 or np.shape(H)[0] != np.shape(H)[1]:
        raise ValueError(f"{name} must be a non-empty square matrix, got {name}.shape={np.shape(H)}")
    A = float_array(name, H, ndim=2, dtype=np.float64)
    scale = max(float(np.max(np.abs(A))), 1e-300)
    asym = float(np.max(np.abs(A - A.T)))
    if asym > 1e-8 * scale:
        raise ValueError(f"{name} must be symmetric (a Hessian), got max|{name} - {name}^T| = {asym:.3g}")
    A = 0.5 * (A + A.T)
    lam, Q = np.linalg.eigh(A)
    tol = 1e-10 * max(float(np.max(np.abs(lam))), 1e-300)
    if psd:
        if lam[0] < -tol:
            raise ValueError(f"{name} must be positive semi-definite, got smallest eigenvalue {lam[0]:.6g}")
        lam = np.where(lam < tol, np.maximum(lam, 0.0), lam)
    return A, lam, Q


def float_vector(name, v, d=None, dname="H"):
    """``v`` as a finite float64 vector (with ``d`` entries, the size of the ``dname`` matrix, if given)."""
    a = float_array(name, v, ndim=1, dtype=np.float64)
    if d is not None and a.shape[0] != d:
        raise ValueError(f"{name} has {a.shape[0]} entries but {dname} is {d}x{d}: "
                         f"got {name}.shape={a.shape}")
    return a


def step_counts(tau, name="tau"):
    """``tau``: an integer number of steps >= 0, or an array of them, as an int64 array."""
    t = numbers_array(name, tau)
    if t.dtype.kind == "b":
        raise type_error(name, "an integer number of steps >= 0 (or an array of them)", tau)
    if t.dtype.kind == "f":
        if not (np.all(np.isfinite(t)) and np.all(t == np.round(t))):
            raise ValueError(f"{name} must be an integer number of steps >= 0 (or an array of them), "
                             f"got {name}={tau!r}")
        t = t.astype(np.int64)
    if t.size and t.min() < 0:
        raise ValueError(f"{name} must be >= 0, got {name}={tau!r}")
    return t


def regression_data(X, y):
    """``(X, y)``: a finite float64 matrix ``(n, d)`` and a vector ``(n,)``."""
    X = float_array("X", X, ndim=2, dtype=np.float64)
    y = float_array("y", y, ndim=1, dtype=np.float64)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y must be a vector with one entry per row of X ({X.shape[0]},), got y.shape={y.shape}")
    return X, y
