r"""Prechelt's stopping criteria (§7.8; Prechelt 1998, "Early stopping -- but when?").

Each criterion is a callable ``criterion(train_losses, valid_losses) -> bool``
on the per-epoch histories so far: True means "stop after the last epoch".
They are functions of the histories only (no hidden state), so they can be
asked about any prefix of a run, resumed from a checkpoint, or applied after
the fact to a recorded run -- as Prechelt did.

With ``E_va(t)`` the validation error after epoch ``t`` (counted from 1),
``E_tr(t)`` the training error, and

.. math::

    E_{opt}(t) = \min_{t' \le t} E_{va}(t'),

the criteria are

- ``GL(alpha)``, the *generalization loss*: stop after the first epoch with
  ``GL(t) = 100 (E_va(t) / E_opt(t) - 1) > alpha``.
- ``PQ(alpha, strip=k)``, the *progress quotient*: with the training
  progress over the strip of the last ``k`` epochs

  .. math::

      P_k(t) = 1000 \left( \frac{\sum_{t'=t-k+1}^{t} E_{tr}(t')}
                               {k \min_{t'=t-k+1}^{t} E_{tr}(t')} - 1 \right),

  stop at the end of the first strip (``t`` a multiple of ``k``) with
  ``GL(t) / P_k(t) > alpha``.
- ``UP(s, strip=k)``, *up-crossings*: stop at the end of a strip when the
  validation error rose over each of the last ``s`` strips:
  ``E_va(t - i k) > E_va(t - (i + 1) k)`` for ``i = 0 .. s - 1``
  (``UP_1``: ``E_va(t) > E_va(t - k)``).
- ``Patience(p)``: the book's Algorithm 7.1 rule -- stop once ``p``
  evaluations in a row did not improve on the best so far.

Use them with ``nr.EarlyStopping(criterion=nr.GL(5))``, which keeps the best
parameters ``theta*`` while the criterion decides when to stop.
"""
import math

import numpy as np

from ...core import checks

__all__ = ["Criterion", "GL", "PQ", "UP", "Patience", "check_histories", "generalization_loss",
           "training_progress"]


def check_histories(train_losses, valid_losses):
    """Both histories as float64 arrays of the same length.

    Raises
    ------
    ValueError
        If they are not 1-D sequences of numbers of equal length, or a
        validation error is negative (Prechelt's errors are >= 0).
    """
    tr, va = (checks.float_array(name, [] if v is None else v, ndim=1, dtype=np.float64, allow_empty=True,
                                 allow_nan=True)
              for name, v in (("train_losses", train_losses), ("valid_losses", valid_losses)))
    if len(tr) != len(va):
        raise ValueError(f"train_losses and valid_losses must have the same length (one value per epoch), "
                         f"got len(train_losses)={len(tr)} and len(valid_losses)={len(va)}")
    if np.any(va < 0):
        raise ValueError(f"valid_losses must be >= 0 (an error), got valid_losses={va.tolist()!r}")
    return tr, va


def generalization_loss(valid_losses):
    """``GL(t) = 100 (E_va(t) / E_opt(t) - 1)`` for every epoch ``t`` (Prechelt's Eq. for GL).

    Parameters
    ----------
    valid_losses : sequence of float
        ``E_va(1), ..., E_va(T)``, each >= 0.

    Returns
    -------
    ndarray of shape (T,)
        ``GL(t)`` in percent. Where ``E_opt(t) = 0``: 0 if ``E_va(t) = 0`` too, else ``inf``.

    Examples
    --------
    ``E_va = [1.0, 0.8, 0.9]``: ``E_opt = [1.0, 0.8, 0.8]``, ``GL = [0, 0, 12.5]``.
    """
    _, va = check_histories(np.zeros(len(valid_losses)), valid_losses)
    e_opt = np.minimum.accumulate(va) if len(va) else va
    with np.errstate(divide="ignore", invalid="ignore"):
        gl = 100.0 * (va - e_opt) / e_opt           # = 100 (E_va/E_opt - 1), exact when E_va = E_opt
    gl[(e_opt == 0) & (va == 0)] = 0.0
    return gl


