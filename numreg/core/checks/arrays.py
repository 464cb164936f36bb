"""Checks of arrays: numeric data, class labels, shapes, dtypes, and sizes that would not fit in memory.

Data given to numreg must be real numbers: float16, float32 or float64 are
kept as they are, integers and bools are converted to float (``float64``
unless the caller says which), and strings, objects, complex numbers and
ragged lists are refused with an
:class:`~numreg.core.checks.errors.ArgumentTypeError` naming the argument.
NaN and infinity are refused with a ``ValueError`` that says where the first
one is, so that a NaN never passes silently through a function into its
output.
"""
import os

import numpy as np

from .errors import show, type_error
from .scalars import count, integer, pair

__all__ = ["FLOAT_DTYPES", "float_dtype", "numbers_array", "finite", "float_array", "labels",
           "image_shape", "allocation", "memory_limit", "index"]

FLOAT_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def float_dtype(name, dtype):
    """``np.dtype(dtype)`` if it is float16, float32 or float64 (the dtypes of weights and data)."""
    if dtype is None:   # np.dtype(None) is float64: refused, so that a forgotten argument is seen
        raise type_error(name, "a float dtype (np.float16, np.float32 or np.float64)", dtype)
    try:
        d = np.dtype(dtype)
    except TypeError:
        raise type_error(name, "a float dtype (np.float16, np.float32 or np.float64)", dtype) from None
    if d not in FLOAT_DTYPES:
        raise type_error(name, "a float dtype (np.float16, np.float32 or np.float64)", dtype)
    return d


def numbers_array(name, x):
    """``np.asarray(x)`` if it holds real numbers (ints, bools or floats of 16-64 bits), else a clear error."""
    if isinstance(x, (str, bytes, dict, set)) or x is None:
        raise type_error(name, "an array of numbers", x)
    try:
        a = np.asarray(x)
    except (ValueError, TypeError):  # a ragged list
        raise type_error(name, "an array of numbers of one shape (not a ragged list)", x) from None
    if a.dtype.kind in "iub" or (a.dtype.kind == "f" and a.dtype.itemsize in (2, 4, 8)):   # either byte order
        return a
    raise type_error(name, f"an array of real numbers (got dtype {a.dtype})", x)


def finite(name, a):
    """``a`` if every entry is finite, else ``ValueError`` naming ``name`` and where the first NaN/inf is."""
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise ValueError(f"{name} must hold finite numbers, got a non-finite value {name}{list(where)}={a[where]} "
                         f"(in {name} of shape {a.shape})")
    return a


def float_array(name, x, ndim=None, min_ndim=None, dtype=None, allow_empty=False, allow_nan=False):
    """``x`` as a float array with finite entries, of a given rank.

    Parameters
    ----------
    name, x : str, array_like
        The argument's name (shown in the messages) and the data.
    ndim : int or tuple of int or None, default None
        The allowed number(s) of dimensions (None: any).
    min_ndim : int or None, default None
        The least number of dimensions.
    dtype : dtype or None, default None
        The float dtype to convert to (None: float arrays are kept as they
        are, integer and bool arrays become float64).
    allow_empty : bool, default False
        Whether an array with no entries is accepted.
    allow_nan : bool, default False
        Whether NaN/inf entries are accepted (never for data).
    """
    a = numbers_array(name, x)
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and a.ndim not in allowed:
        dims = " or ".join(str(d) for d in allowed)
        raise ValueError(f"{name} must have {dims} dimensions, got {name}.shape={a.shape}")
    if min_ndim is not None and a.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions, got {name}.shape={a.shape}")
    if a.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty, got {name}.shape={a.shape}")
    target = np.dtype(dtype) if dtype is not None else (a.dtype if a.dtype.kind == "f" else np.dtype(np.float64))
    if a.dtype != target:
        a = a.astype(target)
    return a if allow_nan else finite(name, a)


def labels(name, y, n=None, n_classes=None):
    """Integer class labels: shape ``(n,)``, values in ``[0, n_classes)``, as an int64 array.

    Floats that are whole numbers (``3.0``) are accepted; NaN, fractions,
    bools, strings and objects are refused.

    Parameters
    ----------
    name, y : str, array_like
        The argument's name (shown in the messages) and the labels.
    n : int or None, default None
        The number of labels expected (one per example; None: any).
    n_classes : int or None, default None
        Labels must be below it (None: only >= 0 is checked).
    """
    t = numbers_array(name, y)
    if t.ndim != 1 or (n is not None and t.shape[0] != n):
        want = f"({n},)" if n is not None else "(n,)"
        raise ValueError(f"{name} must be integer labels of shape {want}, got {name}.shape={t.shape}")
    if t.dtype.kind == "b":
        raise type_error(name, "integer class labels (not bools)", y)
    if t.dtype.kind == "f":
        if not (np.isfinite(t).all() and np.all(t == np.round(t))):
            raise ValueError(f"{name} must hold integer class labels, got dtype {t.dtype} with "
                             f"non-integer values such as {name}={show(t[~(t == np.round(t))][:3])}")
    t = t.astype(np.int64, copy=False)
    if t.size:
        lo, hi = int(t.min()), int(t.max())
        if lo < 0 or (n_classes is not None and hi >= n_classes):
            bad = lo if lo < 0 else hi
            upper = f", {n_classes})" if n_classes is not None else ", ...)"
            raise ValueError(f"{name} holds label {bad}, outside [0{upper} for an output of "
                             f"{n_classes} classes")
    return t


def image_shape(name, v):
    """``(H, W)`` as a pair of ints >= 1 (``name[0]``/``name[1]`` named in the message)."""
    H, W = pair(name, v, "a pair (H, W)")
    return (count(f"{name}[0]", H), count(f"{name}[1]", W))


def memory_limit():
    """The most bytes one array may take: the machine's physical memory (16 GiB if it cannot be read)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 2 ** 34


def allocation(name, value, *shape, itemsize=8):
    """Refuse, before allocating, an array of ``shape`` that would take more than the machine's memory.

    Parameters
    ----------
    name : str
        The argument that sets the size (e.g. ``"n_classes"``), for the message.
    value : object
        Its value, for the message.
    *shape : int
        The shape of the array about to be allocated.
    itemsize : int, default 8
        Bytes per entry (8: float64 or int64).

    Returns
    -------
    int
        The number of bytes.
    """
    n = 1
    for s in shape:
        n *= int(s)
    nbytes = n * int(itemsize)
    if nbytes > memory_limit():
        raise ValueError(f"{name}={show(value)} asks for an array of shape {tuple(int(s) for s in shape)} "
                         f"({nbytes / 2**30:.3g} GiB), more than this machine's memory")
    return nbytes


def index(name, v, size):
    """``v`` as an int in ``[0, size)``: an index into a sequence of ``size`` items."""
    return integer(name, v, low=0, high=size - 1)
