"""Prechelt's stopping criteria GL, PQ, UP and patience, checked epoch by epoch on hand-made histories."""
import math
import pathlib

import numpy as np
import pytest

import numreg as nr
from numreg.regularize.s7_08_early_stopping.prechelt import generalization_loss, training_progress

ROOT = pathlib.Path(nr.__file__).resolve().parents[1]          # the repository

# Values that are exact in binary, so the hand computations below hold to the last bit.
VA = [1.0, 0.5, 0.625, 0.5625, 0.25, 0.28125]
#   E_opt = [1, .5, .5, .5, .25, .25]
#   GL    = 100 (E_va/E_opt - 1) = [0, 0, 25, 12.5, 0, 12.5]
TR = [1.0] * len(VA)


def prefixes(criterion, tr, va):
    """The criterion asked after every epoch, as a run would ask it."""
    return [criterion(tr[:t], va[:t]) for t in range(1, len(va) + 1)]


def test_generalization_loss_by_hand():
    np.testing.assert_array_equal(generalization_loss(VA), [0, 0, 25, 12.5, 0, 12.5])


@pytest.mark.parametrize("alpha,expect", [
    (12.5, [False, False, True, False, False, False]),   # 25 > 12.5; 12.5 > 12.5 is False (strict)
    (12.0, [False, False, True, True, False, True]),
    (30.0, [False] * 6)])
def test_gl_epoch_by_epoch(alpha, expect):
    c = nr.GL(alpha)
    assert prefixes(c, TR, VA) == expect
    assert c.fires(TR, VA).tolist() == expect
    assert c.first_stop(TR, VA) == (expect.index(True) + 1 if True in expect else None)


def test_training_progress_by_hand():
    # strip k = 5 of E_tr = 4, 2, 2, 2, 2: sum 12, min 2 -> P_5(5) = 1000 (12 / (5 * 2) - 1) = 200
    # next strip 2, 2, 2, 2, 1 (epochs 2..6): sum 9, min 1 -> P_5(6) = 1000 (9/5 - 1) = 800
    p = training_progress([4, 2, 2, 2, 2, 1], strip=5)
    assert np.isnan(p[:4]).all()
    np.testing.assert_allclose(p[4:], [200.0, 800.0], rtol=1e-15)


def test_pq_epoch_by_epoch_with_strips_of_five():
    tr = [4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1.5, 1.25, 1.0, 1.0, 1.0]
    va = [1.0, 0.75, 0.625, 0.5, 0.5625, 0.75, 0.8, 0.6, 0.55, 0.5625, 0.5, 0.5, 0.5, 0.5, 0.5]
    # t = 5: GL = 100 (0.5625/0.5 - 1) = 12.5, P_5 = 200 -> PQ = 0.0625
    # t = 6, 7: GL = 50, 60 and P_5 = 0 (flat strip) -> infinite quotient, but not the end of a strip
    # t = 10: GL = 12.5, P_5 = 0 (epochs 6..10 all 2) -> infinite: every PQ_alpha stops
    # t = 15: GL = 0 -> 0 (the strip 11..15 made progress: P_5 = 1000 (5.75/5 - 1) = 150)
    q = nr.PQ(0.5).quotient(tr, va)
    assert q[4] == pytest.approx(0.0625, rel=1e-12)   # P_5 = 1000 (12/10 - 1): 12/10 is not exact in binary
    assert q[5] == math.inf and q[6] == math.inf and q[9] == math.inf and q[14] == 0
    for alpha, first in [(0.05, 5), (0.07, 10), (0.5, 10)]:
        c = nr.PQ(alpha)
        fires = prefixes(c, tr, va)
        assert fires == c.fires(tr, va).tolist()
        assert [t + 1 for t, f in enumerate(fires) if f] == ([5, 10] if alpha < 0.0625 else [10])
        assert c.first_stop(tr, va) == first


def test_pq_forgives_a_loss_while_training_progresses():
    # same generalization loss (12.5) but fast training progress: P_5 = 1000 (31/5 - 1) = 5200 -> PQ = 0.0024
    tr = [16, 8, 4, 2, 1]
    va = [1.0, 0.75, 0.625, 0.5, 0.5625]
    assert nr.PQ(0.5).quotient(tr, va)[4] == pytest.approx(12.5 / 5200, rel=1e-14)
    assert not nr.PQ(0.5)(tr, va) and nr.GL(5)(tr, va)