def training_progress(train_losses, strip=5):
    """``P_k(t) = 1000 (sum of the strip's E_tr / (k min of the strip's E_tr) - 1)`` for every ``t >= k``.

    Parameters
    ----------
    train_losses : sequence of float
        ``E_tr(1), ..., E_tr(T)``, each > 0.
    strip : int, default 5
        ``k``, the strip length in epochs.

    Returns
    -------
    ndarray of shape (T,)
        ``P_k(t)`` in per mille for ``t >= k`` (the strip ``t-k+1 .. t``), NaN for ``t < k``.

    Examples
    --------
    ``E_tr = [2, 1, 1, 1, 1]`` with ``k = 5``: sum 6, min 1, ``P_5(5) = 1000 (6/5 - 1) = 200``.
    """
    k = checks.count("strip", strip)
    tr = np.asarray(train_losses, dtype=np.float64)
    out = np.full(len(tr), np.nan)
    if len(tr) >= k:
        windows = np.lib.stride_tricks.sliding_window_view(tr, k)     # (T-k+1, k), no copy
        lo = windows.min(axis=1)
        if np.any(~np.isfinite(windows)) or np.any(lo <= 0):
            raise ValueError(f"train_losses must be finite and > 0 for the training progress P_k, "
                             f"got train_losses={tr.tolist()!r}")
        out[k - 1:] = 1000.0 * (windows.sum(axis=1) / (k * lo) - 1.0)
    return out


class Criterion:
    """Base class of the stopping criteria: ``criterion(train_losses, valid_losses) -> bool``.

    A subclass implements :meth:`fires`, the criterion evaluated after
    every epoch of the histories at once; ``__call__`` is its last entry and
    :meth:`first_stop` the first epoch where it is True.
    """

    #: Short name as in Prechelt's tables, e.g. ``"GL5"``.
    name = "criterion"

    def fires(self, train_losses, valid_losses):
        """Boolean array: entry ``t-1`` is True if the criterion says "stop" after epoch ``t``."""
        raise NotImplementedError

    def stops(self, train_losses, valid_losses):
        """Boolean array: where :meth:`fires`, and wherever a loss is NaN or infinite.

        A non-finite loss means the run diverged (its generalization loss
        ``GL`` is NaN, which no threshold would ever exceed), so every
        criterion stops there.
        """
        tr, va = check_histories(train_losses, valid_losses)
        return self.fires(tr, va) | ~np.isfinite(tr) | ~np.isfinite(va)

    def __call__(self, train_losses, valid_losses):
        """True if training should stop after the last epoch of the histories (see :meth:`stops`)."""
        f = self.stops(train_losses, valid_losses)
        return bool(f[-1]) if len(f) else False

    def first_stop(self, train_losses, valid_losses):
        """The first epoch (from 1) after which the criterion stops training, or None if it never does."""
        f = self.stops(train_losses, valid_losses)
        hits = np.flatnonzero(f)
        return int(hits[0]) + 1 if len(hits) else None

    def __str__(self):
        return self.name


class GL(Criterion):
    """Prechelt's ``GL_alpha``: stop after the first epoch with generalization loss ``GL(t) > alpha``.

    ``GL(t) = 100 (E_va(t) / E_opt(t) - 1)`` is how far, in percent, the
    validation error has climbed above the lowest seen so far.

    Parameters
    ----------
    alpha : float
        Threshold in percent, > 0 (Prechelt tried 1, 2, 3, 5).

    A NaN or infinite validation (or training) loss stops training at that
    epoch: ``GL`` would be NaN there, which no threshold exceeds, and a
    diverged run should not go on (see :meth:`Criterion.stops`).

    Examples
    --------
    ``E_va = [1.0, 0.8, 0.9]``: ``GL = [0, 0, 12.5]``; ``GL(5)`` stops after epoch 3.

    References
    ----------
    Prechelt (1998), "Early stopping -- but when?", in *Neural Networks: Tricks of the Trade*, §2.2.
    """

    def __init__(self, alpha):
        self.alpha = checks.positive("alpha", alpha)
        self.name = f"GL{self.alpha:g}"

    def fires(self, train_losses, valid_losses):
        check_histories(train_losses, valid_losses)
        return generalization_loss(valid_losses) > self.alpha

    def __repr__(self):
        return f"GL(alpha={self.alpha:g})"


