"""Checks of single values: real numbers, integers, probabilities, choices, flags and pairs.

Each function takes the argument's ``name`` first and its value second,
returns the value converted (``float``, ``int``, ``bool``, a tuple), and
raises :class:`~numreg.core.checks.errors.ArgumentTypeError` for a value of
the wrong kind (a string, ``None``, a complex number, a bool where a number
is meant) or ``ValueError`` for a value out of its range (NaN, infinity,
negative, too large), naming the argument and the value.

Every check takes ``name`` (str: the argument's name, which the message
shows) and the value ``v`` first; the one-line docstrings below describe
only what the check accepts.
"""
import math
import numbers

import numpy as np

from .errors import type_error, value_error

__all__ = ["real", "nonnegative", "positive", "probability", "integer", "count", "flag", "choice",
           "interval", "pair", "seed", "generator", "optional"]


def _is_bool(v):
    return isinstance(v, (bool, np.bool_))


def _scalar(v):
    """A 0-d numpy array as its item; anything else unchanged."""
    return v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v


def real(name, v, low=None, high=None, low_open=False, high_open=False, finite=True, allow_nan=False):
    """``v`` as a float: a real number (not a bool, not a string) within the bounds.

    Parameters
    ----------
    name, v : str, object
        The argument's name (shown in the messages) and the value to check.
    low, high : float or None, default None
        Bounds (None: unbounded on that side).
    low_open, high_open : bool, default False
        Whether the bound itself is excluded (``> low`` rather than ``>= low``).
    finite : bool, default True
        Whether infinity is refused.
    allow_nan : bool, default False
        Whether NaN is accepted (and returned as NaN): a monitored loss that
        became NaN is a value to act on, not a mistake of the caller.
    """
    v = _scalar(v)
    if _is_bool(v) or not isinstance(v, numbers.Real):
        raise type_error(name, "a real number", v)
    try:
        f = float(v)
    except OverflowError:
        raise value_error(name, "a number that fits in a float", v) from None
    if math.isnan(f) and allow_nan:
        return f
    if math.isnan(f) or (finite and math.isinf(f)):
        raise value_error(name, "a finite number" if finite else "a number (not NaN)", v)
    below = low is not None and (f <= low if low_open else f < low)
    above = high is not None and (f >= high if high_open else f > high)
    if below or above:
        raise value_error(name, _range_text(low, high, low_open, high_open), v)
    return f


def _range_text(low, high, low_open, high_open):
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return "a finite number " + " and ".join(parts)


def nonnegative(name, v):
    """``v`` as a float: a finite real number >= 0 (a penalty's alpha, a noise level)."""
    return real(name, v, low=0.0)


def positive(name, v):
    """``v`` as a float: a finite real number > 0 (a learning rate, a radius)."""
    return real(name, v, low=0.0, low_open=True)


def probability(name, p, allow_one=False, allow_zero=True):
    """``p`` as a float in ``[0, 1)`` (a drop probability, a fraction).

    Parameters
    ----------
    name, p : str, object
        The argument's name (shown in the messages) and the value to check.
    allow_one : bool, default False
        Accept 1 (``[0, 1]``), e.g. a fraction of pixels.
    allow_zero : bool, default True
        Accept 0; False gives ``(0, ...``, e.g. a validation fraction.
    """
    return real(name, p, low=0.0, high=1.0, low_open=not allow_zero, high_open=not allow_one)


def integer(name, v, low=None, high=None):
    """``v`` as an int: an integer (Python or numpy; not a bool, not a float such as 2.0) in ``[low, high]``.

    Parameters
    ----------
    name, v : str, object
        The argument's name (shown in the messages) and the value to check (a 0-d integer array is accepted).
    low, high : int or None, default None
        Inclusive bounds (None: unbounded on that side).
    """
    v = _scalar(v)
    if low is not None and high is not None:
        what = f"an integer in [{low}, {high}]"
    else:
        what = "an integer" + (f" >= {low}" if low is not None else "") + (f" <= {high}" if high is not None else "")
    if _is_bool(v) or not isinstance(v, numbers.Integral):
        raise type_error(name, what, v)
    i = int(v)
    if (low is not None and i < low) or (high is not None and i > high):
        raise value_error(name, what, v)
    return i