def test_pq_with_strips_of_two():
    tr = [2, 1, 1, 1]        # P_2(2) = 1000 (3/2 - 1) = 500, P_2(4) = 0
    va = [1.0, 1.25, 1.5, 1.25]   # GL = 0, 25, 50, 25 -> PQ(2) = 0.05, PQ(4) = inf
    assert nr.PQ(0.04, strip=2).fires(tr, va).tolist() == [False, True, False, True]
    assert nr.PQ(0.06, strip=2).fires(tr, va).tolist() == [False, False, False, True]


def test_up_epoch_by_epoch():
    # strip k = 2; E_va at the strip ends t = 2, 4, 6, 8, 10, 12: 5, 4, 4.5, 4.75, 5, 3
    va = [6, 5, 4.5, 4, 4.2, 4.5, 4.6, 4.75, 4.8, 5, 4, 3]
    tr = [1.0] * len(va)
    # rises at t = 6 (4.5 > 4), 8 (4.75 > 4.5), 10 (5 > 4.75); t = 12 falls
    assert nr.UP(1, strip=2).fires(tr, va).nonzero()[0].tolist() == [5, 7, 9]
    assert nr.UP(2, strip=2).fires(tr, va).nonzero()[0].tolist() == [7, 9]
    assert nr.UP(3, strip=2).fires(tr, va).nonzero()[0].tolist() == [9]
    assert nr.UP(4, strip=2).first_stop(tr, va) is None
    for s in (1, 2, 3):
        c = nr.UP(s, strip=2)
        assert prefixes(c, tr, va) == c.fires(tr, va).tolist()


def test_up_needs_s_plus_one_strips_and_strict_rises():
    # UP_1 with k = 5 can first stop at t = 2k = 10 (no E_va(0)); equal values are no rise
    va = list(np.linspace(1, 2, 15))
    assert nr.UP(1).first_stop(va, va) == 10
    assert nr.UP(2).first_stop(va, va) == 15
    flat = [1.0] * 15
    assert nr.UP(1).first_stop(flat, flat) is None


