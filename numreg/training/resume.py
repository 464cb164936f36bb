"""What ``fit(resume=path)`` checks before it touches anything: every entry of the checkpoint.

:func:`check` reads the checkpoint's tree (the JSON ``meta`` with its arrays
put back) and returns it checked and converted: counters are integers in
range, weights and optimizer buffers are finite float arrays of the run's
shapes and dtypes, hyper-parameters are valid, generator states load into a
generator of the run's kind, the callbacks' states and the history are
well formed. Anything else raises ``ValueError`` saying what is wrong
(``Checkpoint.read`` adds the file's name); a missing entry is a
``ValueError`` too, never a ``KeyError``.
"""
import json

import numpy as np

from ..core import checks
from .history import History

CHECKPOINT_FORMAT = "numreg.fit checkpoint"
CHECKPOINT_VERSION = 1
#: Optimizer attributes saved as hyper-parameters (those the optimizer has).
HYPER = ("lr", "momentum", "nesterov", "weight_decay", "betas", "eps", "etas", "step_sizes")


def hyper_parameters(optimizer):
    """``{name: value}`` of the optimizer's hyper-parameters, JSON-ready (tuples as lists)."""
    out = {}
    for name in HYPER:
        if hasattr(optimizer, name):
            v = getattr(optimizer, name)
            out[name] = list(v) if isinstance(v, tuple) else v
    return out


def entry(tree, key, where="the checkpoint"):
    """``tree[key]``, or ``ValueError`` if ``tree`` is not a dict holding ``key``."""
    if not isinstance(tree, dict):
        raise ValueError(f"{where} is not a dict but a {type(tree).__name__}")
    if key not in tree:
        raise ValueError(f"{where} has no entry {key!r}")
    return tree[key]


