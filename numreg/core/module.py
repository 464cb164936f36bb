"""The base class every layer derives from."""
import numpy as np

from . import checks


class Module:
    """Base of layers and models: the ``forward``/``backward`` pair.

    A subclass implements ``forward(x)``, keeping exactly what its
    ``backward`` needs, and ``backward(dy) -> dx``, which adds its
    parameters' gradients into ``Parameter.grad`` and returns the gradient
    with respect to its input. ``__call__`` is ``forward``, as in PyTorch, after checking its input (finite real numbers).

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
        """``forward(x)`` after checking ``x``: an array of finite real numbers, at least one example.

        ``forward`` itself is the unchecked inner step (a container passes
        each layer the previous one's output), so calling a model as
        ``model(x)`` checks the data once, where they enter.
        """
        return self.forward(checks.float_array("x", x, min_ndim=1))

    # -- the module tree: a container names its parts, everything else is derived ----------

    def named_children(self):
        """``[(name, Module)]``: the parts of a container (``Sequential``: ``"0"``, ``"1"``, ...).

        A layer has none (the default). A container overrides only this;
        ``parameters``, ``named_parameters``, ``state_dict``,
        ``load_state_dict``, ``train``/``eval``, ``astype`` and
        ``generators`` then follow from it, through any depth of nesting.
        """
        return []

    def children(self):
        """The parts of a container, in order (``named_children`` without the names)."""
        return [m for _, m in self.named_children()]

    def named_modules(self, prefix=""):
        """``[(dotted name, Module)]`` of this module (named ``prefix``) and every part below it, depth first."""
        out = [(prefix, self)]
        for name, child in self.named_children():
            out += child.named_modules(f"{prefix}.{name}" if prefix else name)
        return out

    def parameters(self):
        """The ``Parameter`` objects, in a fixed order; a container's are its parts', each once."""
        return [p for _, p in self.named_parameters()] if self.named_children() else []

    def named_parameters(self):
        """``[(name, Parameter)]``: a layer's own names (``"W"``); a container prefixes its parts' (``"1.W"``).

        A parameter shared by two parts (tied weights) is listed once, under its first name.
        """
        if not self.named_children():
            return [(p.name, p) for p in self.parameters()]
        out, seen = [], set()
        for prefix, child in self.named_children():
            for name, p in child.named_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    out.append((f"{prefix}.{name}", p))
        return out

    def generators(self):
        """The ``numpy.random.Generator`` objects the module (and its parts) draw from.

        Gradient checks save and restore their states to replay the same
        random draws (dropout masks, noise) at every evaluation.
        """
        rng = getattr(self, "rng", None)
        own = [rng] if isinstance(rng, np.random.Generator) else []
        return own + [g for child in self.children() for g in child.generators()]

    def state_dict(self):
        """A dict of copies of the parameters, keyed as ``named_parameters()``."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy the arrays of ``state`` into the parameters, in place.

        Raises ``ValueError`` if a key is missing or unexpected, or a shape
        differs (e.g. a checkpoint of another architecture). Values are cast
        to the parameters' dtype.
        """
        if not isinstance(state, dict):
            raise checks.type_error("state", "a dict {name: array} from state_dict()", state)
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state))
        extra = sorted(set(state) - set(own))
        if missing or extra:
            raise ValueError(f"state does not match the model: missing keys {missing}, unexpected keys {extra}")
        for name, p in own.items():
            v = checks.float_array(f"state[{name!r}]", state[name], allow_empty=True)
            if v.shape != p.data.shape:
                raise ValueError(f"state[{name!r}] has shape {v.shape}, the model's parameter has {p.data.shape}")
        for name, p in own.items():
            np.copyto(p.data, state[name], casting="unsafe")
        return self

    def train(self, mode=True):
        """Switch to training mode (``mode=False``: evaluation mode), with every part. Returns self."""
        self.training = checks.flag("mode", mode)
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Switch to evaluation mode, as ``torch.nn.Module.eval()``. Returns self."""
        return self.train(False)

    def astype(self, dtype):
        """Convert the parameters to ``dtype`` in place (float64 for gradient checks). Returns self."""
        dtype = checks.float_dtype("dtype", dtype)
        if self.named_children():
            for child in self.children():
                child.astype(dtype)
        else:
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