class PQ(Criterion):
    """Prechelt's ``PQ_alpha``: stop at the end of the first strip with ``GL(t) / P_k(t) > alpha``.

    The quotient weighs the generalization loss against the training
    progress: while training still makes fast progress, a rising
    validation error is forgiven.

    Parameters
    ----------
    alpha : float
        Threshold, > 0 (Prechelt tried 0.5, 0.75, 1, 2, 3).
    strip : int, default 5
        ``k``, the strip length; the criterion is checked only after epochs ``k, 2k, ...``.

    Notes
    -----
    ``P_k(t) = 0`` (a training error flat over the whole strip) makes the
    quotient infinite if ``GL(t) > 0`` (stop) and 0 if ``GL(t) = 0``.

    References
    ----------
    Prechelt (1998), "Early stopping -- but when?", §2.2.
    """

    def __init__(self, alpha, strip=5):
        self.alpha = checks.positive("alpha", alpha)
        self.strip = checks.count("strip", strip)
        self.name = f"PQ{self.alpha:g}"

    def quotient(self, train_losses, valid_losses):
        """``GL(t) / P_k(t)`` for every epoch (NaN before the first full strip)."""
        check_histories(train_losses, valid_losses)
        gl = generalization_loss(valid_losses)
        pk = training_progress(train_losses, self.strip)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = gl / pk
        q[(pk == 0) & (gl == 0)] = 0.0
        return q

    def fires(self, train_losses, valid_losses):
        q = self.quotient(train_losses, valid_losses)
        end_of_strip = (np.arange(1, len(q) + 1) % self.strip) == 0
        with np.errstate(invalid="ignore"):
            return end_of_strip & (q > self.alpha)

    def __repr__(self):
        return f"PQ(alpha={self.alpha:g}, strip={self.strip})"


class UP(Criterion):
    """Prechelt's ``UP_s``: stop when the validation error rose over ``s`` successive strips.

    ``UP_1`` stops after the first end-of-strip epoch ``t`` with
    ``E_va(t) > E_va(t - k)``; ``UP_s`` stops after ``t`` if ``UP_{s-1}``
    would stop after ``t - k`` and ``E_va(t) > E_va(t - k)``.

    Parameters
    ----------
    s : int
        Number of successive strips, >= 1 (Prechelt tried 2, 3, 4, 6, 8).
    strip : int, default 5
        ``k``, the strip length.

    Notes
    -----
    The validation error before training (epoch 0) is not recorded, so the
    first comparison is ``E_va(2k) > E_va(k)`` and ``UP_s`` can stop no
    earlier than after epoch ``(s + 1) k``.

    References
    ----------
    Prechelt (1998), "Early stopping -- but when?", §2.2.
    """

    def __init__(self, s, strip=5):
        self.s = checks.count("s", s)
        self.strip = checks.count("strip", strip)
        self.name = f"UP{self.s}"

    def fires(self, train_losses, valid_losses):
        _, va = check_histories(train_losses, valid_losses)
        k, T = self.strip, len(va)
        out = np.zeros(T, dtype=bool)
        ends = np.arange(k, T + 1, k)                          # end-of-strip epochs k, 2k, ...
        if len(ends) < self.s + 1:
            return out
        e = va[ends - 1]                                       # E_va at the strip ends
        rose = e[1:] > e[:-1]                                  # rose[j]: E_va(ends[j+1]) > E_va(ends[j])
        # s rises in a row ending at ends[j+1]: a sliding window of s trues
        runs = np.lib.stride_tricks.sliding_window_view(rose, self.s).all(axis=1)
        out[ends[self.s:] - 1] = runs
        return out

    def __repr__(self):
        return f"UP(s={self.s}, strip={self.strip})"


class Patience(Criterion):
    """Algorithm 7.1's rule as a criterion: stop after ``p`` evaluations in a row without improvement.

    An evaluation improves if ``E_va(t) < v - min_delta``, ``v`` the best
    so far (strictly, as the book's ``v' < v``); the counter ``j`` is then
    reset to 0, and otherwise ``j <- j + 1``. Stops once ``j >= p``.

    Parameters
    ----------
    p : int, default 7
        The patience, >= 1.
    min_delta : float, default 0.0
        Margin an improvement must exceed, >= 0.

    Examples
    --------
    ``E_va = [3, 2, 2, 2.5]`` with ``p = 2``: ``j = 0, 0, 1, 2``, so it stops after epoch 4.
    """

    def __init__(self, p=7, min_delta=0.0):
        self.p = checks.count("p", p)
        self.min_delta = checks.nonnegative("min_delta", min_delta)
        self.name = f"patience{self.p}"

    def counters(self, valid_losses):
        """``j`` after every epoch (a loop over epochs, not over data)."""
        v, j, out = math.inf, 0, []
        for value in valid_losses:
            if value < v - self.min_delta:
                v, j = value, 0
            else:
                j += 1
            out.append(j)
        return np.array(out, dtype=np.int64)

    def fires(self, train_losses, valid_losses):
        _, va = check_histories(train_losses, valid_losses)
        return self.counters(va) >= self.p

    def __repr__(self):
        return f"Patience(p={self.p}, min_delta={self.min_delta:g})"
