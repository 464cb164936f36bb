"""The per-epoch record of a run of :func:`numreg.fit`."""
import json

import numpy as np

from ..core import checks
from ..files import save_json


def _floats(v):
    """``v`` (a number or nested lists/arrays of numbers) as nested lists of Python floats."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_floats(x) for x in v]
    return float(v)


class History:
    """Per-epoch record of a run.

    Attributes
    ----------
    train_loss : list of float
        Mean training objective of each epoch, ``J + alpha * Omega`` (just
        ``J`` without penalties), averaged over the epoch's examples.
    train_data_loss : list of float
        The data term ``J`` alone.
    train_accuracy : list of float
        Accuracy on the training batches as they were seen (dropout on);
        NaN for a regression loss.
    valid_loss, valid_accuracy : list of float
        On the validation set after each epoch, in evaluation mode
        (empty without ``valid``).
    epoch_time : list of float
        Seconds each epoch took (training and validation).
    best_epoch : int or None
        The epoch (from 1) the best model came from: the early-stopping
        checkpoint if an ``EarlyStopping`` ran, else the epoch of the lowest
        validation loss, else None.
    best_step : int or None
        ``i*`` of Algorithm 7.1: the optimizer steps taken when the
        early-stopping checkpoint was made (None without ``EarlyStopping``).
    restored_epoch : int or None
        The epoch whose weights were loaded back at the end, if any.
    stop_reason : str
        ``"epochs"`` (ran them all), ``"early stopping"``, ``"non-finite loss"``
        or ``"callback"``.
    """

    METRICS = ("train_loss", "train_data_loss", "train_accuracy", "valid_loss", "valid_accuracy", "epoch_time")

    def __init__(self):
        for name in self.METRICS:
            setattr(self, name, [])
        self.best_epoch = None
        self.best_step = None
        self.restored_epoch = None
        self.stop_reason = "epochs"

    @property
    def epochs(self):
        """Number of epochs run."""
        return len(self.train_loss)

    def metrics(self):
        return [m for m in self.METRICS if getattr(self, m)]

    def get(self, name, default=None):
        return getattr(self, name, default) if name in self.METRICS else default

    def __getitem__(self, name):
        if name not in self.METRICS:
            raise KeyError(name)
        return getattr(self, name)

    def extra_metrics(self):
        """Names of the per-epoch lists attached beyond ``METRICS`` (e.g. ``task_valid_loss`` of ``MultiTask``)."""
        return sorted(k for k, v in vars(self).items() if k not in self.METRICS and isinstance(v, list))

    def to_dict(self):
        """A JSON-ready dict: the metrics, the extra lists (under ``"extra"``) and the run's facts."""
        d = {m: [float(v) for v in getattr(self, m)] for m in self.METRICS}
        d.update(best_epoch=self.best_epoch, best_step=self.best_step, restored_epoch=self.restored_epoch,
                 stop_reason=self.stop_reason)
        d["extra"] = {k: _floats(getattr(self, k)) for k in self.extra_metrics()}
        return d

    @classmethod
    def from_dict(cls, d):
        """The History that :meth:`to_dict` described, every entry checked (ValueError/TypeError naming it).

        Metrics are lists of numbers (NaN allowed: a diverged epoch's loss),
        ``best_epoch``/``best_step``/``restored_epoch`` None or integers >= 0,
        ``stop_reason`` a str, ``extra`` a dict of lists.
        """
        if not isinstance(d, dict):
            raise checks.type_error("history", "a dict from History.to_dict()", d)
        h = cls()
        for m in cls.METRICS:
            values = checks.sequence(f"history[{m!r}]", d.get(m, []))
            setattr(h, m, [checks.real(f"history[{m!r}][{i}]", v, finite=False, allow_nan=True)
                           for i, v in enumerate(values)])
        for k in ("best_epoch", "best_step", "restored_epoch"):
            setattr(h, k, checks.optional(checks.integer, f"history[{k!r}]", d.get(k), low=0))
        h.stop_reason = checks.instance("history['stop_reason']", d.get("stop_reason", "epochs"), str, "a str")
        extra = d.get("extra", {})
        if not isinstance(extra, dict):
            raise checks.type_error("history['extra']", "a dict of lists", extra)
        for k, v in extra.items():
            if not (isinstance(k, str) and k.isidentifier() and not k.startswith("_") and not hasattr(h, k)):
                raise checks.value_error("history['extra']", "names of extra lists (not History's own)", k)
            setattr(h, k, checks.sequence(f"history['extra'][{k!r}]", v))
        return h

    def save(self, path):
        """Write the history as JSON, atomically."""
        save_json(path, self.to_dict())

    @classmethod
    def load(cls, path):
        with open(path) as f:
            return cls.from_dict(json.load(f))

    def __repr__(self):
        last = ", ".join(f"{m}={getattr(self, m)[-1]:.5g}" for m in ("train_loss", "valid_loss", "valid_accuracy")
                         if getattr(self, m))
        return f"History(epochs={self.epochs}, best_epoch={self.best_epoch}, {last})"
