"""Multitask learning: one shared trunk, one head and one loss per task (§7.7, Figure 7.2).

The seed's slide: "different supervised tasks share the same input x ...
there is something shared across tasks". The book's Figure 7.2: a shared
representation ``h_shared = f(x)`` (the trunk) feeds task-specific layers
(the heads), and the objective is the weighted sum of the tasks' losses,

    J(theta) = sum_t w_t J_t(head_t(f(x)), y_t).

The trunk's parameters receive the gradients of every task,

    dJ/dh = sum_t w_t dJ_t/dh,

which is how the statistical strength of one task reaches the others: the
shared parameters are fitted to more data than any single task offers,
and "better generalization" follows when the tasks really share a factor.

How it is trained
-----------------
Through ``nr.fit``, like any model: the targets are a list with one array
per task, so the seed's step reads::

    optimizer.zero_grad()
    outputs = model(data)                   # one output per head
    loss = criterion(outputs, targets)      # sum_t w_t J_t
    model.backward(criterion.backward())    # w_t dJ_t/d output_t, into the heads and the trunk
    optimizer.step()

with ``criterion = model.criterion`` (a :class:`MultiTaskLoss`), and every
technique of ``fit`` applies: penalties, constraints, callbacks (early
stopping), checkpoints. ``MultiTask.fit`` is ``nr.fit`` plus the per-task
losses and accuracies in the History. Because
``model.criterion`` has the ``forward``/``backward`` of a loss and
``model.backward`` takes what it returns, ``nr.gradcheck.check_model(model,
model.criterion, x, targets)`` checks the whole objective.
"""
import math

import numpy as np

from ...core import checks
from ...core.losses import SoftmaxCrossEntropy
from ...core.module import Module
from ...training import Callback, fit
from ...training.state import model_input, targets as check_targets

__all__ = ["MultiTask", "MultiTaskLoss"]


def _check_weights(weights, T):
    if weights is None:
        return [1.0] * T
    w = [checks.nonnegative(f"weights[{i}]", v) for i, v in enumerate(checks.sequence("weights", weights))]
    if len(w) != T:
        raise ValueError(f"weights must hold one number per head ({T}), got weights={weights!r}")
    return w


class MultiTaskLoss:
    """The weighted sum of the tasks' losses, ``J = sum_t w_t J_t`` (§7.7).

    Parameters
    ----------
    criteria : sequence of losses
        ``criteria[t]`` has ``forward(output, target) -> float`` and
        ``backward() -> d_output`` (``nr.SoftmaxCrossEntropy()``, ``nr.MSELoss()``, ...).
    weights : sequence of float
        ``w_t >= 0``, one per criterion.

    Attributes
    ----------
    task_losses : list of float
        ``J_t`` of the last ``forward``, unweighted.
    """

    def __init__(self, criteria, weights):
        self.criteria = [checks.has_methods(f"criteria[{i}]", c, ("forward", "backward"), "a loss")
                         for i, c in enumerate(checks.sequence("criteria", criteria))]
        self.weights = _check_weights(weights, len(self.criteria))
        self.task_losses = []

    def __call__(self, outputs, targets):
        return self.forward(outputs, targets)

    def forward(self, outputs, targets):
        """outputs, targets: sequences with one entry per task. Returns ``sum_t w_t J_t``."""
        outputs = checks.sequence("outputs", outputs, "one output array per task")
        targets = checks.sequence("targets", targets, "one target array per task")
        T = len(self.criteria)
        if len(outputs) != T or len(targets) != T:
            raise ValueError(f"outputs and targets must hold one entry per task ({T}), got {len(outputs)} outputs "
                             f"and {len(targets)} targets")
        self.task_losses = [c.forward(o, t) for c, o, t in zip(self.criteria, outputs, targets)]
        return float(sum(w * j for w, j in zip(self.weights, self.task_losses)))

    def backward(self):
        """``[w_t dJ_t/d output_t]``: one gradient per head, already weighted."""
        return [c.backward() * c_w for c, c_w in zip(self.criteria, self.weights)]

    def __repr__(self):
        return f"MultiTaskLoss(criteria={self.criteria!r}, weights={self.weights})"