def join_arrays(obj, arrays):
    """The tree with every ``{"__array__": key}`` replaced by ``arrays[key]`` (ValueError if one is missing)."""
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            key = obj["__array__"]
            if not isinstance(key, str) or key not in arrays:
                raise ValueError(f"the array {key!r} named in meta is not in the file")
            return arrays[key]
        return {k: join_arrays(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [join_arrays(v, arrays) for v in obj]
    return obj


def check(ck, arrays, epochs):
    """The checkpoint's tree, checked against the run ``ck`` (a :class:`Checkpoint`) and converted."""
    if "meta" not in arrays:
        raise ValueError("not a checkpoint written by fit(checkpoint=...) (no 'meta' entry)")
    try:
        meta = json.loads(str(arrays["meta"]))
    except ValueError as e:
        raise ValueError(f"its meta entry is not JSON ({e})") from None
    tree = join_arrays(meta, arrays)
    if not isinstance(tree, dict) or tree.get("format") != CHECKPOINT_FORMAT:
        raise ValueError("not a checkpoint written by fit(checkpoint=...)")
    if tree.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"checkpoint version {tree.get('version')!r}, this numreg reads version {CHECKPOINT_VERSION}")
    _counters(tree, ck, epochs)
    own = ck.model.state_dict()
    for key in ("model", "last_good"):
        tree[key] = weights(entry(tree, key), own, key)
    _optimizer(tree, ck)
    _generators(tree, ck)
    names = [entry(c, "class", f"callbacks[{i}]") for i, c in enumerate(_list(tree, "callbacks"))]
    if names != [type(cb).__name__ for cb in ck.stateful]:
        raise ValueError(f"the checkpoint's stateful callbacks are {names}, "
                         f"this run's {[type(cb).__name__ for cb in ck.stateful]}")
    for i, c in enumerate(tree["callbacks"]):
        entry(c, "state", f"callbacks[{i}]")
    history = History.from_dict(entry(tree, "history"))
    if len(history.train_loss) != tree["epoch"]:
        raise ValueError(f"the history holds {len(history.train_loss)} epochs but the checkpoint is after "
                         f"epoch {tree['epoch']}")
    return tree


def _list(tree, key):
    v = entry(tree, key)
    if not isinstance(v, list):
        raise ValueError(f"{key} is not a list but {checks.show(v)}")
    return v


def _counters(tree, ck, epochs):
    tree["epoch"] = checks.integer("epoch", entry(tree, "epoch"), low=0, high=epochs)
    tree["step"] = checks.integer("step", entry(tree, "step"), low=0)
    tree["stopped"] = checks.flag("stopped", entry(tree, "stopped"))
    n = checks.integer("n_train", entry(tree, "n_train"), low=1)
    b = checks.integer("batch_size", entry(tree, "batch_size"), low=1)
    if n != ck.n or b != ck.batch_size:
        raise ValueError(f"the checkpoint was trained on {n} examples in batches of {b}, "
                         f"this run has {ck.n} in batches of {ck.batch_size}")
    if tree["step"] < tree["epoch"] * -(-n // b) and not tree["stopped"]:
        raise ValueError(f"step={tree['step']} is fewer than the {tree['epoch']} epochs of {-(-n // b)} steps "
                         f"it claims to follow")


def weights(theirs, own, key):
    """``theirs`` (a state dict read from the file) as arrays of ``own``'s keys, shapes and dtypes, all finite."""
    if not isinstance(theirs, dict):
        raise ValueError(f"{key} is not a state dict but {checks.show(theirs)}")
    missing, extra = sorted(set(own) - set(theirs)), sorted(set(theirs) - set(own))
    if missing or extra:
        raise ValueError("the checkpoint is of another architecture: " + "; ".join(filter(None, [
            f"missing parameters {missing}" if missing else "", f"unexpected parameters {extra}" if extra else ""])))
    out = {}
    for k, mine in own.items():
        a = checks.float_array(f"{key}[{k!r}]", theirs[k], allow_empty=True)
        if a.shape != np.shape(mine):
            raise ValueError(f"the checkpoint is of another architecture: {key}[{k!r}] has shape {a.shape} "
                             f"in the checkpoint, {np.shape(mine)} in the model")
        out[k] = a.astype(np.asarray(mine).dtype, copy=False)
    return out


def _optimizer(tree, ck):
    opt = entry(tree, "optimizer")
    name = entry(opt, "class", "optimizer")
    if name != type(ck.optimizer).__name__:
        raise ValueError(f"the checkpoint's optimizer is {name}, this run's is {type(ck.optimizer).__name__}")
    mine, theirs = ck.optimizer.state_dict(), entry(opt, "state", "optimizer")
    if not isinstance(theirs, dict) or set(mine) != set(theirs):
        raise ValueError(f"the optimizer state does not match: its entries are "
                         f"{sorted(theirs) if isinstance(theirs, dict) else checks.show(theirs)}, this run's "
                         f"{sorted(mine)}")
    state = {}
    for k, v in mine.items():
        if k == "t":
            state[k] = checks.integer("optimizer['state']['t']", theirs[k], low=0)
        elif k == "lr":
            state[k] = checks.positive("optimizer['state']['lr']", theirs[k])
        elif isinstance(v, np.ndarray):
            a = checks.float_array(f"optimizer['state'][{k!r}]", theirs[k], allow_empty=True)
            if a.shape != v.shape:
                raise ValueError(f"the optimizer state {k} has shape {a.shape}, this run's {v.shape}")
            state[k] = a.astype(v.dtype, copy=False)
        else:
            state[k] = checks.real(f"optimizer['state'][{k!r}]", theirs[k])
    opt["state"] = state
    opt["hyper"] = _hyper(opt.get("hyper", {}), ck.optimizer)


def _hyper(theirs, optimizer):
    """The checkpoint's hyper-parameters, each valid (finite; lr > 0; the rest >= 0) and one the optimizer has."""
    if not isinstance(theirs, dict):
        raise ValueError(f"optimizer['hyper'] is not a dict but {checks.show(theirs)}")
    out = {}
    for name, v in theirs.items():
        where = f"optimizer['hyper'][{name!r}]"
        if name not in HYPER or not hasattr(optimizer, name):
            raise ValueError(f"{where}: {type(optimizer).__name__} has no hyper-parameter {name!r}")
        if isinstance(getattr(optimizer, name), bool):
            out[name] = checks.flag(where, v)
        elif isinstance(getattr(optimizer, name), tuple):
            a, b = checks.pair(where, v)
            out[name] = (checks.nonnegative(f"{where}[0]", a), checks.nonnegative(f"{where}[1]", b))
        else:
            out[name] = (checks.positive if name == "lr" else checks.nonnegative)(where, v)
    return out


def _generators(tree, ck):
    _state_fits(ck.rng, entry(tree, "rng"), "rng")
    gens, states = ck.model.generators(), _list(tree, "generators")
    if len(states) != len(gens):
        raise ValueError(f"the checkpoint has {len(states)} model generators, the model {len(gens)}")
    for i, (g, st) in enumerate(zip(gens, states)):
        _state_fits(g, st, f"generators[{i}]")
    extras = entry(tree, "extras")
    if not isinstance(extras, dict) or {k: len(v) if isinstance(v, list) else None for k, v in extras.items()} \
            != {k: len(v) for k, v in ck.extras.items()}:
        raise ValueError(f"the checkpoint has generators for {checks.show(extras)}, this run for "
                         f"{ {k: len(v) for k, v in ck.extras.items()} } (augment, weight_noise, adversarial)")
    for name, states in extras.items():
        for i, (g, st) in enumerate(zip(ck.extras[name], states)):
            _state_fits(g, st, f"extras[{name!r}][{i}]")


def _state_fits(generator, state, where):
    """Raise ``ValueError`` unless ``state`` loads into a fresh bit generator of ``generator``'s kind."""
    kind = type(generator.bit_generator)
    if not isinstance(state, dict) or state.get("bit_generator") != kind.__name__:
        raise ValueError(f"{where} is not the state of a {kind.__name__} generator: {checks.show(state)}")
    try:
        kind().state = state
    except (TypeError, ValueError, KeyError, OverflowError) as e:
        raise ValueError(f"{where} is not a valid {kind.__name__} state ({type(e).__name__}: {e})") from None