def test_up_recursive_definition():
    """UP_s stops after t iff UP_{s-1} stops after t - k and E_va(t) > E_va(t - k) (Prechelt)."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        va = np.cumsum(rng.standard_normal(60)) + 30
        tr = np.ones(60)
        k = 3
        for s in (2, 3):
            f, g = nr.UP(s, strip=k).fires(tr, va), nr.UP(s - 1, strip=k).fires(tr, va)
            for t in range(1, 61):
                want = t % k == 0 and t - k >= 1 and g[t - k - 1] and va[t - 1] > va[t - k - 1]
                assert f[t - 1] == want


def test_patience_counters_by_hand():
    # E_va = 3, 2, 2, 2.5, 1.9, 1.95 with p = 2: j = 0, 0, 1, 2, 0, 1
    va = [3, 2, 2, 2.5, 1.9, 1.95]
    c = nr.Patience(2)
    assert c.counters(va).tolist() == [0, 0, 1, 2, 0, 1]
    assert c.fires(va, va).tolist() == [False, False, False, True, False, False]
    # min_delta 0.2: 1.9 is not < 2 - 0.2, so it does not reset j
    assert nr.Patience(2, min_delta=0.2).counters(va).tolist() == [0, 0, 1, 2, 3, 4]


def test_patience_criterion_equals_early_stopping_counter():
    rng = np.random.default_rng(1)
    for trial in range(30):
        va = np.abs(np.cumsum(rng.standard_normal(40))) + 0.1
        p = int(rng.integers(1, 6))
        md = float(rng.choice([0.0, 0.1]))
        es = nr.EarlyStopping(patience=p, min_delta=md)
        stop = next((t for t, v in enumerate(va, 1) if es(v)), None)
        assert nr.Patience(p, min_delta=md).first_stop(va, va) == stop


def test_criteria_are_stateless_and_named():
    tr, va = [4, 2, 2, 2, 2.0], [1.0, 0.75, 0.625, 0.5, 0.5625]
    c = nr.PQ(0.05)
    assert c(tr, va) and c(tr, va) and not c(tr[:4], va[:4])
    assert [nr.GL(5).name, nr.PQ(0.5).name, nr.UP(3).name, nr.Patience(7).name] == \
        ["GL5", "PQ0.5", "UP3", "patience7"]
    assert repr(nr.UP(2, strip=4)) == "UP(s=2, strip=4)"
    assert all(not c([], []) for c in (nr.GL(1), nr.PQ(1), nr.UP(1), nr.Patience(1)))


@pytest.mark.parametrize("make,match", [
    (lambda: nr.GL(0), "alpha=0"), (lambda: nr.GL(-1), "alpha=-1"), (lambda: nr.GL(math.nan), "alpha=nan"),
    (lambda: nr.GL("five"), "alpha='five'"), (lambda: nr.PQ(0), "alpha=0"), (lambda: nr.PQ(0.5, strip=0), "strip=0"),
    (lambda: nr.UP(0), "s=0"), (lambda: nr.UP(2, strip=0), "strip=0"), (lambda: nr.UP(1.5), "s=1.5"),
    (lambda: nr.Patience(0), "p=0")])
def test_bad_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("c", [nr.GL(1), nr.PQ(1), nr.UP(1), nr.Patience(1)])
def test_histories_of_different_lengths(c):
    with pytest.raises(ValueError, match=r"len\(train_losses\)=3 and len\(valid_losses\)=2"):
        c([1, 2, 3], [1, 2])


def test_bad_histories():
    with pytest.raises(ValueError, match="valid_losses must be >= 0"):
        nr.GL(1)([1, 1], [0.5, -0.1])
    with pytest.raises(ValueError, match="train_losses must be finite and > 0"):
        nr.PQ(1, strip=2)([1.0, 0.0], [1.0, 1.0])


@pytest.mark.parametrize("criterion", [nr.GL(2), nr.PQ(0.5), nr.UP(2), nr.Patience(5)])
def test_each_criterion_stops_fit_where_it_says(criterion):
    """Inside fit, EarlyStopping(criterion=c) ends the run at the epoch c picks on the recorded history."""
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((3, 8)) * 2
    y = rng.integers(0, 3, 180)
    X = (centers[y] + 3.0 * rng.standard_normal((180, 8))).astype(np.float32)
    m = nr.Sequential(nr.Linear(8, 64), nr.ReLU(), nr.Linear(64, 3), seed=0)
    es = nr.EarlyStopping(criterion=criterion)
    h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=0.03), (X[:60], y[:60]), (X[60:], y[60:]),
               epochs=400, batch_size=20, callbacks=[es], seed=0, verbose=False)
    assert h.stop_reason == "early stopping"
    assert criterion.first_stop(h.train_loss, h.valid_loss) == h.epochs
    assert h.restored_epoch == int(np.argmin(h.valid_loss)) + 1


# --- the experiment's bookkeeping (experiments/prechelt.py), on hand-made records ------------------

def load_experiment():
    import importlib.util
    import os
    path = os.path.join(ROOT, "experiments", "prechelt.py")
    saved = dict(os.environ)                    # the script sets BLAS thread variables for its workers
    try:
        spec = importlib.util.spec_from_file_location("prechelt_experiment", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return mod


def test_experiment_table_by_hand():
    exp = load_experiment()
    # one run: E_va falls to its minimum at epoch 4, then rises; test loss lowest at epoch 4 too
    va = [1.0, 0.8, 0.7, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
    record = {"task": None, "train_loss": [1.0 / t for t in range(1, 13)], "valid_loss": va,
              "test_loss": [v + 0.1 for v in va], "test_error": [0.3] * 3 + [0.2] + [0.25] * 8}
    gl5, up1 = nr.GL(5), nr.UP(1)
    results, reference = exp.evaluate_criteria([record], [gl5, up1])
    # GL(5) = 20% after epoch 5 -> stops there, theta* from epoch 4; UP1 (k = 5): E_va(10) > E_va(5) -> stops at 10
    assert results["GL5"] == [(5, 0.6, 0.2, True)] and results["UP1"] == [(10, 0.6, 0.2, True)]
    assert reference.tolist() == [[0.6, 0.2]]
    lines, rows = exp.table(results, reference, [gl5, up1])
    assert [r["slowness"] for r in rows] == [1.0, 2.0] and [r["rel_loss"] for r in rows] == [1.0, 1.0]
    assert lines[2].split()[0] == "GL5" and len(lines) == 4
