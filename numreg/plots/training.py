"""The seed notebook's figure: training and validation loss per epoch, with the early-stopping checkpoint."""
import numpy as np

from ..core import checks

from ..training.history import History
from .style import PALETTE, figure_and_axes


def loss_curves(history, ax=None, title=None):
    """Training and validation loss against the epoch, a dashed line at the best epoch.

    As the seed notebook's last figure ("Early Stopping Checkpoint").

    Parameters
    ----------
    history : History or dict
        With ``train_loss``, ``valid_loss`` (may be empty) and ``best_epoch``.
    ax : matplotlib Axes or None, default None
        Draw into these axes; None makes a new figure.
    title : str or None, default None

    Returns
    -------
    matplotlib.figure.Figure
    """
    h = History.from_dict(history if isinstance(history, dict) else
                          checks.has_methods("history", history, ("to_dict",), "a History (or its dict)").to_dict())
    h = h.to_dict()
    fig, ax = figure_and_axes(ax, title)
    epochs = np.arange(1, len(h["train_loss"]) + 1)
    ax.plot(epochs, h["train_loss"], color=PALETTE[0], label="training loss")
    if h.get("valid_loss"):
        ax.plot(epochs[: len(h["valid_loss"])], h["valid_loss"], color=PALETTE[1], label="validation loss")
    best = h.get("best_epoch")
    if best:
        ax.axvline(best, color=PALETTE[3], linestyle="--", label=f"early-stopping checkpoint (epoch {best})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_xlim(0.5, max(len(epochs), 1) + 0.5)
    ax.grid(True, alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig
