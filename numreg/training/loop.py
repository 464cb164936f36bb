"""The fit loop -- the seed notebook's ``train_model``, line for line -- and its ``History``.

    for epoch in range(1, epochs + 1):
        model.train()
        for data, target in batches:
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output, target)
            model.backward(criterion.backward())
            optimizer.step()
        model.eval()
        ... validation, the log line, early_stopping(valid_loss, model)
"""
import json
import math
import os
import time
import warnings

import numpy as np

from .callbacks import Callback
from ..files import load_npz, prepare_output, save_json, save_npz
from ..core.losses import SoftmaxCrossEntropy, check_labels


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
        h = cls()
        for m in cls.METRICS:
            setattr(h, m, [float(v) for v in d.get(m, [])])
        h.best_epoch = d.get("best_epoch")
        h.best_step = d.get("best_step")
        h.restored_epoch = d.get("restored_epoch")
        h.stop_reason = d.get("stop_reason", "epochs")
        for k, v in d.get("extra", {}).items():
            setattr(h, k, list(v))
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


def _as_float_data(X, dtype, name):
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"{name} must be a batch of examples with at least 2 dimensions, got {name}.shape={X.shape}")
    if X.dtype != dtype:
        if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
            raise ValueError(f"{name} must be numeric, got dtype {X.dtype}")
        X = X.astype(dtype)  # the one allowed copy of the data set
    if not np.isfinite(X).all():
        bad = np.argwhere(~np.isfinite(X.reshape(len(X), -1)))[0]
        raise ValueError(f"{name} holds a non-finite value ({X.reshape(len(X), -1)[bad[0], bad[1]]}) "
                         f"at example {bad[0]}: clean the data first")
    return X


def _check_pair(pair, name, dtype, criterion, model):
    try:
        X, y = pair
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an (X, y) pair, got {type(pair).__name__}") from None
    X = _as_float_data(X, dtype, f"{name}[0] (X)")
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"{name}: X has {len(X)} examples but y has {len(y)} labels")
    if len(X) == 0:
        raise ValueError(f"{name} is empty")
    was = model.training
    out = model.eval().forward(X[:1])  # checks the input width (Linear raises ValueError)
    model.train(was)
    if isinstance(criterion, SoftmaxCrossEntropy) and y.ndim == 1:
        y = check_labels(y, len(X), out.shape[1], name=f"{name}[1] (y)")
    return X, y


