"""Checkpoints of :func:`numreg.fit`: everything needed to continue a run bit for bit, written atomically.

``fit(checkpoint=path)`` writes, after every epoch, the weights, the
optimizer's state, the state of every random generator, the stateful
callbacks, the history and the counters, as one ``.npz`` (arrays) with a
JSON ``meta`` entry (the rest). ``fit(resume=path)`` reads and checks all of
it against the run before anything is touched.
"""
import json
import os

import numpy as np

from ..files import load_npz, save_npz
from .history import History

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
