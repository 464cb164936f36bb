"""Early stopping (§7.8, Algorithm 7.1), with the seed notebook's ``EarlyStopping`` semantics."""
import math

import numpy as np

from ..callbacks import Callback
from ..checkpoint import save_npz

MODES = ("min", "max")


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
    min_delta : float, default 0.0
        An improvement must exceed this, strictly: with ``mode="min"`` a
        value counts only if ``value < best - min_delta``.
    mode : {"min", "max"}, default "min"
        Whether the monitored value should decrease (a loss) or increase (an accuracy).
    monitor : str, default "valid_loss"
        The ``History`` entry to watch when used as a callback of ``fit``
        (``"valid_loss"``, ``"valid_accuracy"``, ...).
    restore_best : bool, default True
        Load ``theta*`` back into the model when training ends -- whether
        stopping fired or the last epoch was reached.
    path : str or None, default None
        If given, ``theta*`` is also written there as an ``.npz`` at every
        improvement (atomically), like the seed's ``checkpoint.pt``.
    verbose : bool, default False
        Print the seed's messages::

            Validation loss decreased (inf --> 0.227419).  Saving model ...
            EarlyStopping counter: 1 out of 20

    Attributes
    ----------
    best : float
        Best monitored value so far (``inf`` for ``"min"`` before the first call);
        ``val_loss_min`` is the seed's name for it.
    best_epoch : int
        ``i*``: the evaluation (epoch, counted from 1) that gave ``best``; 0 before any.
    best_state : dict or None
        ``theta*``: a copy of ``model.state_dict()`` at ``best_epoch``.
    counter : int
        ``j``: evaluations since the last improvement.
    early_stop : bool
        True once ``counter`` reached ``patience`` or the value was not finite.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.8, Algorithm 7.1.
    Prechelt (1998), "Early stopping -- but when?".
    """

    def __init__(self, patience=7, min_delta=0.0, mode="min", monitor="valid_loss", restore_best=True,
                 path=None, verbose=False):
        if not isinstance(patience, (int, np.integer)) or isinstance(patience, bool) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got patience={patience!r}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got mode={mode!r}")
        md = float(min_delta)
        if not (md >= 0 and math.isfinite(md)):
            raise ValueError(f"min_delta must be a finite number >= 0, got min_delta={min_delta!r}")
        self.patience = int(patience)
        self.min_delta = md
        self.mode = mode
        self.monitor = monitor
        self.restore_best = bool(restore_best)
        self.path = path
        self.verbose = bool(verbose)
        self.reset()

    def reset(self):
        """Forget the run: ``v <- inf``, ``j <- 0``, ``theta* <- None``, ``i* <- 0``."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.best_state = None
        self.counter = 0
        self.early_stop = False
        self.epoch = 0
        self.message = ""

    @property
    def val_loss_min(self):
        """The seed's name for ``best``."""
        return self.best

    def improved(self, value):
        """True if ``value`` beats ``best`` by more than ``min_delta`` (strictly)."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def __call__(self, value, model):
        """Record one evaluation, as the seed's ``early_stopping(valid_loss, model)``.

        Returns ``early_stop``.
        """
        self.epoch += 1
        value = float(value)
        if not math.isfinite(value):
            self.early_stop = True
            self.message = f"{self._label()} is {value}: stopping, best weights kept (epoch {self.best_epoch})"
            print(self.message)
            return True
        if self.improved(value):
            if self.verbose:
                verb = "decreased" if self.mode == "min" else "increased"
                print(f"{self._label()} {verb} ({self.best:.6f} --> {value:.6f}).  Saving model ...")
            self.best = value
            self.best_epoch = self.epoch
            self.counter = 0
            self.save_checkpoint(model)
        else:
            self.counter += 1
            if self.verbose:
                print(f"EarlyStopping counter: {self.counter} out of {self.patience}")
            if self.counter >= self.patience:
                self.early_stop = True
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
        if self.best_state is None:
            return False
        model.load_state_dict(self.best_state)
        return True

    # --- as a callback of fit -------------------------------------------------
    def on_train_begin(self, state):
        self.reset()

    def on_epoch_end(self, state):
        values = state.history.get(self.monitor)
        if not values:
            raise ValueError(f"EarlyStopping monitors {self.monitor!r}, which the run does not record "
                             f"(pass valid= to fit, or choose one of {sorted(state.history.metrics())})")
        if self(values[-1], state.model):
            state.stop = True
            state.history.best_epoch = self.best_epoch

    def on_train_end(self, state):
        state.history.best_epoch = self.best_epoch
        if self.restore_best and self.restore(state.model):
            state.history.restored_epoch = self.best_epoch

    def __repr__(self):
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, mode={self.mode!r}, "
                f"monitor={self.monitor!r}, restore_best={self.restore_best}, path={self.path!r})")
