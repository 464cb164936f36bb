"""The bookkeeping of one run of :func:`numreg.fit`, so that the loop itself reads as the seed's.

:class:`Run` checks the arguments before the first step, shuffles and
gathers the batches, keeps the running means of the epoch, validates after
each epoch and prints the seed's log line, calls the callbacks, keeps the
weights of the best epoch (to restore them if the loss stops being finite),
and writes and reads the checkpoint.
"""
import math
import os
import time
import warnings

import numpy as np

from ..core import checks
from ..core import kernels
from ..core.losses import SoftmaxCrossEntropy
from ..files import prepare_output
from . import inputs
from .callbacks import Callback
from .checkpoint import Checkpoint
from .history import History
from .state import TrainState


class Run:
    """One run of ``fit``: its checked data, state, history and counters (see :func:`numreg.fit`)."""

    def __init__(self, model, criterion, optimizer, train, valid, epochs, batch_size, seed, callbacks,
                 hooks, checkpoint, resume, verbose):
        self.epochs_total = checks.count("epochs", epochs)
        self.batch_size = checks.count("batch_size", batch_size)
        params = model.parameters()
        dtype = params[0].data.dtype if params else np.dtype(np.float32)
        optional = hooks.train_step is not None
        self.X, self.y = inputs.data_pair(train, "train", dtype, criterion, model, targets_optional=optional)
        valid = None if valid is None else inputs.data_pair(valid, "valid", dtype, criterion, model)
        self.checkpoint_path = None if checkpoint is None else prepare_output(checkpoint, "checkpoint")
        self.model, self.verbose, self.callbacks = model, checks.flag("verbose", verbose), callbacks
        self.rng = checks.generator("seed", seed)
        self.history = History()
        self.state = TrainState(model=model, criterion=criterion, optimizer=optimizer, history=self.history,
                                epochs=self.epochs_total, train=(self.X, self.y), valid=valid, rng=self.rng)
        # only the hooks a callback really defines (not Callback's no-ops): nothing needless per step
        self.calls = {name: [getattr(cb, name) for cb in callbacks if callable(getattr(cb, name, None))
                             and getattr(type(cb), name, None) is not getattr(Callback, name)]
                      for name in inputs.HOOKS}
        self.classify = (isinstance(criterion, SoftmaxCrossEntropy) and isinstance(self.y, np.ndarray)
                         and self.y.ndim == 1)
        self.saver = Checkpoint(model, optimizer, self.rng, callbacks, hooks.random_sources(), len(self.X),
                                self.batch_size)
        self.resume = checks.optional(checks.path, "resume", resume)
        self.saved = None if resume is None else self.saver.read(resume, self.epochs_total)  # nothing touched yet

    # -- begin ---------------------------------------------------------------------------

    def begin(self):
        """``on_train_begin``, then the resumed state, if any."""
        for call in self.calls["on_train_begin"]:
            call(self.state)
        self.last_good, self.best_vloss, self.first = self.model.state_dict(), math.inf, 1
        if self.saved is not None:
            self.last_good = self.saver.apply(self.saved, self.state)
            self.best_vloss = min((v for v in self.history.valid_loss if math.isfinite(v)), default=math.inf)
            self.first = self.state.epoch + 1
            if self.verbose:
                print(f"Resuming from {os.fspath(self.resume)!r} after epoch {self.state.epoch} "
                      f"(step {self.state.step})")

    def epochs(self):
        """The epochs still to run (from 1), stopping early if a callback asked.

        Each epoch starts by applying the thread policy
        (:func:`numreg.core.kernels.apply_thread_policy`: ``NUMREG_THREADS``, else
        the other processes' load), so the BLAS and elementwise threads follow the
        load once per epoch, whatever the model.
        """
        for epoch in range(self.first, self.epochs_total + 1):
            if self.state.stop:
                return
            kernels.apply_thread_policy()
            self.state.epoch = epoch
            self.t0 = time.perf_counter()
            self.total = self.data_total = 0.0
            self.correct = self.seen = 0
            yield epoch

    def batches(self):
        """The epoch's shuffled mini-batches ``(data, target)``."""
        order = self.rng.permutation(len(self.X))
        for start in range(0, len(self.X), self.batch_size):
            idx = order[start:start + self.batch_size]
            self.m = len(idx)
            yield inputs.batch(self.X, self.y, idx)

    # -- after each step and epoch ---------------------------------------------------------

    def end_step(self, output, target, loss, penalty):
        """Running means, the step counter, the non-finite check and ``on_step_end``."""
        state, m = self.state, self.m
        self.seen += m
        self.data_total += loss * m
        self.total += (loss + penalty) * m
        if self.classify:
            self.correct += int(np.count_nonzero(output.argmax(axis=1) == target))
        state.step += 1
        state.loss = loss + penalty
        if not math.isfinite(state.loss):
            raise FloatingPointError(f"the training loss became {state.loss} at epoch {state.epoch}, "
                                     f"step {state.step}")
        for call in self.calls["on_step_end"]:
            call(state)

    def end_epoch(self):
        """The epoch's means, validation, the seed's log line, ``on_epoch_end`` and the checkpoint."""
        h, state = self.history, self.state
        h.train_loss.append(self.total / self.seen)
        h.train_data_loss.append(self.data_total / self.seen)
        h.train_accuracy.append(self.correct / self.seen if self.classify else math.nan)
        width = len(str(self.epochs_total))
        msg = f"[{state.epoch:>{width}}/{self.epochs_total:>{width}}] train_loss: {h.train_loss[-1]:.5f}"
        if state.valid is not None:
            msg = self._validate(msg)
        else:
            self.last_good = self.model.state_dict()
        h.epoch_time.append(time.perf_counter() - self.t0)
        if self.verbose:
            print(msg)
        for call in self.calls["on_epoch_end"]:
            call(state)
        if state.stop and h.stop_reason == "epochs":
            h.stop_reason = "early stopping" if any(getattr(cb, "early_stop", False)
                                                    for cb in self.callbacks) else "callback"
        if self.checkpoint_path is not None:
            self.saver.write(self.checkpoint_path, state, self.last_good)
        if state.stop and self.verbose and h.stop_reason == "early stopping":
            print("Early stopping")

    def _validate(self, msg):
        vloss, vacc = self.state.evaluate()
        self.history.valid_loss.append(vloss)
        self.history.valid_accuracy.append(vacc)
        msg += f" valid_loss: {vloss:.5f}"
        if not math.isfinite(vloss):
            self.history.epoch_time.append(time.perf_counter() - self.t0)
            if self.verbose:
                print(msg)
            raise FloatingPointError(f"the validation loss became {vloss} at epoch {self.state.epoch}")
        if vloss <= self.best_vloss:
            self.best_vloss, self.last_good = vloss, self.model.state_dict()
        return msg

    # -- the end ---------------------------------------------------------------------------

    def diverged(self, error):
        """A non-finite loss: stop, load the best finite epoch's weights back, warn."""
        self.history.stop_reason = "non-finite loss"
        self.model.load_state_dict(self.last_good)
        warnings.warn(f"{error}; training stopped and the weights of the best epoch so far were restored",
                      RuntimeWarning, stacklevel=3)

    def end(self):
        """``on_train_end``; the best epoch if no callback chose one (never a non-finite one)."""
        for call in self.calls["on_train_end"]:
            call(self.state)
        h = self.history
        finite = [v if math.isfinite(v) else math.inf for v in h.valid_loss]
        if h.best_epoch is None and any(math.isfinite(v) for v in finite):
            h.best_epoch = int(np.argmin(finite)) + 1
        return h
