"""Checks of objects: lists of a kind, objects with given methods, callables that take an argument."""
import inspect
import os

from .errors import type_error, value_error

__all__ = ["accepts_argument", "call_with_optional", "as_list", "has_methods", "instance", "path", "function", "sequence"]


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
    """``x`` (one ``kind`` object or an iterable of them) as a list, or an error naming ``name`` (or ``name[i]``).

    Parameters
    ----------
    x : object
        One object of ``kind``, or an iterable of them (not a string).
    kind : type or tuple of types
        What each item must be an instance of.
    name : str
        The argument's name, for the message.
    """
    if isinstance(x, kind):
        return [x]
    if isinstance(x, (str, bytes)):
        raise type_error(name, f"a {kind.__name__} or a list of them", x)
    try:
        items = list(x)
    except TypeError:
        raise type_error(name, f"a {kind.__name__} or a list of them", x) from None
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise type_error(f"{name}[{i}]", f"a {kind.__name__}", item)
    return items


def has_methods(name, obj, methods, what):
    """``obj`` if it has every method in ``methods`` (and is not a class), else an error naming ``name``.

    Parameters
    ----------
    name, obj : str, object
        The argument's name (shown in the messages) and the value to check.
    methods : sequence of str
        The methods the caller will call.
    what : str
        What was expected, e.g. ``"a penalty such as nr.L2(alpha)"``.
    """
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing or isinstance(obj, type):
        wanted = ", ".join(m + "()" for m in methods)
        raise type_error(name, f"{what} (an instance with {wanted})", obj)
    return obj


def instance(name, obj, kind, what=None):
    """``obj`` if it is an instance of ``kind`` (a class or tuple of classes), else an error naming ``name``."""
    if not isinstance(obj, kind):
        if what is None:
            kinds = kind if isinstance(kind, tuple) else (kind,)
            what = "a " + " or ".join(k.__name__ for k in kinds)
        raise type_error(name, what, obj)
    return obj



def path(name, v):
    """``v`` as a ``str`` path if it is a non-empty ``str`` or ``os.PathLike`` (a ``pathlib.Path``)."""
    if not isinstance(v, (str, os.PathLike)):
        raise type_error(name, "a file path (a str or a pathlib.Path)", v)
    p = os.fspath(v)
    if not isinstance(p, str) or not p:
        raise value_error(name, "a non-empty file path", v)
    return p


def function(name, f, what="a function"):
    """``f`` if it is callable (``None``, a number, a string are refused); ``what`` says what was expected."""
    if not callable(f):
        raise type_error(name, what, f)
    return f


def sequence(name, v, what="a list (or tuple)"):
    """``v`` as a list if it is a list, tuple or other iterable that is not a string or a dict."""
    if isinstance(v, (str, bytes, dict)) or not hasattr(v, "__iter__"):
        raise type_error(name, what, v)
    return list(v)
