"""What :func:`numreg.fit` checks before its first step: the data, the counts, and every extension object.

A run that is going to fail should fail at once, naming the argument, not
after an epoch of work; so ``fit`` checks here that each penalty, constraint,
callback and hook has the methods the loop will call, that the optimizer
trains this model's parameters, and that the data are finite numbers of the
model's dtype.
"""

import numpy as np

from ..core import checks
from ..core.parameter import Parameter
from .callbacks import Callback
from .state import model_input, rows, targets

HOOKS = ("on_train_begin", "on_step_end", "on_epoch_end", "on_train_end")


def data_pair(pair, name, dtype, criterion, model, targets_optional=False):
    """``(X, y)`` checked against the model: finite, one target row per example, labels in range.

    ``y`` may be an array, a list/tuple of arrays (one per output of a
    multi-output model such as ``MultiTask``), or -- with a ``train_step``
    that brings its own objective, ``targets_optional`` -- None.
    """
    X, y = checks.pair(name, pair, "an (X, y) pair")
    X, out = model_input(model, X, f"{name}[0] (X)", dtype)   # the one allowed copy of the data set
    if y is None:
        if not targets_optional:
            raise ValueError(f"{name}[1] (y) is None: targets are needed unless a train_step brings its objective")
        return X, None
    return X, targets(y, len(X), out, criterion, f"{name}[1] (y)")


def extensions(model, criterion, optimizer, penalties, constraints, callbacks, augment, weight_noise, train_step):
    """Check every object the loop will call, before the first step; returns them as lists.

    ``None`` for ``penalties``, ``constraints`` or ``callbacks`` means none, as ``()``.
    """
    checks.has_methods("model", model, ("forward", "backward", "parameters", "train", "eval"),
                       "a model such as nr.Sequential(...)")
    checks.has_methods("criterion", criterion, ("forward", "backward"), "a loss such as nr.SoftmaxCrossEntropy()")
    checks.has_methods("optimizer", optimizer, ("step", "zero_grad"), "an optimizer")
    mine = {id(p) for p in model.parameters()}
    theirs = [p for p in getattr(optimizer, "params", []) if isinstance(p, Parameter)]
    if mine and theirs and not any(id(p) in mine for p in theirs):
        raise ValueError("optimizer was built on another model's parameters: build it on model.parameters()")
    penalties, constraints, callbacks = (_as_sequence(x, n) for x, n in
                                         ((penalties, "penalties"), (constraints, "constraints"),
                                          (callbacks, "callbacks")))
    for i, pen in enumerate(penalties):
        checks.has_methods(f"penalties[{i}]", pen, ("value", "add_grad"), "a penalty such as nr.L2(alpha)")
    for i, con in enumerate(constraints):
        checks.has_methods(f"constraints[{i}]", con, ("project",), "a constraint such as nr.MaxNorm(c)")
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback) and not any(callable(getattr(cb, h, None)) for h in HOOKS):
            raise TypeError(f"callbacks[{i}] must be a callback (an nr.Callback, or an object with one of "
                            f"{', '.join(HOOKS)}), got callbacks[{i}]={cb!r}")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a callable augment(data) -> data (e.g. nr.augment.RandomAffine()), "
                        f"got augment={augment!r}")
    if weight_noise is not None:
        checks.has_methods("weight_noise", weight_noise, ("perturb", "restore"),
                           "weight noise such as nr.WeightNoise(eta)")
    if train_step is not None:
        checks.has_methods("adversarial", train_step, ("train_step",), "a training step such as nr.FGSM(epsilon)")
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