class MultiTask(Module):
    """A shared trunk ``h = f(x)`` with one head and one loss per task, trained on their weighted sum (§7.7).

    Parameters
    ----------
    trunk : Module
        The shared layers (e.g. ``nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU())``).
    heads : sequence of Module
        One per task; each takes the trunk's output ``h``.
    weights : sequence of float or None, default None
        ``w_t >= 0``, the weight of task ``t``'s loss (None: all 1). A
        weight of 0 removes the task from the objective (its head gets no
        gradient, and the trunk none from it).
    criteria : sequence of losses or None, default None
        ``criteria[t]`` for head ``t`` (None: ``nr.SoftmaxCrossEntropy()`` for every head).
    seed : int or None, default None
        If given, the trunk and the heads are re-initialized from it (each
        ``Sequential`` among them gets its own spawned seed), as
        ``Sequential(..., seed=s)``.

    Attributes
    ----------
    criterion : MultiTaskLoss
        The objective ``sum_t w_t J_t``; ``criterion.task_losses`` holds the
        ``J_t`` of its last call.

    Notes
    -----
    ``forward(x)`` returns the list ``[head_t(f(x))]``. ``backward(dys)``
    back-propagates each head's ``dy_t`` to ``dh_t``, sums them,
    ``dh = sum_t dh_t`` (the weights are already in ``dy_t`` when it comes
    from ``criterion.backward()``), and back-propagates ``dh`` through the
    trunk once. See the module docstring for the training loop.

    References
    ----------
    Caruana (1997), "Multitask learning", Machine Learning 28.
    Baxter (1995), "Learning internal representations", COLT.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.7.
    """

    def __init__(self, trunk, heads, weights=None, criteria=None, seed=None):
        checks.instance("trunk", trunk, Module, "a numreg Module")
        heads = checks.as_list(heads, Module, "heads")
        if not heads:
            raise ValueError("heads must hold at least one head, got heads=[]")
        if criteria is None:
            criteria = [SoftmaxCrossEntropy() for _ in heads]
        criteria = checks.sequence("criteria", criteria)
        if len(criteria) != len(heads):
            raise ValueError(f"criteria must hold one loss per head ({len(heads)}), got {len(criteria)}")
        self.trunk = trunk
        self.heads = heads
        self.criterion = MultiTaskLoss(criteria, weights)
        self.weights = self.criterion.weights
        self.training = True
        if seed is not None:
            self.reseed(seed)

    def reseed(self, seed):
        """Re-draw the trunk's and heads' parameters and generators from ``seed``. Returns self."""
        root = checks.generator("seed", seed)
        for m in [self.trunk] + self.heads:
            if hasattr(m, "reseed"):
                m.reseed(int(root.integers(2**63)))
            elif hasattr(m, "reset_parameters"):
                m.reset_parameters(root)
        return self

    @property
    def n_tasks(self):
        return len(self.heads)

    # -- forward / backward ------------------------------------------------------------

    def forward(self, x):
        """x: (n, ...) -> ``[head_t(f(x)) for each task t]``."""
        h = self.trunk.forward(x)
        return [head.forward(h) for head in self.heads]

    def backward(self, dys, input_grad=True):
        """Back-propagate one output gradient per head into the heads and the trunk.

        Parameters
        ----------
        dys : sequence of ndarray
            ``dJ/d output_t`` for each head, as ``criterion.backward()``
            returns (weights included). None for a task skips its head.
        input_grad : bool, default True
            Whether to return ``dJ/dx`` (False saves the first layer's ``dx``).

        Returns
        -------
        dx : ndarray or None
        """
        if len(dys) != len(self.heads):
            raise ValueError(f"dys must hold one gradient per head ({len(self.heads)}), got {len(dys)}")
        dh = None
        for head, dy in zip(self.heads, dys):
            if dy is None:
                continue
            g = head.backward(dy)
            dh = g if dh is None else dh + g  # each head's gradient flows into the trunk
        if dh is None:
            return None
        if isinstance(getattr(self.trunk, "layers", None), list):
            return self.trunk.backward(dh, input_grad=input_grad)
        dx = self.trunk.backward(dh)
        return dx if input_grad else None

    def backward_params(self, dys):
        self.backward(dys, input_grad=False)

    # -- the Module protocol -------------------------------------------------------------

    def _modules(self):
        return [self.trunk] + self.heads

    def named_children(self):
        """``trunk`` and ``heads.<t>``: parameters are named ``"trunk.<name>"`` and ``"heads.<t>.<name>"``.

        A module shared by the trunk and a head (or two heads) counts its parameters once.
        """
        return [("trunk", self.trunk)] + [(f"heads.{t}", h) for t, h in enumerate(self.heads)]

    # -- training ------------------------------------------------------------------------

    def _check_targets(self, X, targets, name, xname="X"):
        """``(X, targets)``: ``X`` data the model takes, one target array per task with a row per example
        (labels in range for classification heads)."""
        X, outputs = model_input(self, X, xname, self.parameters()[0].data.dtype)
        targets = checks.sequence(name, targets, "one target array per task")
        if len(targets) != self.n_tasks:
            raise ValueError(f"{name} must hold one target array per task ({self.n_tasks}), got {len(targets)}")
        return X, [check_targets(y, len(X), outputs[t], c, f"{name}[{t}]")
                   for t, (c, y) in enumerate(zip(self.criterion.criteria, targets))]

    def evaluate(self, X, targets, batch_size=1024):
        """In evaluation mode: ``(J, [J_t], [accuracy_t])`` on all of ``X``.

        ``accuracy_t`` is NaN for a task whose criterion is not a classification loss.
        """
        X, targets = self._check_targets(X, targets, "targets")
        was = self.training
        self.eval()
        T = self.n_tasks
        sums = np.zeros(T)
        correct = np.zeros(T)
        try:
            for s in range(0, len(X), batch_size):
                outs = self.forward(X[s:s + batch_size])
                tb = [y[s:s + batch_size] for y in targets]
                self.criterion.forward(outs, tb)
                m = len(tb[0])
                sums += np.array(self.criterion.task_losses) * m
                for t in range(T):
                    if isinstance(self.criterion.criteria[t], SoftmaxCrossEntropy) and tb[t].ndim == 1:
                        correct[t] += np.count_nonzero(outs[t].argmax(axis=1) == tb[t])
        finally:
            self.train(was)
        task = sums / len(X)
        acc = [correct[t] / len(X) if isinstance(c, SoftmaxCrossEntropy) and targets[t].ndim == 1 else math.nan
               for t, c in enumerate(self.criterion.criteria)]
        return float(np.dot(self.weights, task)), task.tolist(), acc

    def fit(self, optimizer, X, targets, epochs=10, batch_size=64, valid=None, seed=None, verbose=False,
            callbacks=(), **fit_options):
        """Train on the weighted sum of the tasks' losses through ``nr.fit`` (see the module docstring).

        Parameters
        ----------
        optimizer : Optimizer
            Built on ``model.parameters()`` (the trunk's and every head's).
        X : ndarray, (n, ...)
            Inputs, shared by every task.
        targets : sequence of ndarray
            ``targets[t]``: the ``n`` targets of task ``t`` (labels for a
            ``SoftmaxCrossEntropy`` head, arrays for an ``MSELoss`` head).
        epochs : int, default 10
        batch_size : int, default 64
        valid : (X, targets) or None, default None
            Evaluated after each epoch.
        seed : int or None, default None
            Seed of the shuffling.
        verbose : bool, default False
            Print the seed's line per epoch.
        callbacks : sequence, default ()
            As ``nr.fit``'s (e.g. ``nr.EarlyStopping``).
        **fit_options
            Anything else ``nr.fit`` takes: ``penalties``, ``constraints``,
            ``checkpoint``, ``resume``, ``augment``, ...

        Returns
        -------
        History
            ``train_loss``, ``valid_loss`` (the weighted sums) and
            ``valid_accuracy`` (of task 0, NaN for regression), plus
            ``task_train_loss`` (per epoch, the mean over its steps of each
            task's loss), ``task_valid_loss`` and ``task_valid_accuracy``
            (per epoch, the list over tasks).
        """
        X, targets = self._check_targets(X, targets, "targets")
        if valid is not None:
            valid = self._check_targets(*checks.pair("valid", valid, "an (X, targets) pair"), "valid[1] (targets)",
                                        "valid[0] (X)")
        callbacks = checks.sequence("callbacks", callbacks)
        tasks = _TaskMetrics(self, valid)
        return fit(self, self.criterion, optimizer, (X, targets), valid=valid, epochs=epochs,
                   batch_size=batch_size, seed=seed, verbose=verbose, callbacks=[tasks, *callbacks],
                   **fit_options)

    def __repr__(self):
        heads = ", ".join(repr(h).replace("\n", " ") for h in self.heads)
        return f"MultiTask(trunk={self.trunk!r}, heads=[{heads}], weights={self.weights})"


class _TaskMetrics(Callback):
    """Adds each task's training loss, validation loss and accuracy to the History of ``MultiTask.fit``."""

    def __init__(self, model, valid):
        self.model, self.valid = model, valid

    def on_train_begin(self, state):
        h = state.history
        for name in ("task_train_loss", "task_valid_loss", "task_valid_accuracy"):
            if not hasattr(h, name):
                setattr(h, name, [])
        self.sums, self.steps = np.zeros(self.model.n_tasks), 0

    def on_step_end(self, state):
        self.sums += self.model.criterion.task_losses
        self.steps += 1

    def on_epoch_end(self, state):
        h = state.history
        h.task_train_loss.append((self.sums / max(self.steps, 1)).tolist())
        self.sums[:], self.steps = 0.0, 0
        if self.valid is not None:
            _, task_loss, task_acc = self.model.evaluate(*self.valid)
            h.task_valid_loss.append(task_loss)
            h.task_valid_accuracy.append(task_acc)
            h.valid_accuracy[-1] = task_acc[0]
