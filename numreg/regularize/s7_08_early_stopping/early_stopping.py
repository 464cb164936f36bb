"""Early stopping (§7.8, Algorithm 7.1), with the seed notebook's ``EarlyStopping`` semantics.

Two forms of the same meta-algorithm:

- :func:`~numreg.regularize.s7_08_early_stopping.algorithm_7_1.early_stopping_meta_algorithm`,
  the book's pseudo-code line for line, to read beside the slide (its own module);
- :class:`EarlyStopping`, the seed notebook's ``EarlyStopping`` (pytorchtools),
  a callback of :func:`numreg.fit` with the options users expect: evaluate
  every ``n`` steps or epochs, ``mode``, ``min_delta``, ``baseline``,
  ``start_from_epoch``, ``restore_best``, ``path``, a stopping
  ``criterion`` (Prechelt's GL, PQ, UP, :mod:`numreg.regularize.s7_08_early_stopping.prechelt`)
  and a NaN policy.
"""
import math

from ...core import checks
from .state import checked_state
from ...training.callbacks import Callback
from ...files import save_npz

MODES = ("min", "max")
UNITS = ("epoch", "step")
TRAIN_ERRORS = ("evaluate", "running")


class EarlyStopping(Callback):
    """Stop when the monitored validation metric stops improving; keep the best weights (Algorithm 7.1).

    The book's meta-algorithm keeps the parameters ``theta*`` and the step
    ``i*`` of the best validation error seen so far and gives up after
    ``p`` evaluations ("patience") without improvement. This class is the
    seed notebook's ``EarlyStopping`` (pytorchtools): call it with the
    validation loss after each epoch, or pass it to ``nr.fit(callbacks=...)``.

    Parameters
    ----------
    patience : int, default 7
        ``p``: how many evaluations in a row without improvement end training (>= 1).
        Ignored when ``criterion`` is given.
    min_delta : float, default 0.0
        An improvement must exceed this, strictly: with ``mode="min"`` a
        value counts only if ``value < best - min_delta``.
    mode : {"min", "max"}, default "min"
        Whether the monitored value should decrease (a loss) or increase (an accuracy).
    monitor : str, default "valid_loss"
        The ``History`` entry to watch when used as a callback of ``fit``
        (``"valid_loss"``, ``"valid_accuracy"``, ...). With ``unit="step"``
        only ``"valid_loss"`` and ``"valid_accuracy"``, computed on the
        validation set at each evaluation.
    restore_best : bool, default True
        Load ``theta*`` back into the model when training ends -- whether
        stopping fired or the last epoch was reached (from an in-memory copy).
    path : str or None, default None
        If given, ``theta*`` is also written there as an ``.npz`` at every
        improvement (atomically), like the seed's ``checkpoint.pt``.
    verbose : bool, default False
        Print the seed's messages::

            Validation loss decreased (inf --> 0.227419).  Saving model ...
            EarlyStopping counter: 1 out of 20
    baseline : float or None, default None
        The value to beat, as Keras's ``baseline``: an evaluation resets the
        patience counter only if it improves on ``best`` *and* beats the
        baseline (by ``min_delta``), so training stops after ``patience``
        evaluations that do not. ``best`` and ``theta*`` still start at
        ``inf`` (``-inf`` for ``"max"``) and follow the best evaluation
        seen: when the baseline is never beaten, training stops after
        ``patience`` evaluations and the best of them is restored (with
        ``restore_best``), as Keras restores its best weights; the message
        says that the baseline was not beaten.
    start_from_epoch : int, default 0
        Warm-up, as Keras's: evaluations made during the first
        ``start_from_epoch`` epochs are ignored (they neither set ``best``
        nor count towards the patience).
    every : int, default 1
        ``n`` of Algorithm 7.1: evaluate every ``n`` units of training (>= 1).
    unit : {"epoch", "step"}, default "epoch"
        What ``every`` counts: epochs (evaluation after the epoch's
        validation, from ``History``) or optimizer steps (the validation set
        is evaluated in ``on_step_end`` after every ``n``-th step, and
        training can stop in the middle of an epoch).
    criterion : callable or None, default None
        A stopping criterion ``criterion(train_losses, valid_losses) -> bool``
        on the values seen at the evaluations so far, e.g. ``nr.GL(5)``,
        ``nr.PQ(0.5)``, ``nr.UP(3)`` or ``nr.Patience(7)``; it replaces the
        patience rule (``theta*`` is still the best evaluation). The
        training value of an evaluation is set by ``train_error``.
        Prechelt's criteria expect errors (lower is better).
    train_error : {"evaluate", "running"}, default "evaluate"
        The training value ``E_tr`` a ``criterion`` sees (only with a
        ``criterion``; the patience rule does not use it). ``"evaluate"``
        is Prechelt's quantity: the training-set error measured after the
        evaluation by one pass in evaluation mode (no dropout, no noise, no
        penalty) with ``fit``'s criterion, over a fixed subsample of at most
        ``train_eval_size`` training examples (evenly spaced, the same at
        every evaluation). ``"running"`` is the cheap alternative: the mean
        of the minibatch objectives as they were trained on (dropout and
        penalties included) over the last epoch (``unit="epoch"``) or the
        steps since the previous evaluation (``unit="step"``).
    train_eval_size : int, default 10000
        With ``train_error="evaluate"``: how many training examples the pass uses (>= 1).

    Attributes
    ----------
    best : float
        Best monitored value so far (``inf`` for ``"min"`` before the first call);
        ``val_loss_min`` is the seed's name for it.
    best_epoch : int
        The epoch (counted from 1) that gave ``best``; 0 before any.
        Called directly, each call is one epoch unless ``epoch=`` is passed.
    best_step : int
        ``i*``: the optimizer step that gave ``best`` (inside ``fit``; when
        called directly, the ``step=`` passed, else the evaluation count times ``every``).
    best_state : dict or None
        ``theta*``: a copy of ``model.state_dict()`` at ``best_epoch``.
    counter : int
        ``j``: evaluations since the last improvement.
    early_stop : bool
        True once training should stop.
    stop_reason : str or None
        ``"patience"``, ``"criterion"`` or ``"non-finite"`` once ``early_stop``.
    train_record, valid_record : list of float
        The training and monitored values at every counted evaluation (what ``criterion`` sees).
    evaluations : list of (int, float)
        ``(step, value)`` of every counted evaluation.

    Notes
    -----
    A NaN or infinite monitored value stops training at once with a message;
    it never counts as an improvement, and ``theta*`` stays the last finite best.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Algorithm 7.1.
    Prechelt (1998), "Early stopping -- but when?".
    """

    def __init__(self, patience=7, min_delta=0.0, mode="min", monitor="valid_loss", restore_best=True,
                 path=None, verbose=False, baseline=None, start_from_epoch=0, every=1, unit="epoch",
                 criterion=None, train_error="evaluate", train_eval_size=10000):
        patience = checks.count("patience", patience)
        mode = checks.choice("mode", mode, MODES)
        unit = checks.choice("unit", unit, UNITS)
        every = checks.count("every", every)
        start_from_epoch = checks.integer("start_from_epoch", start_from_epoch, low=0)
        md = checks.nonnegative("min_delta", min_delta)
        baseline = checks.optional(checks.real, "baseline", baseline)
        if criterion is not None and (isinstance(criterion, type) or not callable(criterion)
                                      or hasattr(criterion, "backward")):
            raise checks.type_error("criterion", "a stopping criterion callable as criterion(train_losses, "
                                    "valid_losses) -> bool, such as nr.GL(5) (not a loss)", criterion)
        train_error = checks.choice("train_error", train_error, TRAIN_ERRORS)
        train_eval_size = checks.count("train_eval_size", train_eval_size)
        monitor = checks.instance("monitor", monitor, str, "a History entry name such as 'valid_loss'")
        restore_best = checks.flag("restore_best", restore_best)
        verbose = checks.flag("verbose", verbose)
        path = checks.optional(checks.path, "path", path)
        if unit == "step" and monitor not in ("valid_loss", "valid_accuracy"):
            raise ValueError(f"with unit='step' monitor must be 'valid_loss' or 'valid_accuracy', "
                             f"got monitor={monitor!r}")
        self.patience = int(patience)
        self.min_delta = md
        self.mode = mode
        self.monitor = monitor
        self.restore_best = bool(restore_best)
        self.path = path
        self.verbose = bool(verbose)
        self.baseline = baseline
        self.start_from_epoch = int(start_from_epoch)
        self.every = int(every)
        self.unit = unit
        self.criterion = criterion
        self.train_error = train_error
        self.train_eval_size = int(train_eval_size)
        self.reset()

    def reset(self):
        """Forget the run: ``v <- inf``, ``j <- 0``, ``theta* <- None``, ``i* <- 0``."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.best_step = 0
        self.best_state = None
        self.counter = 0
        self.early_stop = False
        self.stop_reason = None
        self.epoch = 0
        self.message = ""
        self.train_record = []
        self.valid_record = []
        self.evaluations = []
        self._since_sum = 0.0      # unit="step": training loss summed since the last evaluation
        self._since_n = 0

    @property
    def val_loss_min(self):
        """The seed's name for ``best``."""
        return self.best

    def improved(self, value, than=None):
        """True if ``value`` beats ``than`` (default ``best``) by more than ``min_delta`` (strictly)."""
        than = self.best if than is None else than
        if self.mode == "min":
            return value < than - self.min_delta
        return value > than + self.min_delta

    def beats_baseline(self, value):
        """True if there is no baseline or ``value`` beats it by more than ``min_delta``."""
        return self.baseline is None or self.improved(value, self.baseline)

    def __call__(self, value, model=None, epoch=None, step=None, train_loss=None):
        """Record one evaluation, as the seed's ``early_stopping(valid_loss, model)``.

        Parameters
        ----------
        value : float
            The monitored value (``v'``).
        model : model or None, default None
            Whose ``state_dict()`` becomes ``theta*`` on an improvement.
        epoch : int or None, default None
            The epoch of this evaluation (None: one more than the last).
        step : int or None, default None
            ``i``, the optimizer steps so far (None: ``i <- i + every`` per counted evaluation,
            as Algorithm 7.1's ``i <- i + n``).
        train_loss : float or None, default None
            The training value the ``criterion`` sees (NaN if None).

        Returns
        -------
        bool
            ``early_stop``.
        """
        value = checks.real("value", value, finite=False, allow_nan=True)   # NaN/inf: stop (below)
        if model is not None:
            checks.has_methods("model", model, ("state_dict", "load_state_dict"), "a model")
        epoch = checks.optional(checks.integer, "epoch", epoch, low=0)
        step = checks.optional(checks.integer, "step", step, low=0)
        train_loss = checks.optional(checks.real, "train_loss", train_loss, finite=False, allow_nan=True)
        self.epoch = self.epoch + 1 if epoch is None else epoch
        step = (len(self.evaluations) + 1) * self.every if step is None else step
        if math.isfinite(value) and self.epoch <= self.start_from_epoch:   # warm-up: not counted
            return self.early_stop
        if not math.isfinite(value):
            self.early_stop = True
            self.stop_reason = "non-finite"
            kept = f"best weights kept (epoch {self.best_epoch})" if self.best_state is not None else \
                "no best weights to keep"
            self.message = f"{self._label()} is {value}: stopping, {kept}"
            print(self.message)
            return True
        self.valid_record.append(value)
        self.train_record.append(math.nan if train_loss is None else float(train_loss))
        self.evaluations.append((step, value))
        improved = self.improved(value)
        if improved:
            if self.verbose:
                verb = "decreased" if self.mode == "min" else "increased"
                print(f"{self._label()} {verb} ({self.best:.6f} --> {value:.6f}).  Saving model ...")
            self.best = value
            self.best_epoch = self.epoch
            self.best_step = step
            if model is not None:
                self.save_checkpoint(model)
        if improved and self.beats_baseline(value):
            self.counter = 0
        else:
            self.counter += 1
            if self.verbose and self.criterion is None:
                print(f"EarlyStopping counter: {self.counter} out of {self.patience}")
        if self.criterion is None:
            if self.counter >= self.patience:
                self.early_stop = True
                self.stop_reason = "patience"
                if not self.beats_baseline(self.best):
                    self.message = (f"EarlyStopping: baseline {self.baseline} not beaten in {self.patience} "
                                    f"evaluations (best {self.best:.6f}, epoch {self.best_epoch})")
                    if self.verbose:
                        print(self.message)
        elif self.criterion(self.train_record, self.valid_record):
            self.early_stop = True
            self.stop_reason = "criterion"
            self.message = f"EarlyStopping: {self.criterion} says stop (best epoch {self.best_epoch})"
            if self.verbose:
                print(self.message)
        return self.early_stop

    def _label(self):
        name = self.monitor[6:] if self.monitor.startswith("valid_") else self.monitor
        return f"Validation {name}"

    def save_checkpoint(self, model):
        """Keep ``theta*`` in memory (and at ``path``, atomically)."""
        self.best_state = model.state_dict()
        if self.path is not None:
            save_npz(self.path, self.best_state)

    def restore(self, model):
        """Load ``theta*`` into ``model``; returns True if there was one."""
        checks.has_methods("model", model, ("load_state_dict",), "a model")
        if self.best_state is None:
            return False
        model.load_state_dict(self.best_state)
        return True

    # --- as a callback of fit -------------------------------------------------
    def on_train_begin(self, state):
        self.reset()
        if self.unit == "step" and getattr(state, "valid", None) is None:
            raise ValueError("EarlyStopping(unit='step') evaluates the validation set: pass valid= to fit")

    def on_step_end(self, state):
        if self.unit != "step" or self.early_stop:
            return
        self._since_sum += state.loss
        self._since_n += 1
        if state.step % self.every:
            return
        loss, acc = state.evaluate()
        value = loss if self.monitor == "valid_loss" else acc
        train = self._train_value(state, self._since_sum / self._since_n)
        self._since_sum, self._since_n = 0.0, 0
        if self(value, state.model, epoch=state.epoch, step=state.step, train_loss=train):
            state.stop = True
            state.history.best_epoch = self.best_epoch

    def on_epoch_end(self, state):
        if self.unit != "epoch" or self.early_stop or state.epoch % self.every:
            return
        values = state.history.get(self.monitor)
        if not values:
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which the run does not record "
                             f"(pass valid= to fit, or choose one of {sorted(state.history.metrics())})")
        if self(values[-1], state.model, epoch=state.epoch, step=state.step,
                train_loss=self._train_value(state, state.history.train_loss[-1])):
            state.stop = True
            state.history.best_epoch = self.best_epoch

    def _train_value(self, state, running):
        """``E_tr`` for the criterion: ``running``, or one evaluation pass over a training subsample."""
        if self.criterion is None or self.train_error == "running" or getattr(state, "train", None) is None:
            return running
        X, y = state.train
        stride = max(1, -(-len(X) // self.train_eval_size))      # ceil(n / size): at most size examples
        return state.evaluate(X[::stride], y[::stride])[0]

    def on_train_end(self, state):
        if self.best_state is None:
            return
        state.history.best_epoch = self.best_epoch
        state.history.best_step = self.best_step
        if self.restore_best and self.restore(state.model):
            state.history.restored_epoch = self.best_epoch

    # --- checkpointing (fit(checkpoint=...)) -------------------------------------
    _STATE = ("best", "best_epoch", "best_step", "counter", "early_stop", "stop_reason", "epoch", "message",
              "train_record", "valid_record", "_since_sum", "_since_n")

    def state_dict(self):
        """Everything needed to continue the run: counters, records, ``theta*`` (arrays)."""
        d = {k: getattr(self, k) for k in self._STATE}
        d["evaluations"] = [list(e) for e in self.evaluations]
        d["best_state"] = self.best_state
        return d

    def load_state_dict(self, state):
        """Restore what :meth:`state_dict` returned, after checking every entry.

        Raises ``ValueError`` naming the entry (``state['best']``, ...) if one
        is missing or of the wrong kind; nothing is changed then.
        """
        if not isinstance(state, dict):
            raise checks.type_error("state", "a dict from EarlyStopping.state_dict()", state)
        missing = [k for k in (*self._STATE, "evaluations", "best_state") if k not in state]
        if missing:
            raise ValueError(f"the EarlyStopping state lacks {', '.join(missing)}")
        new = checked_state(state)
        for k, v in new.items():
            setattr(self, k, v)
        return self

    def __repr__(self):
        extra = ""
        if self.baseline is not None:
            extra += f", baseline={self.baseline}"
        if self.start_from_epoch:
            extra += f", start_from_epoch={self.start_from_epoch}"
        if self.every != 1 or self.unit != "epoch":
            extra += f", every={self.every}, unit={self.unit!r}"
        if self.criterion is not None:
            extra += f", criterion={self.criterion!r}"
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, mode={self.mode!r}, "
                f"monitor={self.monitor!r}, restore_best={self.restore_best}, path={self.path!r}{extra})")
