"""The seed notebook's figure, nr.plots.loss_curves: rendered to PNG without a display, drawn from the history."""
import io

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

import numreg as nr


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = buf.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return data


def test_loss_curves_draws_both_losses_and_the_checkpoint_from_a_fit_history():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((64, 5)).astype(np.float32), rng.integers(0, 3, 64)
    model = nr.mlp(5, (8,), 3, dropout=0.0, seed=0)
    history = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X[:48], y[:48]),
                     (X[48:], y[48:]), epochs=6, batch_size=16, callbacks=[nr.EarlyStopping(patience=3)],
                     seed=0, verbose=False)
    fig = nr.plots.loss_curves(history, title="t")
    assert isinstance(fig, Figure)
    _png(fig)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    train, valid = lines["training loss"], lines["validation loss"]
    np.testing.assert_array_equal(train.get_xdata(), np.arange(1, history.epochs + 1))
    np.testing.assert_allclose(train.get_ydata(), history.train_loss)
    np.testing.assert_allclose(valid.get_ydata(), history.valid_loss)
    checkpoint = lines[f"early-stopping checkpoint (epoch {history.best_epoch})"]
    assert list(checkpoint.get_xdata()) == [history.best_epoch] * 2           # a vertical line at the best epoch
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss" and ax.get_title() == "t"
    assert ax.get_legend() is not None


def test_loss_curves_from_a_dict_without_validation_and_into_given_axes():
    # the seed's train_model returns plain lists: a dict of them works too; no valid_loss, no checkpoint line
    fig = Figure()
    ax = fig.subplots()
    out = nr.plots.loss_curves({"train_loss": [2.0, 1.5, 1.2], "valid_loss": [], "best_epoch": None}, ax=ax)
    assert out is fig
    assert [line.get_label() for line in ax.get_lines()] == ["training loss"]
    _png(fig)
