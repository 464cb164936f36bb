"""fit(resume=) changes nothing unless it succeeds: ~50 systematic edits of a valid checkpoint (issue 11).

Each edit breaks one entry of the checkpoint -- a counter out of range or
of the wrong type, a weight or optimizer buffer that is NaN, of another
shape or dtype, an invalid hyper-parameter, a generator state that does not
load, a callback state without "best", a malformed history, a missing
entry -- and the resume must raise a ``ValueError`` that names the file,
with the model, the optimizer, the callbacks and every generator
bit-identical to what they were before.
"""
import json
import math

import numpy as np
import pytest

import numreg as nr


class Jitter:
    """A random augmentation with its own generator (saved in the checkpoint's extras)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def __call__(self, data):
        return data + np.float32(0.05) * self.rng.standard_normal(data.shape, dtype=np.float32)


def make(lr=0.01):
    model = nr.Sequential(nr.Linear(6, 8), nr.ReLU(), nr.Dropout(0.3), nr.Linear(8, 3), seed=1)
    return model, nr.Adam(model.parameters(), lr=lr), nr.EarlyStopping(patience=50), Jitter(7)


def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((48, 6)).astype(np.float32)
    return (X[:32], np.arange(32) % 3), (X[32:], np.arange(16) % 3)


def run(model, opt, es, jitter, epochs, **kw):
    train, valid = data()
    return nr.fit(model, nr.SoftmaxCrossEntropy(), opt, train, valid, epochs=epochs, batch_size=8, callbacks=[es],
                  seed=3, verbose=False, augment=jitter, **kw)


@pytest.fixture(scope="module")
def valid_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("ck") / "valid.npz"
    run(*make(), epochs=2, checkpoint=path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return path, arrays


def snapshot(model, opt, es, jitter):
    gens = [g.bit_generator.state for g in model.generators()] + [jitter.rng.bit_generator.state]
    return (model.state_dict(), opt.state_dict(), json.dumps(es.state_dict(), default=repr, sort_keys=True),
            json.dumps(gens, default=repr, sort_keys=True))


def same(a, b):
    for d1, d2 in zip(a[:2], b[:2]):
        assert d1.keys() == d2.keys()
        for k in d1:
            np.testing.assert_array_equal(d1[k], d2[k])   # bit-identical (NaN == NaN here too)
    assert a[2:] == b[2:]


def first_key(arrays, prefix):
    return next(k for k in sorted(arrays) if k.startswith(prefix))


def set_array(prefix, value):
    """An edit of the first array whose key starts with ``prefix``."""
    def edit(meta, arrays):
        k = first_key(arrays, prefix)
        a = arrays[k].astype(np.float64) if np.ndim(value) == 0 and np.isnan(value) else arrays[k]
        arrays[k] = np.full_like(a, value) if np.ndim(value) == 0 else value
    return edit


def set_meta(path, value):
    """An edit setting ``meta[path[0]][path[1]]...`` (``value`` None with ``delete``: see ``drop``)."""
    def edit(meta, arrays):
        d = meta
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return edit


def drop(path):
    def edit(meta, arrays):
        d = meta
        for k in path[:-1]:
            d = d[k]
        del d[path[-1]]
    return edit


def es_state(key, value):
    return set_meta(("callbacks", 0, "state", key), value)


def model_key(meta):
    return sorted(meta["model"])[0]


EDITS = {
    # counters
    "epoch negative": set_meta(("epoch",), -5), "epoch fraction": set_meta(("epoch",), 2.5),
    "epoch string": set_meta(("epoch",), "2"), "epoch None": set_meta(("epoch",), None),
    "epoch bool": set_meta(("epoch",), True), "epoch beyond epochs": set_meta(("epoch",), 10 ** 6),
    "epoch missing": drop(("epoch",)), "step negative": set_meta(("step",), -1),
    "step fraction": set_meta(("step",), 1.5), "step too small": set_meta(("step",), 1),
    "stopped string": set_meta(("stopped",), "no"), "n_train zero": set_meta(("n_train",), 0),
    "batch_size string": set_meta(("batch_size",), "8"),
    # weights
    "model missing": drop(("model",)), "model a list": set_meta(("model",), []),
    "model array gone": lambda m, a: m["model"].update({model_key(m): {"__array__": "/nowhere"}}),
    "model entry a number": lambda m, a: m["model"].update({model_key(m): 3.0}),
    "model entry a string": lambda m, a: m["model"].update({model_key(m): "abc"}),
    "model extra entry": lambda m, a: m["model"].update({"9.W": 1.0}),
    "model entry missing": lambda m, a: m["model"].pop(model_key(m)),
    "model NaN": set_array("/model/", math.nan), "model inf": set_array("/model/", math.inf),
    "last_good NaN": set_array("/last_good/", math.nan),
    "model strings": lambda m, a: a.update({first_key(a, "/model/"): a[first_key(a, "/model/")].astype(str)}),
    "model complex": lambda m, a: a.update({first_key(a, "/model/"): a[first_key(a, "/model/")] + 1j}),
    # optimizer
    "optimizer class": set_meta(("optimizer", "class"), "SGD"),
    "lr negative": set_meta(("optimizer", "state", "lr"), -1), "lr NaN": set_meta(("optimizer", "state", "lr"), math.nan),
    "lr string": set_meta(("optimizer", "state", "lr"), "0.01"),
    "t negative": set_meta(("optimizer", "state", "t"), -3), "t fraction": set_meta(("optimizer", "state", "t"), 2.5),
    "buffer missing": lambda m, a: m["optimizer"]["state"].pop(sorted(k for k in m["optimizer"]["state"]
                                                                      if k not in ("t", "lr"))[0]),
    "buffer NaN": set_array("/optimizer/state/", math.nan),
    "buffer shape": lambda m, a: a.update({first_key(a, "/optimizer/state/"): np.zeros(3, np.float32)}),
    "betas NaN": set_meta(("optimizer", "hyper", "betas"), [math.nan, 0.999]),
    "eps negative": set_meta(("optimizer", "hyper", "eps"), -1.0),
    "unknown hyper-parameter": set_meta(("optimizer", "hyper", "gamma"), 0.5),
    "hyper a list": set_meta(("optimizer", "hyper"), [1, 2]),
    # generators
    "rng empty": set_meta(("rng",), {}), "rng another kind": set_meta(("rng", "bit_generator"), "MT19937"),
    "rng state garbage": set_meta(("rng", "state"), "x"), "generators missing one": set_meta(("generators",), []),
    "generator a number": set_meta(("generators", 0), 5), "extras empty": set_meta(("extras",), {}),
    "extras state garbage": set_meta(("extras", "augment", 0), {"bit_generator": "PCG64", "state": 1}),
    # callbacks
    "callbacks none": set_meta(("callbacks",), []), "callback class": set_meta(("callbacks", 0, "class"), "Other"),
    "EarlyStopping without best": lambda m, a: m["callbacks"][0]["state"].pop("best"),
    "EarlyStopping best a string": es_state("best", "low"), "EarlyStopping counter negative": es_state("counter", -1),
    "EarlyStopping record strings": es_state("valid_record", ["a"]),
    "EarlyStopping state a list": set_meta(("callbacks", 0, "state"), [1]),
    # history
    "history a string": set_meta(("history",), "x"), "history loss strings": set_meta(("history", "train_loss"), ["a"]),
    "history an epoch short": lambda m, a: m["history"]["train_loss"].pop(),
    "history extra on History's own": set_meta(("history", "extra"), {"__class__": []}),
    "history best_epoch negative": set_meta(("history", "best_epoch"), -1),
    # the file
    "format": set_meta(("format",), "other"), "version": set_meta(("version",), 2),
    "meta not JSON": lambda m, a: a.update(meta=np.array("{")),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_a_broken_checkpoint_raises_and_changes_nothing(valid_checkpoint, tmp_path, name):
    path, arrays = valid_checkpoint
    arrays = dict(arrays)
    meta = json.loads(str(arrays["meta"]))
    EDITS[name](meta, arrays)
    if "meta" in arrays and str(arrays["meta"]) != "{":
        arrays["meta"] = np.array(json.dumps(meta))
    edited = tmp_path / "edited.npz"
    np.savez(edited, **arrays)
    objects = make()
    before = snapshot(*objects)
    with pytest.raises(ValueError, match=r"cannot resume from resume='.*edited\.npz'") as info:
        run(*objects, epochs=5, resume=edited)
    assert type(info.value) in (ValueError, nr.core.checks.ArgumentTypeError)
    same(before, snapshot(*objects))


def test_the_valid_checkpoint_resumes(valid_checkpoint):
    path, _ = valid_checkpoint
    h = run(*make(), epochs=3, resume=path)
    assert len(h.train_loss) == 3


def test_other_hyper_parameters_are_replaced_by_the_checkpoint_s_with_a_warning(valid_checkpoint):
    path, _ = valid_checkpoint
    model, opt, es, jitter = make(lr=0.5)
    with pytest.warns(UserWarning, match=r"lr=0\.5 -> 0\.01.*the checkpoint's are restored"):
        run(model, opt, es, jitter, epochs=3, resume=path)
    assert opt.lr == 0.01
