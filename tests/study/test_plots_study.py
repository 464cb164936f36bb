import io

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import numreg as nr
import numreg.study as st


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def records():
    out = []
    for dropout in (0.0, 0.5):
        for lr in (0.1, 0.01, 0.001):
            out += [{"config": {"lr": lr, "dropout": dropout}, "seed": s,
                     "record": {"acc": 0.8 + dropout * 0.1 + lr + 0.01 * s}} for s in range(3)]
    return out


def test_study_curve_draws_means_and_sds_per_group():
    rows = st.aggregate(records())
    fig = nr.plots.study_curve(rows, "lr", "acc", group="dropout", logx=True, title="t")
    assert isinstance(fig, Figure)
    _png(fig)
    ax = fig.axes[0]
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_xdata(), [0.001, 0.01, 0.1])
    np.testing.assert_allclose(lines[0].get_ydata(), [0.811, 0.82, 0.91])     # mean over seeds 0.00, 0.01, 0.02
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["dropout = 0.0", "dropout = 0.5"]
    with pytest.raises(ValueError, match="'width'"):
        nr.plots.study_curve(rows, "width", "acc")


def test_paired_intervals_draws_each_interval():
    diffs = st.paired_differences(records(), "acc", "dropout", 0.0, n_boot=200)
    fig = nr.plots.paired_intervals(diffs, title="dropout vs none")
    _png(fig)
    ax = fig.axes[0]
    t_bars = [ln for ln in ax.get_lines() if ln.get_linewidth() == 4 and len(ln.get_xdata())]
    assert len(t_bars) == 3
    np.testing.assert_allclose(t_bars[0].get_xdata(), diffs[0].t_interval)
    with pytest.raises(ValueError, match="diffs"):
        nr.plots.paired_intervals([])
