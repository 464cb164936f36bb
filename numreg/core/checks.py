"""Small argument checks shared by the whole package (imports nothing else of numreg)."""
import inspect


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
