"""fit(checkpoint=...) / fit(resume=...): a run killed with SIGKILL continues bit for bit; bad checkpoints fail cleanly."""
import json
import os
import textwrap

import numpy as np
import pytest

import numreg as nr
from children import kill_after, start

# The run every test here uses: dropout (model generators), a random augmentation (its own
# generator), Adam (optimizer state) and EarlyStopping (its counters and theta*).
SETUP = textwrap.dedent('''
    import numpy as np
    import numreg as nr

    class Jitter:
        """A random augmentation with its own generator."""
        def __init__(self, seed):
            self.rng = np.random.default_rng(seed)

        def __call__(self, data):
            return data + np.float32(0.05) * self.rng.standard_normal(data.shape, dtype=np.float32)

    def data():
        rng = np.random.default_rng(0)
        centers = rng.standard_normal((3, 8)) * 2
        y = rng.integers(0, 3, 300)
        X = (centers[y] + 2.0 * rng.standard_normal((300, 8))).astype(np.float32)
        return (X[:200], y[:200]), (X[200:], y[200:])

    def setup(hidden=32, unit="epoch"):
        model = nr.Sequential(nr.Linear(8, hidden), nr.ReLU(), nr.Dropout(0.3), nr.Linear(hidden, 3), seed=1)
        optimizer = nr.Adam(model.parameters(), lr=0.01)
        es = nr.EarlyStopping(patience=100, every=5 if unit == "step" else 1, unit=unit)
        return model, optimizer, es, Jitter(7)

    def train(epochs, callbacks=(), hidden=32, unit="epoch", **kw):
        model, optimizer, es, jitter = setup(hidden, unit)
        train, valid = data()
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), optimizer, train, valid, epochs=epochs, batch_size=16,
                   callbacks=[es, *callbacks], seed=3, verbose=False, augment=jitter, **kw)
        return model, optimizer, es, h
''')
exec(SETUP)  # the same definitions in this process


def same_history(h1, h2):
    d1, d2 = h1.to_dict(), h2.to_dict()
    d1.pop("epoch_time")
    d2.pop("epoch_time")          # wall-clock seconds: the one field that differs
    assert json.dumps(d1) == json.dumps(d2)   # NaN-safe, bit-exact (repr of every float)


def same_weights(m1, m2):
    s1, s2 = m1.state_dict(), m2.state_dict()
    assert s1.keys() == s2.keys()
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k])


CHILD = SETUP + textwrap.dedent('''
    import sys, time

    class KillMe(nr.Callback):
        """In the middle of epoch 4 (after the checkpoint of epoch 3), say so and wait to be killed."""
        def on_step_end(self, state):
            if state.epoch == 4 and state.step % 13 == 5:
                print("READY", state.step, flush=True)
                time.sleep(120)

    train(12, callbacks=[KillMe()], checkpoint=sys.argv[1])
    print("NOT KILLED", flush=True)
''')


def test_sigkill_mid_run_then_resume_is_bit_identical(tmp_path):
    ckpt = tmp_path / "run.npz"
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    kill_after(start([script, ckpt]), "READY")
    assert [f for f in os.listdir(tmp_path) if f not in ("run.npz", "child.py")] == []   # no temp file left
    with np.load(ckpt, allow_pickle=False) as z:
        assert json.loads(str(z["meta"]))["epoch"] == 3           # the last complete epoch

    m_resumed, opt_resumed, es_resumed, h_resumed = train(12, checkpoint=ckpt, resume=ckpt)
    m_full, opt_full, es_full, h_full = train(12)
    assert h_full.epochs == h_resumed.epochs == 12
    same_history(h_full, h_resumed)
    same_weights(m_full, m_resumed)
    assert opt_full.t == opt_resumed.t
    for a, b in zip(opt_full.m + opt_full.v, opt_resumed.m + opt_resumed.v):
        np.testing.assert_array_equal(a, b)
    assert es_full.best_epoch == es_resumed.best_epoch and es_full.evaluations == es_resumed.evaluations


@pytest.mark.parametrize("unit", ["epoch", "step"])
def test_resume_in_process_is_bit_identical(tmp_path, unit):
    ckpt = tmp_path / "c.npz"
    train(4, unit=unit, checkpoint=ckpt)
    m2, _, es2, h2 = train(9, unit=unit, resume=ckpt)
    m1, _, es1, h1 = train(9, unit=unit)
    same_history(h1, h2)
    same_weights(m1, m2)
    assert es1.evaluations == es2.evaluations and es1.best_step == es2.best_step


def test_resuming_a_finished_run_trains_no_more(tmp_path):
    ckpt = tmp_path / "c.npz"
    X, y = data()[0]
    m = nr.Sequential(nr.Linear(8, 32), nr.ReLU(), nr.Linear(32, 3), seed=1)
    es = nr.EarlyStopping(patience=2)
    h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=0.05), (X[:40], y[:40]), (X[100:], y[100:]),
               epochs=300, batch_size=10, callbacks=[es], seed=0, verbose=False, checkpoint=ckpt)
    assert h.stop_reason == "early stopping"
    before = open(ckpt, "rb").read()
    m2 = nr.Sequential(nr.Linear(8, 32), nr.ReLU(), nr.Linear(32, 3), seed=99)
    opt2 = nr.Adam(m2.parameters(), lr=0.05)
    h2 = nr.fit(m2, nr.SoftmaxCrossEntropy(), opt2, (X[:40], y[:40]), (X[100:], y[100:]), epochs=300, batch_size=10,
                callbacks=[nr.EarlyStopping(patience=2)], verbose=False, resume=ckpt, checkpoint=ckpt)
    same_history(h, h2)
    same_weights(m, m2)               # theta* restored again
    assert open(ckpt, "rb").read() == before


