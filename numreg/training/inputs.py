"""What :func:`numreg.fit` checks before its first step: the data, the counts, and every extension object.

A run that is going to fail should fail at once, naming the argument, not
after an epoch of work; so ``fit`` checks here that each penalty, constraint,
callback and hook has the methods the loop will call, that the optimizer
trains this model's parameters, and that the data are finite numbers of the
model's dtype.
"""
import numbers

import numpy as np

from ..core.losses import SoftmaxCrossEntropy, check_labels
from ..core.parameter import Parameter
from .callbacks import Callback
from .state import n_rows, rows

HOOKS = ("on_train_begin", "on_step_end", "on_epoch_end", "on_train_end")


def count(name, value):
    """An integer >= 1 (``epochs``, ``batch_size``), or ``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {name}={value!r}")
    return int(value)


def float_data(X, dtype, name):
    """``X`` as an array of ``dtype`` with finite entries (the one allowed copy of the data set)."""
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"{name} must be a batch of examples with at least 2 dimensions, got {name}.shape={X.shape}")
    if X.dtype != dtype:
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool) or np.iscomplexobj(X):
            raise ValueError(f"{name} must hold real numbers, got dtype {X.dtype}")
        X = X.astype(dtype)
    if not np.isfinite(X).all():
        bad = np.argwhere(~np.isfinite(X.reshape(len(X), -1)))[0]
        raise ValueError(f"{name} holds a non-finite value ({X.reshape(len(X), -1)[bad[0], bad[1]]}) "
                         f"at example {bad[0]}: clean the data first")
    return X


def data_pair(pair, name, dtype, criterion, model, targets_optional=False):
    """``(X, y)`` checked against the model: finite, one target row per example, labels in range.

    ``y`` may be an array, a list/tuple of arrays (one per output of a
    multi-output model such as ``MultiTask``), or -- with a ``train_step``
    that brings its own objective, ``targets_optional`` -- None.
    """
    try:
        X, y = pair
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an (X, y) pair, got {type(pair).__name__}") from None
    X = float_data(X, dtype, f"{name}[0] (X)")
    if len(X) == 0:
        raise ValueError(f"{name} is empty")
    if y is None:
        if not targets_optional:
            raise ValueError(f"{name}[1] (y) is None: targets are needed unless a train_step brings its objective")
        return X, None
    y = type(y)(np.asarray(t) for t in y) if isinstance(y, (list, tuple)) else np.asarray(y)
    if n_rows(y) != len(X) or (isinstance(y, (list, tuple)) and any(len(t) != len(X) for t in y)):
        raise ValueError(f"{name}: X has {len(X)} examples but y has {n_rows(y)} labels (rows)")
    was = model.training
    out = model.eval().forward(X[:1])  # checks the input width (Linear raises ValueError)
    model.train(was)
    if isinstance(criterion, SoftmaxCrossEntropy) and isinstance(y, np.ndarray) and y.ndim == 1:
        y = check_labels(y, len(X), out.shape[1], name=f"{name}[1] (y)")
    return X, y


def _has(obj, methods, name, what):
    missing = [m for m in methods if not callable(getattr(obj, m, None))]
    if missing:
        raise TypeError(f"{name} must be {what} (with {', '.join(m + '()' for m in methods)}), "
                        f"got {name}={obj!r}")


def extensions(model, criterion, optimizer, penalties, constraints, callbacks, augment, weight_noise, train_step):
    """Check every object the loop will call, before the first step; returns them as lists."""
    if isinstance(criterion, type) or not (callable(getattr(criterion, "forward", None))
                                          and callable(getattr(criterion, "backward", None))):
        raise TypeError(f"criterion must be a loss instance with forward() and backward() "
                        f"(e.g. nr.SoftmaxCrossEntropy()), got criterion={criterion!r}")
    _has(optimizer, ("step", "zero_grad"), "optimizer", "an optimizer")
    mine = {id(p) for p in model.parameters()}
    theirs = [p for p in getattr(optimizer, "params", []) if isinstance(p, Parameter)]
    if mine and theirs and not any(id(p) in mine for p in theirs):
        raise ValueError("optimizer was built on another model's parameters: build it on model.parameters()")
    penalties, constraints, callbacks = (_as_sequence(x, n) for x, n in
                                         ((penalties, "penalties"), (constraints, "constraints"),
                                          (callbacks, "callbacks")))
    for i, pen in enumerate(penalties):
        _has(pen, ("value", "add_grad"), f"penalties[{i}]", "a penalty such as nr.L2(alpha)")
    for i, con in enumerate(constraints):
        _has(con, ("project",), f"constraints[{i}]", "a constraint such as nr.MaxNorm(c)")
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback) and not any(callable(getattr(cb, h, None)) for h in HOOKS):
            raise TypeError(f"callbacks[{i}] must be a callback (an nr.Callback, or an object with one of "
                            f"{', '.join(HOOKS)}), got callbacks[{i}]={cb!r}")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a callable augment(data) -> data (e.g. nr.augment.RandomAffine()), "
                        f"got augment={augment!r}")
    if weight_noise is not None:
        _has(weight_noise, ("perturb", "restore"), "weight_noise", "weight noise such as nr.WeightNoise(eta)")
    if train_step is not None:
        _has(train_step, ("train_step",), "adversarial", "a training step such as nr.FGSM(epsilon)")
    return penalties, constraints, callbacks


def _as_sequence(x, name):
    if x is None:
        return []
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise TypeError(f"{name} must be a list (or tuple) of objects, got {name}={x!r}")
    return list(x)


def batch(X, y, idx):
    """The examples ``idx`` of ``(X, y)``: ``np.take`` along the first axis (a little faster than ``X[idx]``)."""
    return np.take(X, idx, axis=0), (None if y is None else rows(y, idx))