def predict(model, X, batch_size=1024):
    """Outputs of ``model`` in evaluation mode for all of ``X``, in batches. Restores the mode."""
    if len(X) == 0:
        raise ValueError(f"X must hold at least one example, got X.shape={np.shape(X)}")
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
    PyTorch's validation with the same criterion.
    """
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(f"X and y must hold the same number (>= 1) of examples, got len(X)={len(X)}, len(y)={len(y)}")
    was = model.training
    model.eval()
    total, correct, n = 0.0, 0, len(X)
    try:
        for i in range(0, n, batch_size):
            out = model.forward(X[i:i + batch_size])
            yb = y[i:i + batch_size]
            total += criterion.forward(out, yb) * len(out)
            if _is_classification(out, yb):
                correct += int(np.count_nonzero(out.argmax(axis=1) == yb))
    finally:
        model.train(was)
    acc = correct / n if _is_classification(out, yb) else math.nan
    return total / n, acc


def _is_classification(out, y):
    return out.ndim == 2 and out.shape[1] > 1 and np.ndim(y) == 1


def fit(model, criterion, optimizer, train, valid=None, epochs=100, batch_size=256, penalties=(),
        constraints=(), callbacks=(), seed=None, verbose=True, augment=None, weight_noise=None,
        adversarial=None, checkpoint=None, resume=None):
    """Train ``model`` by mini-batch gradient descent, as the seed notebook's ``train_model``.

    Each step: ``optimizer.zero_grad()``, ``output = model(data)``,
    ``loss = criterion(output, target)``, ``model.backward(criterion.backward())``,
    the penalties' gradients (``alpha * grad Omega``, Eq. 7.2), ``optimizer.step()``,
    the penalties' proximal steps (L1, Eq. 7.23) and the constraints'
    projections (§7.2). After each epoch: validation in evaluation mode,
    the seed's log line, the callbacks (e.g. ``EarlyStopping``), and the
    checkpoint, if asked for.

    Parameters
    ----------
    model : Sequential (or any Module)
    criterion : SoftmaxCrossEntropy, MSELoss, ...
    optimizer : SGD, Adam, AdamW, ...
        Built on ``model.parameters()``.
    train : (X, y)
        Training examples and targets. ``X`` is converted once to the
        model's dtype if it is not already (the one copy of the data set
        training makes); batches are gathered from it by index.
    valid : (X, y) or None, default None
        Validation set, evaluated after every epoch.
    epochs : int, default 100
        Last epoch to run (when resuming, the total, not the number still to run).
    batch_size : int, default 256
    penalties : sequence, default ()
        Parameter-norm penalties (``nr.L2``, ``nr.L1``, ...): objects with
        ``value(params)`` and ``add_grad(params)``, and optionally
        ``prox(params, lr)``, applied after the optimizer step.
    constraints : sequence, default ()
        Objects with ``project(params)`` (``nr.MaxNorm``, ``nr.NormBall``),
        applied after every step.
    callbacks : sequence, default ()
        See :mod:`numreg.training.callbacks`; ``nr.EarlyStopping(...)`` is one.
        Callbacks with ``state_dict()`` / ``load_state_dict(d)`` are saved
        in the checkpoint and restored on resume.
    seed : int or None, default None
        Seed of the shuffling. With ``Sequential(..., seed=s)`` it makes the
        whole run bit-identical from run to run.
    verbose : bool, default True
        Print the seed's line per epoch: ``[ 1/100] train_loss: 0.84499 valid_loss: 0.29977``.
    augment : callable or None, default None
        ``augment(data) -> data``, applied to each training batch (never to
        validation data), e.g. ``nr.augment.RandomAffine()``.
    weight_noise : object or None, default None
        With ``perturb(params)`` before the forward pass and
        ``restore(params)`` after the backward pass (§7.5, ``nr.WeightNoise``).
    adversarial : object or None, default None
        With ``train_step(model, criterion, data, target) -> (output, loss)``,
        which replaces forward/loss/backward (§7.13, ``nr.FGSM``).
    checkpoint : str or path-like or None, default None
        Write, after every epoch and atomically (a crash never leaves a
        half-written file), everything needed to continue the run to this
        ``.npz``: weights, optimizer state, the state of every random
        generator (the shuffling, the model's ``generators()``, and the
        ``generators()`` -- or ``.rng`` -- of ``augment``, ``weight_noise``
        and ``adversarial``),
        the stateful callbacks (``EarlyStopping``), the history and the
        epoch and step counters.
    resume : str or path-like or None, default None
        Continue the run saved at this path by ``checkpoint=``. Called with
        the same model architecture, optimizer type, data, ``batch_size``
        and callbacks, the resumed run is bit-identical to one that was
        never interrupted (except ``History.epoch_time``, wall-clock
        seconds). The checkpoint is checked (readable, keys and shapes of
        the weights and optimizer state, generators, callbacks) before
        anything is touched: a failed resume changes neither the model
        nor the file. ``seed`` is ignored when resuming.

    Returns
    -------
    History

    Raises
    ------
    ValueError
        Bad arguments or data; a checkpoint that is truncated, not a
        checkpoint of ``fit``, or of another architecture or set-up.
    FileNotFoundError
        ``resume`` names a file that does not exist.

    Notes
    -----
    A non-finite training or validation loss, with or without early
    stopping, ends training with a ``RuntimeWarning`` and
    ``stop_reason="non-finite loss"``; the weights of the best finite epoch
    (the initial ones if no epoch was finite) are loaded back, so nothing is
    lost, and ``best_epoch`` is never an epoch whose loss was not finite.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got epochs={epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got batch_size={batch_size!r}")
    params = model.parameters()
    dtype = params[0].data.dtype if params else np.dtype(np.float32)
    X, y = _check_pair(train, "train", dtype, criterion, model)
    if valid is not None:
        valid = _check_pair(valid, "valid", dtype, criterion, model)
    if checkpoint is not None:
        checkpoint = prepare_output(checkpoint, "checkpoint")   # before any work, not after an epoch
    rng = np.random.default_rng(seed)
    history = History()
    state = TrainState(model=model, criterion=criterion, optimizer=optimizer, history=history,
                       epochs=int(epochs), train=(X, y), valid=valid, rng=rng)
    # only the hooks a callback really defines (not Callback's no-ops): nothing needless per step
    hooks = {name: [getattr(cb, name) for cb in callbacks
                    if hasattr(cb, name) and getattr(type(cb), name, None) is not getattr(Callback, name)]
             for name in ("on_train_begin", "on_step_end", "on_epoch_end", "on_train_end")}
    proxes = [pen for pen in penalties if hasattr(pen, "prox")]
    classify = isinstance(criterion, SoftmaxCrossEntropy) and y.ndim == 1
    n = len(X)
    width = len(str(epochs))
    run = _Run(model, optimizer, rng, callbacks, augment, weight_noise, adversarial, n, int(batch_size))
    saved = run.read(resume, epochs) if resume is not None else None   # checked; nothing touched yet
    for hook in hooks["on_train_begin"]:
        hook(state)
    last_good, best_vloss, first = model.state_dict(), math.inf, 1
    if saved is not None:
        last_good = run.apply(saved, state)
        best_vloss = min((v for v in history.valid_loss if math.isfinite(v)), default=math.inf)
        first = state.epoch + 1
        if verbose:
            print(f"Resuming from {os.fspath(resume)!r} after epoch {state.epoch} (step {state.step})")
    try:
        for epoch in range(first, epochs + 1):
            if state.stop:
                break
            state.epoch = epoch
            t0 = time.perf_counter()
            total = data_total = 0.0
            correct = seen = 0
            model.train()
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                data, target = np.take(X, idx, axis=0), y[idx]   # X[idx], gathered a little faster
                if augment is not None:
                    data = augment(data)
                optimizer.zero_grad()
                if weight_noise is not None:
                    weight_noise.perturb(params)
                if adversarial is None:
                    output = model(data)
                    loss = criterion(output, target)
                    model.backward(criterion.backward(), input_grad=False)
                else:
                    output, loss = adversarial.train_step(model, criterion, data, target)
                if weight_noise is not None:
                    weight_noise.restore(params)
                penalty = 0.0
                for pen in penalties:
                    penalty += pen.value(params)
                    pen.add_grad(params)
                optimizer.step()
                for pen in proxes:
                    pen.prox(params, optimizer.lr)
                for con in constraints:
                    con.project(params)
                m = len(idx)
                seen += m
                data_total += loss * m
                total += (loss + penalty) * m
                if classify:
                    correct += int(np.count_nonzero(output.argmax(axis=1) == target))
                state.step += 1
                state.loss = loss + penalty
                if not math.isfinite(state.loss):
                    raise FloatingPointError(f"the training loss became {state.loss} at epoch {epoch}, "
                                             f"step {state.step}")
                for hook in hooks["on_step_end"]:
                    hook(state)
                if state.stop:
                    break
            history.train_loss.append(total / seen)
            history.train_data_loss.append(data_total / seen)
            history.train_accuracy.append(correct / seen if classify else math.nan)
            msg = f"[{epoch:>{width}}/{epochs:>{width}}] train_loss: {history.train_loss[-1]:.5f}"
            if valid is not None:
                vloss, vacc = state.evaluate()
                history.valid_loss.append(vloss)
                history.valid_accuracy.append(vacc)
                msg += f" valid_loss: {vloss:.5f}"
                if not math.isfinite(vloss):
                    history.epoch_time.append(time.perf_counter() - t0)
                    if verbose:
                        print(msg)
                    raise FloatingPointError(f"the validation loss became {vloss} at epoch {epoch}")
                if vloss <= best_vloss:
                    best_vloss = vloss
                    last_good = model.state_dict()
            else:
                last_good = model.state_dict()
            history.epoch_time.append(time.perf_counter() - t0)
            if verbose:
                print(msg)
            for hook in hooks["on_epoch_end"]:
                hook(state)
            if state.stop and history.stop_reason == "epochs":
                history.stop_reason = "early stopping" if any(
                    getattr(cb, "early_stop", False) for cb in callbacks) else "callback"
            if checkpoint is not None:
                run.write(checkpoint, state, last_good)
            if state.stop:
                if verbose and history.stop_reason == "early stopping":
                    print("Early stopping")
                break
    except FloatingPointError as e:
        history.stop_reason = "non-finite loss"
        model.load_state_dict(last_good)
        warnings.warn(f"{e}; training stopped and the weights of the best epoch so far were restored",
                      RuntimeWarning, stacklevel=2)
    finally:
        model.eval()
    for hook in hooks["on_train_end"]:
        hook(state)
    finite = [v if math.isfinite(v) else math.inf for v in history.valid_loss]
    if history.best_epoch is None and any(math.isfinite(v) for v in finite):
        history.best_epoch = int(np.argmin(finite)) + 1     # never an epoch whose loss was not finite
    return history


# --- checkpoints: fit(checkpoint=...) / fit(resume=...) ----------------------------

CHECKPOINT_FORMAT = "numreg.fit checkpoint"
CHECKPOINT_VERSION = 1


def _split_arrays(obj, prefix, arrays):
    """Replace every ndarray in a nested dict/list by ``{"__array__": key}`` and collect it in ``arrays``."""
    if isinstance(obj, np.ndarray):
        arrays[prefix] = obj
        return {"__array__": prefix}
    if isinstance(obj, dict):
        return {str(k): _split_arrays(v, f"{prefix}/{k}", arrays) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_split_arrays(v, f"{prefix}/{i}", arrays) for i, v in enumerate(obj)]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _join_arrays(obj, arrays):
    """Inverse of :func:`_split_arrays`; ``KeyError`` if an array is missing."""
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            return arrays[obj["__array__"]]
        return {k: _join_arrays(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join_arrays(v, arrays) for v in obj]
    return obj


def _shapes(state):
    return {k: tuple(np.shape(v)) for k, v in state.items()}


class _Run:
    """What ``fit`` writes to and reads from a checkpoint: the run's objects, their states, and checks."""

    EXTRAS = ("augment", "weight_noise", "adversarial")

    def __init__(self, model, optimizer, rng, callbacks, augment, weight_noise, adversarial, n, batch_size):
        self.model, self.optimizer, self.rng = model, optimizer, rng
        self.stateful = [cb for cb in callbacks if hasattr(cb, "state_dict") and hasattr(cb, "load_state_dict")]
        self.extras = {}          # name -> the generators of augment / weight_noise / adversarial
        for name, obj in zip(self.EXTRAS, (augment, weight_noise, adversarial)):
            gens = list(obj.generators()) if hasattr(obj, "generators") else [getattr(obj, "rng", None)]
            gens = [g for g in gens if isinstance(g, np.random.Generator)]
            if gens:
                self.extras[name] = gens
        self.n, self.batch_size = n, batch_size

    def write(self, path, state, last_good):
        """Write the checkpoint after ``state.epoch``, atomically."""
        tree = {
            "format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION,
            "epoch": state.epoch, "step": state.step, "stopped": bool(state.stop),
            "n_train": self.n, "batch_size": self.batch_size,
            "model": self.model.state_dict(),
            "optimizer": {"class": type(self.optimizer).__name__, "state": self.optimizer.state_dict()},
            "last_good": last_good,
            "rng": self.rng.bit_generator.state,
            "generators": [g.bit_generator.state for g in self.model.generators()],
            "extras": {name: [g.bit_generator.state for g in gens] for name, gens in self.extras.items()},
            "callbacks": [{"class": type(cb).__name__, "state": cb.state_dict()} for cb in self.stateful],
            "history": state.history.to_dict(),
        }
        arrays = {}
        meta = _split_arrays(tree, "", arrays)
        arrays["meta"] = np.array(json.dumps(meta))
        save_npz(path, arrays)

    def read(self, path, epochs):
        """Load and check a checkpoint against this run; returns it. Touches nothing."""
        spath = os.fspath(path)

        def fail(why):
            raise ValueError(f"cannot resume from resume={spath!r}: {why}")

        if not os.path.exists(spath):
            raise FileNotFoundError(f"cannot resume from resume={spath!r}: no such file")
        arrays = load_npz(spath)               # ValueError if truncated or not an .npz
        if "meta" not in arrays:
            fail("not a checkpoint written by fit(checkpoint=...) (no 'meta' entry)")
        try:
            tree = _join_arrays(json.loads(str(arrays["meta"])), arrays)
        except (ValueError, KeyError, TypeError) as e:
            fail(f"damaged checkpoint ({type(e).__name__}: {e})")
        if not isinstance(tree, dict) or tree.get("format") != CHECKPOINT_FORMAT:
            fail("not a checkpoint written by fit(checkpoint=...)")
        if tree.get("version") != CHECKPOINT_VERSION:
            fail(f"checkpoint version {tree.get('version')!r}, this numreg reads version {CHECKPOINT_VERSION}")
        own = _shapes(self.model.state_dict())
        for key in ("model", "last_good"):
            theirs = _shapes(tree[key])
            if theirs != own:
                missing = sorted(set(own) - set(theirs))
                extra = sorted(set(theirs) - set(own))
                wrong = sorted(k for k in set(own) & set(theirs) if own[k] != theirs[k])
                detail = "; ".join(filter(None, [
                    f"missing parameters {missing}" if missing else "",
                    f"unexpected parameters {extra}" if extra else "",
                    ", ".join(f"{k} has shape {theirs[k]} in the checkpoint, {own[k]} in the model" for k in wrong)]))
                fail(f"the checkpoint is of another architecture: {detail}")
        opt = tree["optimizer"]
        if opt["class"] != type(self.optimizer).__name__:
            fail(f"the checkpoint's optimizer is {opt['class']}, this run's is {type(self.optimizer).__name__}")
        mine, theirs = self.optimizer.state_dict(), opt["state"]
        if set(mine) != set(theirs) or any(np.shape(mine[k]) != np.shape(theirs[k]) for k in mine):
            fail(f"the optimizer state does not match: checkpoint {_shapes(theirs)}, this run {_shapes(mine)}")
        gens = self.model.generators()
        if len(tree["generators"]) != len(gens):
            fail(f"the checkpoint has {len(tree['generators'])} model generators, the model {len(gens)}")
        for g, st in zip(gens, tree["generators"]):
            if st.get("bit_generator") != type(g.bit_generator).__name__:
                fail(f"a model generator is {type(g.bit_generator).__name__}, the checkpoint's {st.get('bit_generator')}")
        theirs = {k: len(v) for k, v in tree["extras"].items()}
        mine = {k: len(v) for k, v in self.extras.items()}
        if theirs != mine:
            fail(f"the checkpoint has generators for {theirs}, this run for {mine} (augment, weight_noise, "
                 f"adversarial)")
        names = [c["class"] for c in tree["callbacks"]]
        if names != [type(cb).__name__ for cb in self.stateful]:
            fail(f"the checkpoint's stateful callbacks are {names}, "
                 f"this run's {[type(cb).__name__ for cb in self.stateful]}")
        if tree["n_train"] != self.n or tree["batch_size"] != self.batch_size:
            fail(f"the checkpoint was trained on {tree['n_train']} examples in batches of {tree['batch_size']}, "
                 f"this run has {self.n} in batches of {self.batch_size}")
        if tree["epoch"] > epochs:
            fail(f"the checkpoint is after epoch {tree['epoch']}, beyond epochs={epochs}")
        return tree

    def apply(self, tree, state):
        """Load a checked checkpoint into the run; returns ``last_good``."""
        self.model.load_state_dict(tree["model"])
        self.optimizer.load_state_dict(tree["optimizer"]["state"])
        self.rng.bit_generator.state = tree["rng"]
        for g, st in zip(self.model.generators(), tree["generators"]):
            g.bit_generator.state = st
        for name, states in tree["extras"].items():
            for g, st in zip(self.extras[name], states):
                g.bit_generator.state = st
        for cb, c in zip(self.stateful, tree["callbacks"]):
            cb.load_state_dict(c["state"])
        restored = History.from_dict(tree["history"])
        state.history.__dict__.update(restored.__dict__)
        state.epoch, state.step = int(tree["epoch"]), int(tree["step"])
        state.stop = bool(tree["stopped"])
        state._cached = None
        return {k: np.array(v) for k, v in tree["last_good"].items()}