# --- bad checkpoints: a clear error, and neither the file nor the model is touched ---------------

def snapshot(model, optimizer):
    return model.state_dict(), optimizer.state_dict()


def untouched(model, optimizer, snap):
    s, o = snap
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, s[k])
    for k, v in optimizer.state_dict().items():
        np.testing.assert_array_equal(v, o[k])


def resume_into(ckpt, hidden=32, batch_size=16, optimizer=None):
    model, opt, es, jitter = setup(hidden)
    if optimizer is not None:
        opt = optimizer(model)
    snap = snapshot(model, opt)
    train_, valid = data()
    try:
        nr.fit(model, nr.SoftmaxCrossEntropy(), opt, train_, valid, epochs=6, batch_size=batch_size, callbacks=[es],
               seed=3, verbose=False, augment=jitter, checkpoint=ckpt, resume=ckpt)
    finally:
        untouched(model, opt, snap)


def test_missing_checkpoint(tmp_path):
    ckpt = tmp_path / "nothing.npz"
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        resume_into(ckpt)
    assert not ckpt.exists()          # the failed resume did not start a new checkpoint


def test_truncated_checkpoint(tmp_path):
    ckpt = tmp_path / "c.npz"
    train(2, checkpoint=ckpt)
    data_ = open(ckpt, "rb").read()
    ckpt.write_bytes(data_[: len(data_) // 2])
    with pytest.raises(ValueError, match="cannot read checkpoint"):
        resume_into(ckpt)
    assert ckpt.read_bytes() == data_[: len(data_) // 2]


def test_checkpoint_of_another_architecture(tmp_path):
    ckpt = tmp_path / "c.npz"
    train(2, hidden=32, checkpoint=ckpt)
    before = ckpt.read_bytes()
    with pytest.raises(ValueError, match=r"another architecture: model\['0.W'\] has shape \(8, 32\) in the checkpoint, "
                                         r"\(8, 16\) in the model"):
        resume_into(ckpt, hidden=16)
    assert ckpt.read_bytes() == before


@pytest.mark.parametrize("kw,match", [
    ({"batch_size": 8}, "in batches of 16, this run has 200 in batches of 8"),
    ({"optimizer": lambda m: nr.SGD(m.parameters(), lr=0.1)}, "optimizer is Adam, this run's is SGD")])
def test_checkpoint_of_another_set_up(tmp_path, kw, match):
    ckpt = tmp_path / "c.npz"
    train(2, checkpoint=ckpt)
    before = ckpt.read_bytes()
    with pytest.raises(ValueError, match=match):
        resume_into(ckpt, **kw)
    assert ckpt.read_bytes() == before


def test_not_a_fit_checkpoint(tmp_path):
    ckpt = tmp_path / "best.npz"
    model, *_ = setup()
    nr.files.save_npz(ckpt, model.state_dict())     # e.g. EarlyStopping(path=...)'s theta*
    with pytest.raises(ValueError, match="not a checkpoint written by fit"):
        resume_into(ckpt)


def test_checkpoint_is_plain_npz_with_json_meta(tmp_path):
    ckpt = tmp_path / "c.npz"
    model, *_ = train(2, checkpoint=ckpt)
    with np.load(ckpt, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        assert meta["format"] == "numreg.fit checkpoint" and meta["epoch"] == 2
        assert meta["generators"][0]["bit_generator"] == "PCG64" and "augment" in meta["extras"]
        assert z["/model/0.W"].shape == (8, 32) and z["/model/0.W"].dtype == np.float32


@pytest.mark.parametrize("bad", ["", "folder", "/proc/numreg-cannot-write/x.npz"])
def test_unwritable_checkpoint_fails_before_training(tmp_path, bad):
    # Regression: these failed only after the first epoch, and the History was lost.
    path = {"": "", "folder": str(tmp_path)}.get(bad, bad)
    model = nr.Sequential(nr.Linear(3, 2), seed=0)
    X, y = np.zeros((8, 3), np.float32), np.zeros(8, np.int64)
    before = model.state_dict()
    with pytest.raises(ValueError, match="checkpoint"):
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y), epochs=2,
               checkpoint=path, verbose=False)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])          # not one step was taken


def test_a_run_removes_the_stale_temporary_files_of_its_checkpoint(tmp_path):
    # A SIGKILL during atomic_write leaves ".checkpoint.npz.<random>.tmp"; the next run cleans it.
    from numreg.files import temporary_files
    path = tmp_path / "checkpoint.npz"
    stale = tmp_path / ".checkpoint.npz.abc123.tmp"
    stale.write_bytes(b"half-written")
    other = tmp_path / ".other.npz.abc123.tmp"                # another file's: left alone
    other.write_bytes(b"x")
    model = nr.Sequential(nr.Linear(3, 2), seed=0)
    X, y = np.zeros((8, 3), np.float32), np.zeros(8, np.int64)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y), epochs=1,
           checkpoint=path, verbose=False)
    assert temporary_files(path) == [] and not stale.exists() and other.exists() and path.exists()
