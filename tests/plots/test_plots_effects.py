"""numreg.plots.effects: mean and standard error, the paired effect's sentence, and the two figures."""
import numpy as np
import pytest
from matplotlib.figure import Figure

import numreg as nr


def test_mean_se_by_hand():
    mean, se = nr.plots.mean_se([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    np.testing.assert_allclose(mean, [3.0, 10.0])
    np.testing.assert_allclose(se, [2.0 / np.sqrt(3), 0.0])
    assert nr.plots.mean_se([[2.0, 4.0]])[1].tolist() == [0.0, 0.0]      # one seed: no spread to estimate
    with pytest.raises(ValueError, match="values must not be empty"):
        nr.plots.mean_se(np.zeros((0, 3)))


def test_paired_effect_by_hand_and_its_verdict():
    mean, se, sentence = nr.plots.paired_effect([0.30, 0.32, 0.34], [0.20, 0.23, 0.24], name="L2")
    d = np.array([0.10, 0.09, 0.10])
    assert mean == pytest.approx(d.mean()) and se == pytest.approx(d.std(ddof=1) / np.sqrt(3))
    assert "L2 lowers the test error" in sentence and "exceeds twice its standard error" in sentence
    assert "lower on 3 of 3 seeds" in sentence
    mean, se, sentence = nr.plots.paired_effect([0.30, 0.32, 0.34], [0.33, 0.30, 0.34])
    assert abs(mean) < 2 * se and "NOT more than twice" in sentence
    assert "raises" in nr.plots.paired_effect([0.1, 0.1], [0.2, 0.3])[2]
    with pytest.raises(ValueError, match="same length"):
        nr.plots.paired_effect([0.1, 0.2], [0.1])


def test_train_test_curves_draws_a_band_per_curve():
    rng = np.random.default_rng(0)
    runs = {"without": (rng.random((3, 5)), rng.random((3, 5))), "with": (rng.random((3, 5)), rng.random((3, 5)))}
    fig = nr.plots.train_test_curves(runs, ylabel="test error", title="t")
    ax = fig.axes[0]
    assert isinstance(fig, Figure) and len(ax.lines) == 4 and len(ax.collections) == 4
    np.testing.assert_allclose(ax.lines[1].get_ydata(), runs["without"][1].mean(axis=0))
    with pytest.raises(ValueError, match="differ in shape"):
        nr.plots.train_test_curves({"x": (np.zeros((2, 3)), np.zeros((2, 4)))})


def test_strength_sweep_log_axis_baseline_and_checks():
    test = np.array([[0.3, 0.2, 0.4], [0.32, 0.22, 0.42]])
    fig = nr.plots.strength_sweep([1e-3, 1e-2, 1e-1], test, train=test - 0.1, baseline=[0.35, 0.36], best=1e-2,
                                  label="L2")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["L2: test", "L2: training", "without: test"] or set(labels) == {"L2: test", "L2: training",
                                                                                      "without: test"}
    nr.plots.strength_sweep([1e-3, 1e-2, 1e-1], test, ax=ax, label="L1", color=nr.plots.PALETTE[1])
    assert "L1: test" in ax.get_legend_handles_labels()[1]
    with pytest.raises(ValueError, match="log axis"):
        nr.plots.strength_sweep([0.0, 1.0], test[:, :2])
    with pytest.raises(ValueError, match="one column per strength"):
        nr.plots.strength_sweep([1.0, 2.0], test)
