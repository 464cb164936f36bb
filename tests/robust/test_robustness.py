"""nr.robustness: accuracy per corruption and level, as a table; checked on a model whose answers are known."""
import numpy as np
import pytest

import numreg as nr
from numreg.robust.tables import RobustnessTable, compare


def border_detector():
    """4x4 images; logits (0.5, sum of the 12 border pixels): class 1 iff the border holds > 0.5 of ink."""
    lin = nr.Linear(16, 2)
    frame = np.ones((4, 4), np.float32)
    frame[1:3, 1:3] = 0
    lin.W.data[:] = 0
    lin.W.data[:, 1] = frame.ravel()
    lin.b.data[:] = [0.5, 0.0]
    return nr.Sequential(nr.Flatten(), lin)


def test_known_answers():
    # Blank 4x4 images of class 0. Clean: border sum 0 < 0.5 -> class 0, accuracy 1.
    # Border noise of width 1: 12 pixels U(0, 1), sum ~ 6 > 0.5 -> class 1, accuracy 0.
    # Occlusion sets pixels to 0: nothing changes, accuracy 1.
    X = np.zeros((200, 4, 4), np.float32)
    y = np.zeros(200, int)
    t = nr.robustness(border_detector(), X, y, {"border": [1], "occlude": [2, 4]})
    assert isinstance(t, dict) and isinstance(t, RobustnessTable)
    assert t == {"clean": {0: 1.0}, "border": {1: 0.0}, "occlude": {2: 1.0, 4: 1.0}}
    assert t.clean == 1.0 and t.n == 200


def test_matches_a_manual_evaluation():
    rng = np.random.default_rng(0)
    X = rng.random((100, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 100)
    model = nr.mlp(seed=0).train()
    keep = X.copy()
    t = nr.robustness(model, X, y, seed=3)
    assert model.training                                   # mode restored
    np.testing.assert_array_equal(X, keep)                  # input untouched
    assert list(t) == ["clean", "occlude", "gaussian", "salt", "border"]
    model.eval()
    for name, (fn, levels) in nr.corrupt.CORRUPTIONS.items():
        assert tuple(t[name]) == levels
        for level in levels:
            acc = np.mean(model(fn(X, level, seed=3)).argmax(1) == y)
            assert t[name][level] == pytest.approx(acc)
    assert t.clean == pytest.approx(np.mean(model(X).argmax(1) == y))
    assert nr.robustness(model, X, y, seed=3) == t          # deterministic


def test_prints_as_a_table():
    X = np.zeros((10, 4, 4), np.float32)
    t = nr.robustness(border_detector(), X, np.zeros(10, int), {"border": [1], "gaussian": [0.25]})
    s = str(t)
    lines = s.splitlines()
    assert lines[0].split() == ["corruption", "level", "accuracy"]
    assert lines[1].split() == ["clean", "0", "1.0000"]
    assert lines[2].split() == ["border", "1", "0.0000"]
    assert lines[3].split()[:2] == ["gaussian", "0.25"]
    assert repr(t) == s
    assert t.rows()[0] == ("clean", 0, 1.0)
    c = compare({"detector": t, "again": t})
    assert c.splitlines()[0].split() == ["corruption", "level", "detector", "again"]
    assert c.splitlines()[2].split() == ["border", "1", "0.0000", "0.0000"]


def test_flat_images_and_custom_function():
    X = np.zeros((20, 16), np.float32)
    y = np.zeros(20, int)
    ink = (lambda X, level, seed=None, image_shape=None: X + level, [0.0, 1.0])
    t = nr.robustness(border_detector(), X, y, {"ink": ink}, image_shape=(4, 4))
    assert t["ink"] == {0.0: 1.0, 1.0: 0.0}


def test_bad_input():
    X = np.zeros((10, 4, 4), np.float32)
    m = border_detector()
    with pytest.raises(ValueError, match="unknown corruption 'blur'"):
        nr.robustness(m, X, np.zeros(10, int), ["blur"])
    with pytest.raises(ValueError, match="clean"):
        nr.robustness(m, X, np.zeros(10, int), {"clean": [1]})
    with pytest.raises(ValueError, match="y"):
        nr.robustness(m, X, np.zeros(9, int))
    with pytest.raises(ValueError, match="label 5"):
        nr.robustness(m, X, np.full(10, 5))
    with pytest.raises(ValueError, match="corruptions\\['gaussian'\\]"):
        nr.robustness(m, X, np.zeros(10, int), {"gaussian": "strong"})
    t = nr.robustness(m, X, np.zeros(10, int), {"border": [1]})
    with pytest.raises(ValueError, match="other corruptions"):
        compare({"a": t, "b": nr.robustness(m, X, np.zeros(10, int), {"occlude": [1]})})
