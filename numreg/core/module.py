"""The base class every layer derives from."""
import numpy as np


class Module:
    """Base of layers and models: the ``forward``/``backward`` pair.

    A subclass implements ``forward(x)``, keeping exactly what its
    ``backward`` needs, and ``backward(dy) -> dx``, which adds its
    parameters' gradients into ``Parameter.grad`` and returns the gradient
    with respect to its input. ``__call__`` is ``forward``, as in PyTorch.

    Attributes
    ----------
    training : bool
        True in training mode (the default), False after ``eval()``.
        Dropout and noise layers act only in training mode.
    """

    training = True

    def forward(self, x):
        raise NotImplementedError

    def backward(self, dy):
        raise NotImplementedError

    def backward_params(self, dy):
        """Backward for a layer whose input is data: only its parameters' gradients.

        ``Linear`` overrides it to skip ``dx``; the default runs ``backward``.
        """
        self.backward(dy)

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """The layer's ``Parameter`` objects, in a fixed order."""
        return []

    def generators(self):
        """The ``numpy.random.Generator`` objects the layer draws from.

        Gradient checks save and restore their states to replay the same
        random draws (dropout masks, noise) at every evaluation.
        """
        rng = getattr(self, "rng", None)
        return [rng] if isinstance(rng, np.random.Generator) else []

    def named_parameters(self):
        """``[(name, Parameter)]``; containers prefix their parts' names (``"1.W"``)."""
        return [(p.name, p) for p in self.parameters()]

    def state_dict(self):
        """A dict of copies of the parameters, keyed as ``named_parameters()``."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy the arrays of ``state`` into the parameters, in place.

        Raises ``ValueError`` if a key is missing or unexpected, or a shape
        differs (e.g. a checkpoint of another architecture). Values are cast
        to the parameters' dtype.
        """
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state))
        extra = sorted(set(state) - set(own))
        if missing or extra:
            raise ValueError(f"state does not match the model: missing keys {missing}, unexpected keys {extra}")
        for name, p in own.items():
            v = np.asarray(state[name])
            if v.shape != p.data.shape:
                raise ValueError(f"state[{name!r}] has shape {v.shape}, the model's parameter has {p.data.shape}")
        for name, p in own.items():
            np.copyto(p.data, state[name], casting="unsafe")
        return self

    def train(self, mode=True):
        """Switch to training mode (``mode=False``: evaluation mode). Returns self."""
        self.training = bool(mode)
        return self

    def eval(self):
        """Switch to evaluation mode, as ``torch.nn.Module.eval()``. Returns self."""
        return self.train(False)

    def astype(self, dtype):
        """Convert the parameters to ``dtype`` in place (float64 for gradient checks). Returns self."""
        for p in self.parameters():
            p.astype(dtype)
        return self

    def extra_repr(self):
        return ""

    def __repr__(self):
        return f"{type(self).__name__}({self.extra_repr()})"


def check_input(x, name="x", min_ndim=2):
    """Return ``x`` as an array, raising ``ValueError`` if its rank is below ``min_ndim``."""
    x = np.asarray(x)
    if x.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions (a batch), got {name}.shape={x.shape}")
    return x
