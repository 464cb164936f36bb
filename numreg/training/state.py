"""What a run of :func:`numreg.fit` shows its callbacks, and evaluation in evaluation mode."""
import math

import numpy as np

from ..core import checks
from ..core.losses import SoftmaxCrossEntropy


class TrainState:
    """What callbacks see: the run's objects and counters.

    Attributes: ``model``, ``criterion``, ``optimizer``, ``history``,
    ``epoch`` (from 1), ``step`` (optimizer steps so far), ``epochs``,
    ``loss`` (last batch loss), ``stop`` (set True to end training),
    ``train`` and ``valid`` (the data pairs; ``valid`` may be None), ``evaluate()``.
    """

    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.stop = False
        self.epoch = 0
        self.step = 0
        self.loss = math.nan
        self._cached = None       # (step, (loss, accuracy)) of the last validation-set evaluation

    def evaluate(self, X=None, y=None):
        """``(loss, accuracy)`` of the model on ``(X, y)`` (default: the validation set).

        The validation set's result is computed once per optimizer step:
        a step-level ``EarlyStopping`` evaluating after the last step of an
        epoch and the epoch's own validation share it.
        """
        if X is None:
            if self.valid is None:
                raise ValueError("there is no validation set to evaluate: pass valid= to fit")
            if self._cached is not None and self._cached[0] == self.step:
                return self._cached[1]
            result = evaluate(self.model, self.criterion, *self.valid)
            self._cached = (self.step, result)
            return result
        return evaluate(self.model, self.criterion, X, y)


def rows(y, idx):
    """Rows ``idx`` of a target: an array, or a list/tuple of arrays (one per output of a multi-output model)."""
    if isinstance(y, (list, tuple)):
        return type(y)(t[idx] for t in y)
    return y[idx]


def n_rows(y):
    """Number of examples a target holds (the first array's length for a list/tuple of arrays)."""
    return len(y[0]) if isinstance(y, (list, tuple)) else len(y)


def predict(model, X, batch_size=1024):
    """Outputs of ``model`` in evaluation mode for all of ``X``, in batches. Restores the mode.

    Parameters
    ----------
    model : Module
        A model with ``forward``, ``train`` and ``eval`` (e.g. ``nr.Sequential``).
    X : array_like, (n, ...)
        At least one example of finite real numbers.
    batch_size : int, default 1024
        Examples per forward pass.
    """
    X, _ = model_input(model, X)
    batch_size = checks.count("batch_size", batch_size)
    was = model.training
    model.eval()
    try:
        outs = [model.forward(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    finally:
        model.train(was)
    return np.concatenate(outs)


def evaluate(model, criterion, X, y, batch_size=1024):
    """Mean loss over the examples and accuracy (NaN unless classification), in evaluation mode.

    Label smoothing, if the criterion has it, is part of the loss, as in
    PyTorch's validation with the same criterion. A model whose output is not
    finite (a diverged model) gets a NaN loss.

    Parameters
    ----------
    model : Module
        A model with ``forward``, ``train`` and ``eval``.
    criterion : loss
        With ``forward(output, target)``.
    X : array_like, (n, ...)
        Finite real numbers.
    y : array_like or list of arrays
        One target row per example.
    batch_size : int, default 1024
        Examples per forward pass.
    """
    X, out = model_input(model, X)
    checks.has_methods("criterion", criterion, ("forward",), "a loss such as nr.SoftmaxCrossEntropy()")
    y = targets(y, len(X), out, criterion)
    batch_size = checks.count("batch_size", batch_size)
    was = model.training
    model.eval()
    total, correct, n = 0.0, 0, len(X)
    try:
        for i in range(0, n, batch_size):
            out = model.forward(X[i:i + batch_size])
            yb = rows(y, slice(i, i + batch_size))
            try:
                total += criterion.forward(out, yb) * n_rows(yb)
            except checks.NonFiniteError:  # a diverged model: its loss is not a number
                total = math.nan
            if _is_classification(out, yb):
                correct += int(np.count_nonzero(out.argmax(axis=1) == yb))
    finally:
        model.train(was)
    acc = correct / n if _is_classification(out, yb) else math.nan
    return total / n, acc


def model_input(model, X, name="X", dtype=None):
    """``(X, output of its first example)``: ``X`` checked as finite real data the model can take.

    ``model`` must have ``forward``, ``train`` and ``eval``; ``X`` at least
    one example of finite real numbers (converted to ``dtype`` if given);
    one example goes through the model in evaluation mode, so that a width
    the model does not take is reported as an error of ``X`` (the model's
    own message follows). The model's mode is restored.
    """
    checks.has_methods("model", model, ("forward", "train", "eval"), "a model such as nr.Sequential(...)")
    X = checks.float_array(name, X, min_ndim=2, dtype=dtype)
    was = model.training
    try:
        out = model.eval().forward(X[:1])
    except ValueError as e:
        raise ValueError(f"{name} does not fit the model, got {name}.shape={X.shape}: {e}") from None
    finally:
        model.train(was)
    return X, out


def targets(y, n, out, criterion, name="y"):
    """``y`` checked: one target row per example (``n``); class labels in range for a classifier's output.

    ``y`` may be an array or a list/tuple of arrays (one per output of a
    multi-output model). With ``nr.SoftmaxCrossEntropy`` and 1-D ``y``, the
    labels must be integers in ``[0, k)`` for ``k`` outputs; float targets
    must be finite.
    """
    if isinstance(y, (list, tuple)):
        return type(y)(targets(t, n, None, None, f"{name}[{i}]") for i, t in enumerate(y))
    t = checks.numbers_array(name, y)
    if t.ndim == 0 or len(t) != n:
        raise ValueError(f"{name} must hold one target per example ({n}), got {name}.shape={t.shape}")
    if isinstance(criterion, SoftmaxCrossEntropy) and t.ndim == 1:
        k = out.shape[1] if isinstance(out, np.ndarray) and out.ndim == 2 else None
        return checks.labels(name, t, n, k)
    return checks.finite(name, t)


def _is_classification(out, y):
    return isinstance(out, np.ndarray) and out.ndim == 2 and out.shape[1] > 1 and np.ndim(y) == 1
