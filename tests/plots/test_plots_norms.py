"""Figures of §7.1-7.2: rendered to PNG, and their computed content read back."""
import io

import matplotlib
matplotlib.use("Agg")
import numpy as np
import pytest

import numreg as nr
from numreg import analysis
from numreg.plots import figure_7_1, regularization_path, weight_histograms


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    data = buf.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def _marker(ax, label):
    lines = [l for l in ax.get_lines() if l.get_label() == label]
    assert len(lines) == 1
    return np.array([lines[0].get_xdata()[0], lines[0].get_ydata()[0]])


def test_figure_7_1_places_w_tilde_where_the_closed_forms_say():
    H, w_star, alpha = np.diag([0.5, 4.0]), np.array([2.0, 1.5]), 1.0
    fig = figure_7_1(H, w_star, alpha)
    _png(fig)
    ax2, ax1 = fig.axes[:2]
    # L2 (Eq. 7.13): factors 0.5/1.5 and 4/5 -> (0.667, 1.2)
    np.testing.assert_allclose(_marker(ax2, "w~"), [2 / 3, 1.2], rtol=1e-12)
    # L1 (Eq. 7.23): alpha/H_11 = 2 >= |2| -> 0; 1.5 - 1/4 = 1.25: the corner of the diamond
    np.testing.assert_array_equal(_marker(ax1, "w~"), [0.0, 1.25])
    np.testing.assert_array_equal(_marker(ax1, r"$w^*$ (minimum of $J$)"), w_star)
    assert "7.13" in ax2.get_title() and "7.23" in ax1.get_title()


def test_figure_7_1_with_a_correlated_hessian_and_one_kind():
    H = np.array([[1.0, 0.6], [0.6, 2.0]])
    fig = figure_7_1(H, [1.0, -1.0], 0.5, kinds=["L1"])
    _png(fig)
    np.testing.assert_allclose(_marker(fig.axes[0], "w~"), analysis.l1_quadratic(H, [1.0, -1.0], 0.5))


@pytest.mark.parametrize("kw, match", [
    (dict(H=np.eye(3), w_star=[1, 1, 1]), "2x2"),
    (dict(alpha=-1.0), "alpha"),
    (dict(kinds=["L3"]), "kinds"),
    (dict(H=np.diag([1.0, 0.0])), "positive definite"),
])
def test_figure_7_1_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        figure_7_1(**kw)


def test_regularization_path_draws_lasso_and_ridge_from_the_solvers():
    X, y, w_true = analysis.make_correlated_regression(n=60, d=5, rho=0.8, seed=1)
    alphas = np.geomspace(0.1, 1e4, 12)
    fig = regularization_path(X, y, alphas=alphas, w_true=w_true)
    _png(fig)
    ax_l1, ax_l2 = fig.axes[:2]
    assert len(ax_l1.get_lines()) >= 5 and ax_l1.get_xscale() == "log"
    l1 = np.array([l.get_ydata() for l in ax_l1.get_lines()[:5]]).T      # (alphas, d)
    l2 = np.array([l.get_ydata() for l in ax_l2.get_lines()[:5]]).T
    np.testing.assert_allclose(l1[4], analysis.lasso(X, y, alphas[4]), rtol=1e-12)
    np.testing.assert_allclose(l2[7], analysis.ridge(X, y, alphas[7]), rtol=1e-12)
    assert np.all(l1[-1] == 0) and np.all(l2[-1] != 0)      # at alpha = 1e4 L1 has zeroed all, L2 none
    assert "exactly 0" in ax_l1.get_title()
    assert len(regularization_path(n_alphas=8).axes[0].get_lines()) >= 8   # the default problem, d = 8


def test_weight_histograms_report_the_fraction_of_exact_zeros():
    model = nr.mlp(8, (6,), 3, seed=0)
    sparse = nr.mlp(8, (6,), 3, seed=0)
    sparse[1].W.data[:4] = 0.0                               # 4 rows of 6 = 24 of 48 + 18 = 66 weights
    fig = weight_histograms({"none": model, "L1-prox": sparse, "arrays": [np.array([0.0, 1.0, -1.0, 0.5])]})
    _png(fig)
    titles = [ax.get_title() for ax in fig.axes[:3]]
    assert titles[0] == "none: 0.0% exact zeros"
    assert titles[1] == f"L1-prox: {100 * 24 / 66:.1f}% exact zeros"
    assert titles[2] == "arrays: 25.0% exact zeros"
    with pytest.raises(ValueError, match="weights"):
        weight_histograms({})
    with pytest.raises(ValueError, match="bins"):
        weight_histograms({"a": model}, bins=0)
