"""Splitting data: a validation set, mini-batches, and small balanced subsets.

Early stopping (Algorithm 7.1) needs a validation set taken out of the
training data; the small-data experiments of the chapter need balanced
subsets; training needs shuffled mini-batches. Everything here is driven by
``numpy.random.default_rng`` so a seed gives the same split every time.
"""
import numpy as np

from ..core import checks

__all__ = ["train_valid_split", "batches", "subsample"]


def _check_pair(X, y):
    X = checks.finite("X", checks.numbers_array("X", X))
    y = checks.finite("y", checks.numbers_array("y", y))
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays with one example per row, got "
                         f"X of shape {X.shape} and y of shape {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same length, got len(X)={len(X)} "
                         f"and len(y)={len(y)}")
    return X, y


def train_valid_split(X, y, valid_fraction=0.2, seed=None):
    """Split ``(X, y)`` at random into a training and a validation part.

    Parameters
    ----------
    X : array_like, shape (n, ...)
        Inputs, one example per row.
    y : array_like, shape (n, ...)
        Targets, one per row of ``X``.
    valid_fraction : float, default 0.2
        Fraction of the examples put in the validation part, in (0, 1). The
        validation part gets ``round(valid_fraction * n)`` examples, and at
        least one example goes to each part.
    seed : int, numpy.random.Generator or None, default None
        Seed of ``np.random.default_rng`` that draws the permutation; the
        same seed gives the same split. None draws a fresh one.

    Returns
    -------
    (X_train, y_train), (X_valid, y_valid)
        New arrays (fancy-indexed copies), in the order of the permutation.

    Raises
    ------
    ValueError
        If ``valid_fraction`` is not in (0, 1), ``len(X) != len(y)``, or there
        are fewer than 2 examples.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> (Xt, yt), (Xv, yv) = train_valid_split(X, y, valid_fraction=0.4, seed=0)
    >>> len(yt), len(yv)
    (3, 2)
    """
    X, y = _check_pair(X, y)
    valid_fraction = checks.probability("valid_fraction", valid_fraction, allow_zero=False)
    n = len(X)
    if n < 2:
        raise ValueError(f"need at least 2 examples to split, got len(X)={n}")
    n_valid = min(max(int(round(valid_fraction * n)), 1), n - 1)
    perm = checks.generator("seed", seed).permutation(n)
    valid, train = perm[:n_valid], perm[n_valid:]
    return (X[train], y[train]), (X[valid], y[valid])


def batches(X, y, batch_size, shuffle=True, rng=None):
    """Yield mini-batches ``(X_batch, y_batch)`` covering the data once.

    Parameters
    ----------
    X : array_like, shape (n, ...)
        Inputs.
    y : array_like, shape (n, ...)
        Targets.
    batch_size : int
        Examples per batch, >= 1. The last batch holds the remainder
        (``n % batch_size`` examples) if it is not zero, as PyTorch's
        ``DataLoader(drop_last=False)``.
    shuffle : bool, default True
        Visit the examples in a random order (a new permutation on every
        call); otherwise in order, and each batch is a view (no copy).
    rng : int, numpy.random.Generator or None, default None
        Generator (or seed of one) for the permutation. Pass the same
        Generator on every epoch to get a different, reproducible order
        each epoch.

    Yields
    ------
    X_batch, y_batch : ndarray

    Raises
    ------
    ValueError
        If ``batch_size`` is not an integer >= 1 or ``len(X) != len(y)``.
    """
    batch_size = checks.count("batch_size", batch_size)
    shuffle = checks.flag("shuffle", shuffle)
    rng = checks.seed("rng", rng)
    X, y = _check_pair(X, y)
    return _batches(X, y, batch_size, shuffle, rng)


def _batches(X, y, batch_size, shuffle, rng):
    # A separate generator function, so that the checks above run at the call,
    # not at the first next().
    n = len(X)
    if shuffle:
        order = checks.generator("rng", rng).permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            yield X[idx], y[idx]
    else:
        for start in range(0, n, batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]


def subsample(X, y, n, seed=None, stratified=True):
    """Draw ``n`` examples without replacement, classes as balanced as possible.

    With ``stratified=True`` each class gets ``n // k`` examples and the
    remaining ``n % k`` go one each to randomly chosen classes (``k`` classes
    in ``y``); a class with too few examples gives all it has and the others
    make up the difference, still as evenly as possible. For example
    ``n=25`` from 10 balanced classes gives five classes 3 examples and five
    classes 2.

    Parameters
    ----------
    X : array_like, shape (N, ...)
        Inputs.
    y : array_like, shape (N,)
        Class labels (any values numpy can sort; usually int 0..k-1).
    n : int
        Number of examples to return, 0 <= n <= N.
    seed : int, numpy.random.Generator or None, default None
        Seed for ``np.random.default_rng``; the same seed gives the same
        subset.
    stratified : bool, default True
        Balance the classes as above; if False, a plain uniform draw of
        ``n`` examples.

    Returns
    -------
    X_sub, y_sub : ndarray
        ``n`` examples, shuffled (classes interleaved at random).

    Raises
    ------
    ValueError
        If ``n`` is not an integer in [0, N] or ``len(X) != len(y)``, or if
        ``stratified`` and ``y`` is not one-dimensional.
    """
    X, y = _check_pair(X, y)
    N = len(X)
    n = checks.integer("n", n, low=0, high=N)   # at most the number of examples
    stratified = checks.flag("stratified", stratified)
    rng = checks.generator("seed", seed)
    if not stratified:
        idx = rng.choice(N, size=int(n), replace=False)
        return X[idx], y[idx]
    if y.ndim != 1:
        raise ValueError(f"stratified subsample needs 1-D class labels y, got shape {y.shape}")
    classes, inverse, counts = np.unique(y, return_inverse=True, return_counts=True)
    take = _balanced_counts(counts, int(n), rng)
    # A random order inside each class: sort by (class, random key).
    order = np.lexsort((rng.random(N), inverse))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    # Position of each sorted example within its class; keep the first take[c].
    rank = np.arange(N) - np.repeat(starts, counts)
    chosen = order[rank < np.repeat(take, counts)]
    idx = rng.permutation(chosen)
    return X[idx], y[idx]


def _balanced_counts(counts, n, rng):
    """How many examples to take from each class: as even as possible, capped by ``counts``.

    Water-filling: raise a common level until the capped sum reaches n, then
    hand the few remaining units to random classes still below their cap.
    """
    k = len(counts)
    lo, hi = 0, int(counts.max()) if k else 0
    # Largest level L with sum(min(counts, L)) <= n (binary search; k is small).
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if np.minimum(counts, mid).sum() <= n:
            lo = mid
        else:
            hi = mid - 1
    take = np.minimum(counts, lo)
    rest = n - int(take.sum())
    if rest:
        open_ = np.flatnonzero(take < counts)
        take[rng.choice(open_, size=rest, replace=False)] += 1
    return take
