"""nr.metrics: accuracy, expected calibration error (checked against a loop over bins), NLL, Brier."""
import numpy as np
import pytest

import numreg as nr
from numreg.metrics import accuracy, brier_score, expected_calibration_error, negative_log_likelihood, reliability


def ece_loop(p, y, n_bins):
    """Reference: the definition, one bin at a time."""
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    total = 0.0
    for b in range(n_bins):
        lo, hi = b / n_bins, (b + 1) / n_bins
        inb = (conf > lo) & (conf <= hi) if b else (conf <= hi)
        if inb.any():
            total += inb.sum() / len(p) * abs(np.mean(pred[inb] == y[inb]) - conf[inb].mean())
    return total


def test_top_level_name():
    assert nr.metrics.expected_calibration_error is expected_calibration_error


def test_ece_worked_example():
    # Bin of confidence 0.8: accuracy 3/4 = 0.75, gap 0.05; bin of 0.6: accuracy 1/2, gap 0.1.
    # ECE = 4/6 * 0.05 + 2/6 * 0.1 = 0.0667
    p = np.array([[0.8, 0.2]] * 4 + [[0.4, 0.6]] * 2)
    y = np.array([0, 0, 0, 1, 1, 0])
    assert expected_calibration_error(p, y) == pytest.approx(4 / 6 * 0.05 + 2 / 6 * 0.1)


@pytest.mark.parametrize("n_bins", [1, 5, 15, 40])
def test_ece_matches_the_definition(n_bins):
    rng = np.random.default_rng(n_bins)
    p = nr.softmax(3 * rng.standard_normal((2000, 10)))
    y = rng.integers(0, 10, 2000)
    assert expected_calibration_error(p, y, n_bins) == pytest.approx(ece_loop(p, y, n_bins), abs=1e-12)


def test_ece_of_a_calibrated_and_an_overconfident_model():
    rng = np.random.default_rng(0)
    n = 200000
    c = rng.uniform(0.5, 1.0, n)                      # confidence of class 0
    p = np.stack([c, 1 - c], axis=1)
    y_cal = np.where(rng.random(n) < c, 0, 1)         # right with probability c: calibrated
    assert expected_calibration_error(p, y_cal) < 0.006   # sampling error only (~0.002)
    # Always 90% sure, right 60% of the time: ECE = |0.6 - 0.9| = 0.3
    p = np.tile([0.9, 0.1], (n, 1))
    y = np.where(rng.random(n) < 0.6, 0, 1)
    assert expected_calibration_error(p, y) == pytest.approx(0.3, abs=0.005)


def test_reliability_bins():
    # 0.8 = 12/15 lies on an edge: it belongs to (11/15, 12/15], bin 11.
    r = reliability(np.array([[0.8, 0.2], [0.95, 0.05], [0.5, 0.5]]), [0, 1, 0], n_bins=15)
    assert r["count"].sum() == 3
    assert r["count"][11] == 1 and r["count"][14] == 1 and r["count"][7] == 1
    assert r["accuracy"][14] == 0.0 and r["confidence"][14] == pytest.approx(0.95)
    assert np.isnan(r["accuracy"][0]) and len(r["edges"]) == 16 and r["edges"][12] == 0.8


def test_accuracy_nll_brier_by_hand():
    p = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]])
    y = np.array([0, 1, 1])
    assert accuracy(p, y) == pytest.approx(2 / 3)            # argmax of a tie is class 0
    assert accuracy(np.log(p), y) == pytest.approx(2 / 3)    # logits give the same arg-max
    assert negative_log_likelihood(p, y) == pytest.approx(-(np.log(0.5) + np.log(0.1) + np.log(0.8)) / 3)
    # Brier: (0.25 + 0.25) + (0.81 + 0.81) + (0.04 + 0.04) = 2.2, mean 0.7333
    assert brier_score(p, y) == pytest.approx(2.2 / 3)


def test_bad_input():
    p = np.array([[0.7, 0.3], [0.4, 0.6]])
    with pytest.raises(ValueError, match="softmax"):
        expected_calibration_error(np.array([[2.0, -1.0], [0.5, 0.1]]), [0, 1])
    with pytest.raises(ValueError, match="n_bins=0"):
        expected_calibration_error(p, [0, 1], n_bins=0)
    with pytest.raises(ValueError, match="label 2"):
        expected_calibration_error(p, [0, 2])
    with pytest.raises(ValueError, match="probs.shape"):
        expected_calibration_error(np.array([0.5, 0.5]), [0])
    with pytest.raises(ValueError, match="y"):
        expected_calibration_error(p, [0, 1, 1])
