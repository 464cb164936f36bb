"""``Sequential``: layers applied in order, backward in reverse."""
import numpy as np

from . import checks
from .module import Module


class Sequential(Module):
    """A chain of layers, as ``torch.nn.Sequential``.

    Parameters
    ----------
    *layers : Module
        Applied in order by ``forward`` and in reverse by ``backward``.
    seed : int or None, default None
        If given, every ``Linear`` is re-initialized from a generator seeded
        with it, in order, and every random layer (``Dropout``,
        ``GaussianNoise``, ...) gets its own generator spawned from it:
        the same seed gives bit-identical initial weights and random draws.
        If None, the layers keep their own initialization and generators.

    Notes
    -----
    The parameters are stored contiguously (see :meth:`pack_parameters`):
    every ``Parameter.data`` is a view into one flat array, every ``.grad``
    into another, so that an optimizer updates the whole model with a few
    whole-array operations.

    Examples
    --------
    The seed notebook's network (784-128-128-10, ReLU, dropout 0.5)::

        model = nr.Sequential(
            nr.Flatten(),
            nr.Linear(28 * 28, 128), nr.ReLU(), nr.Dropout(0.5),
            nr.Linear(128, 128), nr.ReLU(), nr.Dropout(0.5),
            nr.Linear(128, 10),
            seed=0)
    """

    def __init__(self, *layers, seed=None):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise ValueError(f"layers must be numreg layers (Module), got layer {i}: {layer!r}")
        self.layers = list(layers)
        self.seed = seed
        self.training = True
        if seed is not None:
            self.reseed(seed)
        self.pack_parameters()

    def pack_parameters(self):
        """Store the data of all parameters in one flat array, and their gradients in another.

        Each ``Parameter.data`` (and ``.grad``) becomes a view, with the same
        shape and values, into the flat array, in the order of
        ``parameters()``; layers, penalties and ``state_dict`` see no
        difference. An optimizer then finds the parameters one after the
        other in memory and updates them as one block: Adam's 12 passes per
        step are 12 NumPy calls instead of 72 for the seed network, whose
        biases and output layer are so small that the calls, not the
        arithmetic, are their cost. Called by the constructor and by
        ``astype``; does nothing if the parameters differ in dtype or one
        appears twice.

        Returns
        -------
        self
        """
        params = self.parameters()
        if not params or len({p.dtype for p in params}) > 1 or len({id(p) for p in params}) < len(params):
            return self
        n = sum(p.size for p in params)
        data, grad = np.empty(n, params[0].dtype), np.empty(n, params[0].dtype)
        start = 0
        for p in params:
            stop = start + p.size
            data[start:stop], grad[start:stop] = p.data.ravel(), p.grad.ravel()
            p.data, p.grad = data[start:stop].reshape(p.shape), grad[start:stop].reshape(p.shape)
            start = stop
        return self

    def reseed(self, seed):
        """Re-draw every parameter and give every random layer a new generator, all from ``seed``."""
        root = checks.generator("seed", seed)
        for layer in self.layers:
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters(root)
        for layer in self.layers:
            if isinstance(layer, Sequential):
                layer.reseed(root.integers(2**63))
            elif isinstance(getattr(layer, "rng", None), np.random.Generator):
                layer.rng = root.spawn(1)[0]
        return self

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def forward(self, x):
        """x: (n, ...) -> output of the last layer."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dy, input_grad=True):
        """Back-propagate ``dy = dJ/d(output)`` through the layers in reverse.

        Each layer adds its parameters' gradients into their ``.grad``.

        Parameters
        ----------
        dy : ndarray
            Gradient of the loss with respect to the model's output, as
            returned by ``criterion.backward()``.
        input_grad : bool, default True
            Whether to return ``dx = dJ/dx`` for the model's input (needed
            by adversarial examples and gradient checks). With False the
            backward pass stops at the first layer that has parameters and
            returns None, which saves the largest matrix product of a step
            (``fit`` does this: data needs no gradient).

        Returns
        -------
        dx : ndarray or None
        """
        stop = self._first_param_layer() if not input_grad else -1
        for i in range(len(self.layers) - 1, stop, -1):
            dy = self.layers[i].backward(dy)
        if stop >= 0:
            self.layers[stop].backward_params(dy)
            return None
        return dy

    def backward_params(self, dy):
        self.backward(dy, input_grad=False)

    def _first_param_layer(self):
        for i, layer in enumerate(self.layers):
            if layer.parameters():
                return i
        return -1

    def named_children(self):
        """``[("0", layer0), ("1", layer1), ...]``: parameters are named ``"<index>.<name>"``, e.g. ``"1.W"``."""
        return [(str(i), layer) for i, layer in enumerate(self.layers)]

    def astype(self, dtype):
        """Convert every parameter to ``dtype`` in place (float64 for gradient checks), packed again. Returns self."""
        super().astype(dtype)
        return self.pack_parameters()

    def __repr__(self):
        lines = [f"  ({i}): {layer!r}".replace("\n", "\n  ") for i, layer in enumerate(self.layers)]
        return "Sequential(\n" + "\n".join(lines) + "\n)"
