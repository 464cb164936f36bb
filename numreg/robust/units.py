"""Binary units of the RBM family: the checks of their states (values in [0, 1], masks; built on the
validation layer, ValueError naming the argument) and the elementwise functions of their conditionals
(sigmoid in place, Bernoulli draws, softplus)."""
import numpy as np

from ..core import checks

__all__ = ["check_units", "check_mask", "sigmoid_", "bernoulli", "softplus"]


def check_units(V, width, name, dtype):
    """``V`` as a ``(n, width)`` array of ``dtype`` with values in [0, 1] (no copy when it already is).

    Images ``(n, H, W)`` are flattened row by row. The validation layer
    refuses what is not an array of real numbers (``ArgumentTypeError``),
    NaN/inf and an empty array; a wrong width or a value outside [0, 1] is a
    ``ValueError`` naming ``name``.
    """
    a = checks.numbers_array(name, V)
    if a.ndim > 2:
        a = a.reshape(a.shape[0], -1)
    if a.ndim != 2 or a.shape[1] != width:
        raise ValueError(f"{name} must have {width} columns (one per unit), got {name}.shape={np.shape(V)}")
    a = checks.float_array(name, a, dtype=dtype)
    lo, hi = float(a.min()), float(a.max())
    if lo < 0 or hi > 1:
        bad = lo if lo < 0 else hi
        raise ValueError(f"{name} must hold binary values or intensities in [0, 1], got a value {bad!r} in {name}")
    return a


def check_mask(mask, shape):
    m = checks.numbers_array("mask", mask)
    if m.shape != shape:
        raise ValueError(f"mask must have the shape of W, (n_visible, n_hidden) = {shape}, got mask.shape={m.shape}")
    if m.dtype != bool:
        if m.dtype.kind not in "fiu" or not np.all((m == 0) | (m == 1)):
            raise ValueError("mask must hold 0/1 (or booleans), got other values in mask")
        m = m.astype(bool)
    return m


# -- elementwise functions of the units ---------------------------------------------------------

def sigmoid_(a):
    """``a <- 1 / (1 + exp(-a))`` in place (exp(-a) = inf for a very negative gives exactly 0)."""
    with np.errstate(over="ignore"):
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1
        np.reciprocal(a, out=a)
    return a


def bernoulli(P, rng):
    """Binary states ``P > U``, U uniform in [0, 1), as P's dtype: each unit 1 with probability P."""
    u = rng.random(P.shape, dtype=P.dtype if P.dtype in (np.float32, np.float64) else np.float64)
    np.less(u, P, out=u)           # 1.0 where u < P, else 0.0 (u reused as the output)
    return u


def softplus(a):
    """``log(1 + exp(a))`` without overflow."""
    return np.logaddexp(0, a)