def count(name, v, low=1, high=None):
    """``v`` as an int >= ``low``: a number of epochs, units, examples, neighbours.

    Parameters
    ----------
    name, v : str, object
        The argument's name (shown in the messages) and the value to check.
    low : int, default 1
        The least count accepted.
    high : int or None, default None
        The largest (None: no limit; sizes that would not fit in memory are
        refused by :func:`~numreg.core.checks.arrays.allocation`).
    """
    return integer(name, v, low=low, high=high)


def flag(name, v):
    """``v`` as a bool: ``True``/``False`` (or numpy's); ``0``, ``1`` and strings are refused."""
    if not _is_bool(v):
        raise type_error(name, "True or False", v)
    return bool(v)


def choice(name, v, options):
    """``v`` if it is one of ``options``, else an error listing them.

    Parameters
    ----------
    name, v : str, object
        The argument's name (shown in the messages) and the value to check; strings are compared by value, other options
        (``None``) by identity.
    options : sequence
        The accepted values.
    """
    if isinstance(v, str) and v in options:
        return v
    if not isinstance(v, str) and any(v is o for o in options):
        return v
    listed = ", ".join(repr(o) for o in options)
    if not isinstance(v, str) and all(isinstance(o, str) for o in options):
        raise type_error(name, f"one of {listed}", v)
    raise value_error(name, f"one of {listed}", v)


def interval(name, v, symmetric=False, low=None, high=None, finite=True):
    """``(lo, hi)`` as floats with ``lo <= hi``, from a pair of real numbers.

    Parameters
    ----------
    name, v : str, object
        The argument's name (``name[0]``/``name[1]`` for an end) and a pair ``(lo, hi)``, or with ``symmetric`` a number ``h >= 0`` meaning ``(-h, h)``.
    symmetric : bool, default False
        Whether a single number is accepted (an angle range ``degrees=15``).
    low, high : float or None, default None
        Bounds of both ends.
    finite : bool, default True
        False allows infinite ends (a clip range with no upper bound).
    """
    if symmetric and np.ndim(v) == 0 and not isinstance(v, (str, bytes)):
        h = real(name, v, low=0.0, finite=finite)
        return (-h, h)
    pair(name, v, "a number >= 0 or a pair (lo, hi)" if symmetric else "a pair (lo, hi)")
    lo = real(f"{name}[0]", v[0], low=low, high=high, finite=finite)
    hi = real(f"{name}[1]", v[1], low=low, high=high, finite=finite)
    if lo > hi:
        raise value_error(name, "a pair (lo, hi) with lo <= hi", v)
    return (lo, hi)


def pair(name, v, what="a pair"):
    """``(v[0], v[1])`` if ``v`` is a sequence of two items (not a string), else an error naming ``name``.

    Parameters
    ----------
    name, v : str, object
        The argument's name (shown in the messages) and the value to check.
    what : str, default "a pair"
        What the message says was expected, e.g. ``"a pair (H, W)"``.
    """
    if isinstance(v, (str, bytes, dict, set)) or not hasattr(v, "__len__") or len(v) != 2:
        raise type_error(name, what, v)
    return (v[0], v[1])


def seed(name, v):
    """``v`` if it can seed ``np.random.default_rng``: None, an integer >= 0, a ``SeedSequence`` or a ``Generator``."""
    if v is None or isinstance(v, (np.random.SeedSequence, np.random.Generator, np.random.BitGenerator)):
        return v
    return integer(name, v, low=0)


def generator(name, v):
    """``np.random.default_rng(v)`` after :func:`seed` has checked ``v``."""
    return np.random.default_rng(seed(name, v))


def optional(check, name, v, *args, **kwargs):
    """``None`` if ``v`` is None, else ``check(name, v, *args, **kwargs)``: an argument whose default is None.

    Parameters
    ----------
    check : callable
        One of the checks, e.g. :func:`count`.
    name : str
        The argument's name.
    v : object
        The value.
    *args, **kwargs
        Passed on to ``check``.
    """
    return None if v is None else check(name, v, *args, **kwargs)
