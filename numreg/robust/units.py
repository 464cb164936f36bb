"""Binary units of the RBM family: argument checks (values in [0, 1], masks, counts; ValueError naming the
argument) and the elementwise functions of their conditionals (sigmoid in place, Bernoulli draws, softplus)."""
import numbers

import numpy as np

__all__ = ["check_units", "check_mask", "positive_int", "unit_interval", "sigmoid_", "bernoulli", "softplus"]


def positive_int(name, v):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
        raise ValueError(f"{name} must be a positive integer, got {name}={v!r}")
    return int(v)


def unit_interval(name, v, closed_right=False):
    ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and np.isfinite(v)
    if not ok or v < 0 or (v >= 1 and not closed_right) or v > 1:
        side = "]" if closed_right else ")"
        raise ValueError(f"{name} must be in [0, 1{side}, got {name}={v!r}")
    return float(v)


def check_units(V, width, name, dtype):
    """``V`` as a ``(n, width)`` array of ``dtype`` with values in [0, 1] (no copy when it already is).

    Images ``(n, H, W)`` are flattened row by row. ValueError (naming ``name``)
    on a wrong width, NaN, or a value outside [0, 1].
    """
    a = np.asarray(V)
    if a.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold numbers, got {name}.dtype={a.dtype}")
    if a.ndim > 2:
        a = a.reshape(a.shape[0], -1)
    if a.ndim != 2 or a.shape[1] != width:
        raise ValueError(f"{name} must have {width} columns (one per unit), got {name}.shape={np.shape(V)}")
    a = a.astype(dtype, copy=False)
    if a.size:
        if np.isnan(a).any():
            raise ValueError(f"{name} must not hold NaN, got a NaN in {name}")
        lo, hi = float(a.min()), float(a.max())
        if lo < 0 or hi > 1:
            bad = lo if lo < 0 else hi
            raise ValueError(f"{name} must hold binary values or intensities in [0, 1], got a value {bad!r} in {name}")
    return a


def check_mask(mask, shape):
    m = np.asarray(mask)
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
