"""Ready-made networks built from the engine's layers and the chapter's noise layers.

``mlp`` is the seed notebook's network and its relatives. It lives above the
engine (``numreg.core`` imports no technique) because its layers include
dropout (§7.12) and input noise (§7.5).
"""
import numbers

from .core import checks
from .core.layers import Flatten, Linear, ReLU, Sigmoid, Tanh
from .core.model import Sequential
from .regularize.s7_12_dropout.dropout import Dropout
from .regularize.s7_05_noise.noise import GaussianNoise

__all__ = ["mlp"]


def mlp(in_features=28 * 28, hidden=(128, 128), out_features=10, dropout=0.5, activation="relu",
        input_noise=0.0, init="pytorch", seed=None):
    """The seed notebook's network, and its relatives.

    ``Flatten -> [Linear -> activation -> Dropout] * len(hidden) -> Linear``.

    Parameters
    ----------
    in_features : int, default 784
    hidden : sequence of int, default (128, 128)
        Width of each hidden layer.
    out_features : int, default 10
    dropout : float, default 0.5
        Drop probability after each hidden layer (0: no Dropout layers).
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
    input_noise : float, default 0.0
        Standard deviation of a ``GaussianNoise`` layer on the input (0: none).
    init : {"pytorch", "he", "glorot"}, default "pytorch"
    seed : int or None, default None

    Returns
    -------
    Sequential
    """
    acts = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}
    activation = checks.choice("activation", activation, tuple(acts))
    hidden = [checks.count(f"hidden[{i}]", h) for i, h in enumerate(checks.as_list(hidden, numbers.Integral, "hidden"))]
    dropout = checks.probability("dropout", dropout)
    input_noise = checks.nonnegative("input_noise", input_noise)
    layers = [Flatten()]
    if input_noise:
        layers.append(GaussianNoise(input_noise))
    width = in_features
    for h in hidden:
        layers += [Linear(width, h, init=init), acts[activation]()]
        if dropout:
            layers.append(Dropout(dropout))
        width = h
    layers.append(Linear(width, out_features, init=init))
    return Sequential(*layers, seed=seed)
