"""The §7.4-7.5 figures render to PNG: augmentation grid, reliability diagram, robustness curves."""
import io

import matplotlib
matplotlib.use("Agg")
import numpy as np
import pytest
from matplotlib.figure import Figure

import numreg as nr


def png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    return buf


def digit():
    img = np.zeros((28, 28), np.float32)
    img[6:10, 8:20] = 1                                     # a "7": top bar and a stroke
    img[10:22, 16:20] = 1
    return img


def test_augmentation_grid_default_rows():
    fig = nr.plots.augmentation_grid(digit(), n=4, seed=0)
    assert isinstance(fig, Figure)
    png(fig)
    axes = fig.axes
    assert len(axes) == 6 * 5                                # 6 default rows, original + 4 draws
    labels = [ax.get_ylabel() for ax in axes if ax.get_ylabel()]
    assert labels[0] == "RandomAffine()" and any("unsafe" in lab for lab in labels)
    # the original column shows the image itself
    np.testing.assert_array_equal(axes[0].images[0].get_array(), digit())


def test_augmentation_grid_custom_and_flat():
    fig = nr.plots.augmentation_grid(digit().ravel(), {"shift": nr.augment.RandomAffine(degrees=0, seed=1)}, n=3,
                                     title="one row")
    assert len(fig.axes) == 4
    png(fig)
    with pytest.raises(ValueError, match="image.shape"):
        nr.plots.augmentation_grid(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="n=0"):
        nr.plots.augmentation_grid(digit(), n=0)


def test_reliability_diagram_one_and_many():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 500)
    p1 = nr.softmax(3 * rng.standard_normal((500, 10)))
    p2 = nr.softmax(rng.standard_normal((500, 10)))
    fig = nr.plots.reliability_diagram(p1, y, title="one model")
    png(fig)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ece = nr.metrics.expected_calibration_error(p1, y)
    assert any(f"{ece:.4f}" in t for t in texts)
    assert fig.axes[0].get_ylabel() == "accuracy" and len(fig.axes) == 2
    fig = nr.plots.reliability_diagram({"eps=0": p1, "eps=0.1": p2}, y)
    png(fig)
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(t.startswith("eps=0.1: ECE") for t in texts)
    # into given axes
    from matplotlib.figure import Figure as F
    ax = F().subplots()
    assert nr.plots.reliability_diagram(p1, y, ax=ax) is ax.figure
    with pytest.raises(ValueError, match="softmax"):
        nr.plots.reliability_diagram(rng.standard_normal((500, 10)), y)


def test_robustness_curves():
    X = np.random.default_rng(0).random((20, 28, 28)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 10, 20)
    t1 = nr.robustness(nr.mlp(seed=0), X, y)
    t2 = nr.robust.RobustnessTable({k: {lv: 0.5 * a for lv, a in v.items()} for k, v in t1.items()})
    fig = nr.plots.robustness_curves({"dense": t1, "other": t2}, title="robustness")
    png(fig)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["occlude", "gaussian", "salt", "border"]
    line = visible[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), [t1.clean] + list(t1["occlude"].values()))
    np.testing.assert_allclose(line.get_xdata(), [0, 4, 8, 12])
    assert [t.get_text() for t in visible[0].get_legend().get_texts()] == ["dense", "other"]
    png(nr.plots.robustness_curves(t1, ncols=3))           # one table, two rows of panels
    with pytest.raises(ValueError, match="corruption"):
        nr.plots.robustness_curves(nr.robust.RobustnessTable({"clean": {0: 1.0}}))
