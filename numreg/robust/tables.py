"""Accuracy under corrupted inputs: ``nr.robustness`` and its table (§7.5, Tang & Eliasmith 2010).

The chapter's slides on noise robustness cite Tang & Eliasmith (2010):
networks trained on clean digits lose much of their accuracy on test
digits with occlusions or noise never seen in training. ``robustness``
measures that for any trained model: the test set is corrupted by each
named corruption (:mod:`numreg.corrupt`) at each level, and the accuracy
is recorded.

    table = nr.robustness(model, X_test, y_test)
    print(table)                                   # a table, one row per (corruption, level)
    nr.plots.robustness_curves({"dense": table, "local": table2})

(The module is called ``robust`` so that ``nr.robustness`` is the function.)
"""
import numpy as np

from .corrupt import CORRUPTIONS
from ..core import checks
from ..core.losses import check_labels
from ..training import predict

__all__ = ["robustness", "RobustnessTable", "compare"]


class RobustnessTable(dict):
    """Accuracy per corruption and level: ``table[name][level] -> accuracy``; prints as a table.

    A ``dict`` mapping each corruption's name to a dict ``{level: accuracy}``,
    in the order measured; ``table["clean"]`` is ``{0: accuracy on the
    clean data}``. ``str(table)`` (and ``repr``) is a text table with one
    row per corruption and level.

    Attributes
    ----------
    clean : float
        The accuracy without corruption (``table["clean"][0]``).
    n : int
        The number of test examples.
    """

    def __init__(self, *args, n=0, **kw):
        super().__init__(*args, **kw)
        self.n = n

    @property
    def clean(self):
        return self["clean"][0]

    def rows(self):
        """``[(corruption, level, accuracy), ...]`` in table order."""
        return [(name, level, acc) for name, levels in self.items() for level, acc in levels.items()]

    def __str__(self):
        rows = self.rows()
        w = max([len("corruption")] + [len(r[0]) for r in rows])
        lines = [f"{'corruption':<{w}}  {'level':>7}  {'accuracy':>8}"]
        lines += [f"{name:<{w}}  {_fmt(level):>7}  {acc:8.4f}" for name, level, acc in rows]
        return "\n".join(lines)

    __repr__ = __str__


def robustness(model, X, y, corruptions=None, seed=0, batch_size=1024, image_shape=None):
    """Accuracy of ``model`` on ``X`` corrupted by each named corruption, at each level.

    Parameters
    ----------
    model : Module
        A trained model; evaluated in evaluation mode (dropout and noise off),
        its mode restored afterwards.
    X : ndarray, (n, H, W) or (n, H*W)
        Clean test images, in the layout the model takes. Never modified.
    y : array_like of int, (n,)
        Labels.
    corruptions : dict, sequence of str, or None, default None
        What to apply. A dict ``{name: (function, levels)}`` with
        ``function(X, level, seed=...)`` returning corrupted images (e.g.
        ``{"occlusion": (nr.corrupt.occlude, [4, 8])}``), or
        ``{name: levels}`` for the names of :data:`numreg.corrupt.CORRUPTIONS`
        (``"occlude"``, ``"gaussian"``, ``"salt"``, ``"border"``), or a list
        of those names with their default levels. None: all four, with
        their default levels.
    seed : int, default 0
        Passed to every corruption: the same seed at every level (common
        random numbers: an occlusion of size 8 sits where the one of size 4
        did, so curves over the level are smoother).
    batch_size : int, default 1024
        Evaluation batch size.
    image_shape : (int, int) or None, default None
        Passed on to the corruptions (needed for flat, non-square images).

    Returns
    -------
    RobustnessTable
        ``table[name][level]`` = accuracy; ``table["clean"][0]`` first.

    Raises
    ------
    ValueError
        If the labels do not match ``X`` or the model's outputs, or a
        corruption is unknown or not a ``(function, levels)`` pair.
    """
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must be a batch of images, got X.shape={X.shape}")
    spec = _spec(corruptions)
    out = predict(model, X[:1], batch_size)
    y = check_labels(y, len(X), out.shape[1], name="y")
    table = RobustnessTable(n=len(X))
    table["clean"] = {0: _accuracy(model, X, y, batch_size)}
    extra = {} if image_shape is None else {"image_shape": image_shape}
    for name, (fn, levels) in spec.items():
        table[name] = {}
        for level in levels:
            Xc = fn(X, level, seed=seed, **extra)
            table[name][level] = _accuracy(model, Xc, y, batch_size)
    return table


def compare(tables, digits=4):
    """One text table for several models: a row per (corruption, level), a column per model.

    Parameters
    ----------
    tables : dict of str -> RobustnessTable
        E.g. ``{"dense": nr.robustness(m1, X, y), "local": nr.robustness(m2, X, y)}``,
        all measured on the same corruptions and levels.
    digits : int, default 4

    Returns
    -------
    str
    """
    digits = checks.integer("digits", digits, low=0, high=17)
    if not isinstance(tables, dict) or not tables:
        raise checks.value_error("tables", "a non-empty dict {name: RobustnessTable}", tables)
    names = list(tables)
    first = tables[names[0]]
    keys = [(c, lv) for c, lv, _ in first.rows()]
    for n in names[1:]:
        if [(c, lv) for c, lv, _ in tables[n].rows()] != keys:
            raise ValueError(f"table {n!r} has other corruptions or levels than {names[0]!r}")
    wc = max([len("corruption")] + [len(c) for c, _ in keys])
    widths = [max(len(n), digits + 2) for n in names]
    head = f"{'corruption':<{wc}}  {'level':>7}  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, widths))
    lines = [head]
    for c, lv in keys:
        vals = "  ".join(f"{tables[n][c][lv]:>{w}.{digits}f}" for n, w in zip(names, widths))
        lines.append(f"{c:<{wc}}  {_fmt(lv):>7}  {vals}")
    return "\n".join(lines)


def _accuracy(model, X, y, batch_size):
    return float(np.mean(predict(model, X, batch_size).argmax(axis=1) == y))


def _fmt(level):
    if isinstance(level, (float, np.floating)) and not float(level).is_integer():
        return f"{level:g}"
    return str(level)


def _spec(corruptions):
    if corruptions is None:
        return dict(CORRUPTIONS)
    if isinstance(corruptions, str):
        corruptions = [corruptions]
    if isinstance(corruptions, (list, tuple)):
        corruptions = {name: None for name in corruptions}
    if not isinstance(corruptions, dict):
        raise ValueError(f"corruptions must be a dict, a list of names or None, got {type(corruptions).__name__}")
    spec = {}
    for name, v in corruptions.items():
        if name == "clean":
            raise ValueError("corruptions: the name 'clean' is reserved for the uncorrupted accuracy")
        if _is_pair(v):
            spec[name] = (v[0], tuple(v[1]))
        elif v is None or _levels(v):
            if name not in CORRUPTIONS:
                raise ValueError(f"corruptions: unknown corruption {name!r}; known: {sorted(CORRUPTIONS)}, "
                                 f"or give a (function, levels) pair")
            spec[name] = (CORRUPTIONS[name][0], tuple(CORRUPTIONS[name][1] if v is None else v))
        else:
            raise ValueError(f"corruptions[{name!r}] must be (function, levels) or levels, got {v!r}")
    return spec


def _levels(v):
    """A flat sequence of numbers."""
    return isinstance(v, (tuple, list, np.ndarray)) and all(
        isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) for x in v)


def _is_pair(v):
    return isinstance(v, (tuple, list)) and len(v) == 2 and callable(v[0]) and _levels(v[1])
