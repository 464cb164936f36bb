"""Small argument checks shared by the whole package (imports nothing else of numreg)."""
import inspect
import numbers

import numpy as np


def accepts_argument(f):
    """Whether the callable ``f`` takes an argument (``f(x)``) rather than none (``f()``).

    Used where numreg accepts either form, e.g. ``make_model(seed)`` or
    ``make_model()``. A callable whose signature cannot be read (a builtin)
    is taken to accept one.
    """
    try:
        return len(inspect.signature(f).parameters) > 0
    except (TypeError, ValueError):
        return True


def call_with_optional(f, arg):
    """``f(arg)`` if ``f`` takes an argument, else ``f()``."""
    return f(arg) if accepts_argument(f) else f()


def as_list(x, kind, name):
    """``x`` (one ``kind`` object or an iterable of them) as a list, or ``ValueError`` naming ``name``."""
    if isinstance(x, kind):
        return [x]
    try:
        items = list(x)
    except TypeError:
        raise ValueError(f"{name} must be a {kind.__name__} or a list of them, got {name}={x!r}") from None
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise ValueError(f"{name} must hold {kind.__name__} objects, got {name}[{i}]={item!r}")
    return items


# -- numbers, vectors and matrices of the closed forms (the theory modules) ---------
def nonnegative(name, v):
    """A finite real number >= 0, as float; ValueError naming ``name`` otherwise."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {name}={v!r}")
    return float(v)


def positive(name, v):
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {name}={v!r}")
    return float(v)


def hessian(H, name="H", psd=True):
    """``H`` as a float64 square symmetric (and, if ``psd``, positive semi-definite) matrix.

    Returns ``(H, lam, Q)`` with ``H = Q diag(lam) Q^T``; tiny negative
    eigenvalues from round-off (``>= -1e-10 * max|lam|``) are set to 0.
    """
    A = np.asarray(H, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got {name}.shape={np.shape(H)}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must hold finite numbers, got a non-finite entry in {name}")
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
    a = np.asarray(v, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be a vector (1-D), got {name}.shape={np.shape(v)}")
    if d is not None and a.shape[0] != d:
        raise ValueError(f"{name} has {a.shape[0]} entries but {dname} is {d}x{d}: "
                         f"got {name}.shape={a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must hold finite numbers")
    return a


def step_counts(tau):
    t = np.asarray(tau)
    if t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
        if t.dtype.kind == "f" and np.all(np.isfinite(t)) and np.all(t == np.round(t)):
            t = t.astype(np.int64)
        else:
            raise ValueError(f"tau must be an integer number of steps >= 0 (or an array of them), got tau={tau!r}")
    if t.size and t.min() < 0:
        raise ValueError(f"tau must be >= 0, got tau={tau!r}")
    return t


def regression_data(X, y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix (n, d), got X.shape={X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must be a vector with one entry per row of X ({X.shape[0]},), got y.shape={y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must hold finite numbers")
    return X, y
