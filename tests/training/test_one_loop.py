"""One training loop: MultiTask and the denoising autoencoder train through nr.fit, and gain its techniques."""
import inspect

import numpy as np
import pytest

import numreg as nr
from numreg.training import loop


def _blobs(n=120, d=6, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (rng.standard_normal((n, d)) + 2.0 * np.eye(3, d)[y]).astype(np.float32)
    return X, y


def _multitask(seed=0):
    trunk = nr.Sequential(nr.Linear(6, 16), nr.ReLU())
    return nr.MultiTask(trunk, [nr.Linear(16, 3), nr.Linear(16, 2)], seed=seed)


def test_fit_reads_as_the_seed_loop():
    # The step's six lines of the seed notebook appear in fit's source, and the loop stays short.
    src = inspect.getsource(loop.fit)
    body = src[src.index('    """', src.index('"""') + 3) + 8:]
    for line in ("model.train()", "optimizer.zero_grad()", "output = model(data)",
                 "loss = criterion(output, target)", "model.backward(criterion.backward()", "optimizer.step()"):
        assert line in body, line
    assert len([ln for ln in body.splitlines() if ln.strip()]) <= 45


def test_multitask_through_fit_matches_a_manual_loop():
    # MultiTask.fit is nr.fit; one epoch by hand with the same permutation gives the same weights.
    X, y = _blobs()
    T = [y, (y > 0).astype(int)]
    a, b = _multitask(0), _multitask(0)
    a.fit(nr.SGD(a.parameters(), lr=0.1), X, T, epochs=1, batch_size=32, seed=3)
    opt = nr.SGD(b.parameters(), lr=0.1)
    order = np.random.default_rng(3).permutation(len(X))
    b.train()
    for s in range(0, len(X), 32):
        idx = order[s:s + 32]
        opt.zero_grad()
        b.criterion(b(X[idx]), [t[idx] for t in T])
        b.backward(b.criterion.backward())
        opt.step()
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data, err_msg=name)


def test_multitask_gains_penalties_early_stopping_and_checkpoints(tmp_path):
    X, y = _blobs()
    T = [y, (y > 0).astype(int)]
    m = _multitask(1)
    before = {n: p.data.copy() for n, p in m.named_parameters()}
    stopper = nr.EarlyStopping(patience=1, verbose=False)
    h = m.fit(nr.SGD(m.parameters(), lr=0.5), X[:80], T and [t[:80] for t in T], epochs=40, batch_size=16,
              valid=(X[80:], [t[80:] for t in T]), seed=0, callbacks=[stopper],
              penalties=[nr.L2(1e-2)], checkpoint=tmp_path / "mt.npz")
    assert h.stop_reason == "early stopping" and h.epochs < 40
    assert (tmp_path / "mt.npz").exists()
    assert len(h.task_valid_loss) == h.epochs and len(h.task_valid_loss[0]) == 2
    assert h.valid_accuracy[0] == h.task_valid_accuracy[0][0]
    # the L2 term is in the objective: train_loss > train_data_loss
    assert all(t > d for t, d in zip(h.train_loss, h.train_data_loss))
    assert any(not np.array_equal(before[n], p.data) for n, p in m.named_parameters())


def test_multitask_resume_is_bit_identical(tmp_path):
    X, y = _blobs()
    T = [y, (y > 0).astype(int)]
    full = _multitask(2)
    full.fit(nr.Adam(full.parameters(), lr=1e-2), X, T, epochs=4, batch_size=32, seed=1)
    part = _multitask(2)
    opt = nr.Adam(part.parameters(), lr=1e-2)
    part.fit(opt, X, T, epochs=2, batch_size=32, seed=1, checkpoint=tmp_path / "c.npz")
    again = _multitask(5)
    again.fit(nr.Adam(again.parameters(), lr=1e-2), X, T, epochs=4, batch_size=32, seed=1,
              resume=tmp_path / "c.npz")
    for (name, p), q in zip(full.named_parameters(), again.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)


def _dae(seed=0):
    enc = nr.Sequential(nr.Linear(6, 8), nr.ReLU())
    dec = nr.Sequential(nr.Linear(8, 6))
    head = nr.Linear(8, 3)
    return nr.DenoisingAutoencoderClassifier(enc, dec, head, corruption=0.2, seed=seed).reseed(seed)


def test_denoising_autoencoder_gains_penalties_and_early_stopping():
    X, y = _blobs(200)
    m = _dae(0)
    h = m.fit(X[:20], y[:20], X[20:150], epochs=30, batch_size=32, labeled_batch_size=10,
              valid=(X[150:], y[150:]), seed=0, callbacks=[nr.EarlyStopping(patience=2)],
              penalties=[nr.L2(1e-3)], optimizer=nr.SGD(m.parameters(), lr=0.5))
    assert h.epochs >= 1 and len(h.task_train_loss) == h.epochs
    assert all(t > d for t, d in zip(h.train_loss, h.train_data_loss))     # the penalty is counted
    assert h.best_epoch is not None


def test_denoising_autoencoder_is_deterministic():
    X, y = _blobs(100)
    runs = []
    for _ in range(2):
        m = _dae(4)
        h = m.fit(X[:20], y[:20], X[20:], epochs=2, batch_size=16, seed=7)
        runs.append((h.train_loss, [p.data.copy() for p in m.parameters()]))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_targets_none_needs_a_train_step():
    X, y = _blobs(20)
    model = nr.Sequential(nr.Linear(6, 3))
    with pytest.raises(ValueError, match="train_step"):
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, None), verbose=False)


def test_adversarial_and_train_step_are_exclusive():
    X, y = _blobs(20)
    model = nr.Sequential(nr.Linear(6, 3))
    with pytest.raises(ValueError, match="not both"):
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y), verbose=False,
               adversarial=nr.FGSM(0.1), train_step=nr.FGSM(0.1))


@pytest.mark.parametrize("kw, name", [
    ({"penalties": [nr.MaxNorm(1.0)]}, "penalties[0]"),
    ({"constraints": [nr.L2(0.1)]}, "constraints[0]"),
    ({"callbacks": [1, 2]}, "callbacks[0]"),
    ({"callbacks": 3}, "callbacks"),
    ({"augment": True}, "augment"),
    ({"weight_noise": 0.01}, "weight_noise"),
    ({"adversarial": 0.1}, "adversarial"),
])
def test_bad_extension_objects_fail_before_the_first_step(kw, name):
    X, y = _blobs(20)
    model = nr.Sequential(nr.Linear(6, 3))
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(TypeError, match=name.replace("[", r"\[").replace("]", r"\]")):
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y), verbose=False, **kw)
    for a, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(a, p.data)          # nothing trained


def test_criterion_class_and_foreign_optimizer_are_rejected():
    X, y = _blobs(20)
    model, other = nr.Sequential(nr.Linear(6, 3)), nr.Sequential(nr.Linear(6, 3))
    with pytest.raises(TypeError, match="criterion"):
        nr.fit(model, nr.SoftmaxCrossEntropy, nr.SGD(model.parameters(), lr=0.1), (X, y), verbose=False)
    with pytest.raises(ValueError, match="another model"):
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(other.parameters(), lr=0.1), (X, y), verbose=False)
