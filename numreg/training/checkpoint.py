"""Checkpoints of :func:`numreg.fit`: everything needed to continue a run bit for bit, written atomically.

``fit(checkpoint=path)`` writes, after every epoch, the weights, the
optimizer's state, the state of every random generator, the stateful
callbacks, the history and the counters, as one ``.npz`` (arrays) with a
JSON ``meta`` entry (the rest). ``fit(resume=path)`` reads and checks all of
it against the run before anything is touched.
"""
import copy
import json
import os
import warnings

import numpy as np

from ..files import load_npz, save_npz
from . import resume
from .history import History
from .resume import CHECKPOINT_FORMAT, CHECKPOINT_VERSION


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


class Checkpoint:
    """What ``fit`` writes to and reads from a checkpoint: the run's objects, their states, and checks.

    Parameters
    ----------
    model, optimizer : the run's
    rng : numpy.random.Generator
        The shuffling's generator.
    callbacks : list
        Those with ``state_dict()``/``load_state_dict()`` are saved.
    sources : dict
        ``{name: object}`` of the step hooks whose generators are saved
        (``generators()`` or ``.rng``): augment, weight noise, the training step.
    n, batch_size : int
        The run's number of training examples and batch size (a resume must match them).
    """

    def __init__(self, model, optimizer, rng, callbacks, sources, n, batch_size):
        self.model, self.optimizer, self.rng = model, optimizer, rng
        self.stateful = [cb for cb in callbacks if hasattr(cb, "state_dict") and hasattr(cb, "load_state_dict")]
        self.extras = {}          # name -> the generators of augment / weight_noise / adversarial
        for name, obj in sources.items():
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
            "optimizer": {"class": type(self.optimizer).__name__, "state": self.optimizer.state_dict(),
                          "hyper": resume.hyper_parameters(self.optimizer)},
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
        """Load and check a checkpoint against this run; returns it, converted. Touches nothing.

        Every entry is checked (:func:`numreg.training.resume.check`), then
        loaded into copies of the run's objects: only a checkpoint that
        loads completely is returned. Any fault is a ``ValueError`` naming
        the file and what is wrong. When the optimizer's hyper-parameters
        differ from the checkpoint's, a ``UserWarning`` says which: the
        checkpoint's are restored (as ``torch.optim.Optimizer.load_state_dict``
        does), so that the run goes on exactly as it would have.
        """
        spath = os.fspath(path)
        if not os.path.exists(spath):
            raise FileNotFoundError(f"cannot resume from resume={spath!r}: no such file")
        arrays = load_npz(spath)               # ValueError if truncated or not an .npz
        try:
            tree = resume.check(self, arrays, epochs)
            self._dry_run(tree)
        except (ValueError, TypeError) as e:
            raise ValueError(f"cannot resume from resume={spath!r}: {e}") from None
        self._warn_if_hyper_parameters_differ(tree, spath)
        return tree

    def _dry_run(self, tree):
        """Apply ``tree`` to copies of the run's objects; any exception becomes a ``ValueError``."""
        twin = copy.copy(self)
        twin.model, twin.optimizer, twin.rng, twin.stateful, twin.extras = copy.deepcopy(
            (self.model, self.optimizer, self.rng, self.stateful, self.extras))
        state = type("State", (), {})()
        state.history = History()
        try:
            twin.apply(tree, state)
        except Exception as e:  # noqa: BLE001 -- whatever a state fails with, the run must not start
            raise ValueError(f"it does not load ({type(e).__name__}: {e})") from None

    def _warn_if_hyper_parameters_differ(self, tree, spath):
        theirs = dict(tree["optimizer"]["hyper"], lr=tree["optimizer"]["state"]["lr"])
        mine = {k: tuple(v) if isinstance(v, list) else v for k, v in resume.hyper_parameters(self.optimizer).items()}
        differ = [f"{k}={mine[k]!r} -> {v!r}" for k, v in theirs.items() if k in mine and mine[k] != v]
        if differ:
            warnings.warn(f"resuming from {spath!r}: the optimizer's hyper-parameters differ from the checkpoint's "
                          f"({', '.join(differ)}); the checkpoint's are restored, so that the run continues as it "
                          f"would have (as torch's load_state_dict does). To train on with other values, start a "
                          f"new run from the checkpoint's weights.", UserWarning, stacklevel=4)

    def apply(self, tree, state):
        """Load a checked checkpoint into the run; returns ``last_good``."""
        self.model.load_state_dict(tree["model"])
        self.optimizer.load_state_dict(tree["optimizer"]["state"])
        for name, value in tree["optimizer"]["hyper"].items():
            setattr(self.optimizer, name, value)
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
