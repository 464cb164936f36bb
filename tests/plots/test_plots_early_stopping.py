"""The book's Figure 7.4: early stopping against L2, drawn from the closed forms."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import numreg as nr


def line_by_label(ax, start):
    return next(l for l in ax.get_lines() if l.get_label().startswith(start))


def test_figure_7_4_renders_and_draws_the_closed_forms(tmp_path):
    H = np.array([[1.0, 0.3], [0.3, 0.2]])
    w_star = np.array([1.5, 2.0])
    eps, tau = 0.2, 6
    fig = nr.plots.early_stopping_vs_l2(H, w_star, epsilon=eps, tau=tau)
    assert isinstance(fig, Figure)
    path = tmp_path / "figure_7_4.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 10_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    left, right = fig.axes[:2]
    assert left.get_title() == "early stopping" and right.get_title() == "$L^2$ regularization"
    # the plotted gradient-descent path is Eq. 7.40 from w(0) = 0, and ends at w(tau)
    gd = line_by_label(left, "gradient descent")
    xy = np.column_stack(gd.get_data())
    assert xy.shape == (tau + 1, 2)
    np.testing.assert_allclose(xy[0], 0.0)
    w = np.zeros(2)
    for _ in range(tau):                       # the iterates, by hand: w <- w - eps H (w - w*)
        w = w - eps * H @ (w - w_star)
    np.testing.assert_allclose(xy[-1], w, rtol=1e-12)
    # the L2 point is Eq. 7.13 at alpha = 1/(tau eps)
    alpha = 1.0 / (tau * eps)
    w_tilde = np.linalg.solve(H + alpha * np.eye(2), H @ w_star)
    square = np.column_stack(line_by_label(right, r"$\tilde w$ at").get_data())[0]
    np.testing.assert_allclose(square, w_tilde, rtol=1e-12)
    assert f"{alpha:.3g}" in line_by_label(right, r"$\tilde w$ at").get_label()
    title = fig.get_suptitle() if hasattr(fig, "get_suptitle") else fig._suptitle.get_text()   # matplotlib < 3.8
    assert f"{np.linalg.norm(w - w_tilde):.3f}" in title


def test_default_figure():
    fig = nr.plots.early_stopping_vs_l2()
    assert len(fig.axes) == 2 and all(ax.get_legend() is not None for ax in fig.axes)


@pytest.mark.parametrize("kw,match", [({"tau": 0}, "tau=0"), ({"epsilon": -1.0}, "epsilon=-1"),
                                      ({"H": np.eye(3), "w_star": np.ones(3)}, r"H.shape=\(3, 3\)")])
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        nr.plots.early_stopping_vs_l2(**kw)
