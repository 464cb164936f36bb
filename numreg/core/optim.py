"""Optimizers: ``SGD`` (momentum, Nesterov), ``Adam``, ``AdamW``, with PyTorch's update rules.

Each has ``step()``, ``zero_grad()``, ``state_dict()`` and
``load_state_dict()``. Updates are in place, in the parameters' own dtype,
one *block* at a time: a block is one parameter or, when several follow
each other in memory (``Sequential`` stores its parameters so, see
``Sequential.pack_parameters``), all of them at once, as one flat array.
The arithmetic is the same elementwise either way; whole-model blocks only
save the overhead of calling each NumPy operation once per parameter (Adam
makes 12 passes per step: 72 calls for the seed network's 6 parameters,
12 for one block).

Weight decay acts only on parameters with ``regularized=True`` (the
weights, not the biases), as the book's Omega does; this differs from
PyTorch, which decays every parameter in a group unless told otherwise.

Readable first, fast second: :func:`sgd_reference` and :func:`adam_reference`
are the update rules written for one parameter, formula by formula (as
PyTorch's ``_single_tensor_sgd`` and ``_single_tensor_adam``); an optimizer
built with ``fused=False`` runs them. The default, ``fused=True``, runs the
same rules from :mod:`numreg.core.kernels` (in place, on cache-sized blocks
of the packed parameters, on the pool's threads); ``tests/core/test_kernels.py``
checks that the two agree.
"""
import numpy as np

from . import checks
from . import kernels
from .parameter import Parameter


def sgd_reference(w, g, v, *, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    """One SGD step of one parameter, readable: PyTorch's rule, Algorithms 8.1-8.3.

    ::

        g <- g + lambda w                 (weight decay, weights only)
        v <- mu v + g                     (momentum > 0; v starts at 0, so v = g at step 1)
        g <- g + mu v   (Nesterov)   or   g <- v
        w <- w - epsilon g

    Parameters
    ----------
    w : ndarray
        The parameter, updated in place.
    g : ndarray
        Its gradient (not modified).
    v : ndarray or None
        The momentum buffer, updated in place (None without momentum).
    lr : float
        ``epsilon``, the learning rate.
    momentum : float, default 0.0
        ``mu`` (the book's ``alpha`` of Algorithm 8.2).
    nesterov : bool, default False
    weight_decay : float, default 0.0
        ``lambda``; the caller passes 0 for biases.
    """
    if weight_decay:
        g = g + weight_decay * w
    if momentum:
        v *= momentum
        v += g
        g = g + momentum * v if nesterov else v
    w -= lr * g


def adam_reference(w, g, m, v, *, lr, beta1, beta2, eps, t, weight_decay=0.0, decoupled=False):
    """One Adam (or AdamW) step of one parameter, readable: Algorithm 8.7 line by line.

    In the book's symbols (``s, r`` = ``m, v``; ``rho1, rho2`` = ``beta1,
    beta2``; ``delta`` = ``eps``; ``epsilon`` = ``lr``)::

        w <- (1 - lr lambda) w                      (AdamW: decoupled decay)
        g <- g + lambda w                           (Adam: L2 through the gradient)
        m <- beta1 m + (1 - beta1) g                (biased first moment)
        v <- beta2 v + (1 - beta2) g * g            (biased second moment)
        m_hat <- m / (1 - beta1^t)                  (bias corrections)
        v_hat <- v / (1 - beta2^t)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)

    The training default (``fused=True``) is :func:`numreg.core.kernels.adam_`,
    the same update with the bias corrections folded into two scalars.

    Parameters
    ----------
    w, g, m, v : ndarray
        Parameter (updated), gradient (read), first and second moments (updated).
    lr, beta1, beta2, eps : float
        As :class:`Adam`.
    t : int
        The step number, from 1.
    weight_decay : float, default 0.0
        ``lambda``; the caller passes 0 for biases.
    decoupled : bool, default False
        AdamW (True) or Adam (False) weight decay.
    """
    if weight_decay and decoupled:
        w *= 1 - lr * weight_decay
    elif weight_decay:
        g = g + weight_decay * w
    m[...] = beta1 * m + (1 - beta1) * g
    v[...] = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    w -= lr * m_hat / (np.sqrt(v_hat) + eps)


def _check_lr(lr):
    return checks.positive("lr", lr)


_check_nonneg = checks.nonnegative


def _address(a):
    return a.__array_interface__["data"][0]


def _follows(a, b):
    """Whether array ``b`` starts where ``a`` ends, inside one C-contiguous array that owns both."""
    base = a.base
    return (base is not None and b.base is base and base.flags.c_contiguous and a.dtype == b.dtype
            and a.flags.c_contiguous and b.flags.c_contiguous and _address(a) + a.nbytes == _address(b))


def _span(first, size):
    """The flat view of ``size`` elements of ``first.base`` starting where array ``first`` starts."""
    start = (_address(first) - _address(first.base)) // first.itemsize
    return first.base.reshape(-1)[start:start + size]


def _check_params(params):
    """``params`` as a non-empty list of distinct ``Parameter`` objects, or ``TypeError``/``ValueError`` naming it."""
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(f"params must be the model's parameters, e.g. Adam(model.parameters()), "
                        f"got the model itself: params={type(params).__name__}(...)")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"params must be a sequence of Parameters, got params={params!r}") from None
    if not params:
        raise ValueError("params is empty: the optimizer has nothing to update")
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"params must hold Parameters, got params[{i}]={type(p).__name__}")
    if len({id(p) for p in params}) < len(params):
        raise ValueError("params lists a Parameter twice: it would be updated twice per step")
    return params


class Optimizer:
    """Base class: holds the parameters, the per-parameter state, and the blocks they are updated in."""

    def __init__(self, params, lr, fused=True):
        self.params = _check_params(params)
        self.lr = _check_lr(lr)
        self.fused = checks.flag("fused", fused)
        self.t = 0  # number of steps taken
        # where each parameter's state starts in the flat state arrays (None: mixed dtypes, no flat state)
        same_dtype = len({p.dtype for p in self.params}) == 1
        self._offsets = np.cumsum([0] + [p.size for p in self.params]) if same_dtype else None
        self._layout, self._block_cache = None, {}

    def _zeros(self):
        """A zero array like each parameter: views into one flat array when the parameters share a dtype."""
        if self._offsets is None:
            return [np.zeros_like(p.data) for p in self.params]
        flat = np.zeros(self._offsets[-1], self.params[0].dtype)
        return [flat[a:b].reshape(p.shape) for p, a, b in zip(self.params, self._offsets, self._offsets[1:])]

    def _blocks(self, states=(), split_regularized=False):
        """The parameters as blocks ``(data, grad, [state, ...], regularized)`` to update one at a time.

        A block is a run of consecutive parameters whose data and gradients
        each follow one another in memory, given as flat views (with the
        matching flat views of the state arrays named in ``states``), or a
        single parameter. With ``split_regularized`` (weight decay on), a
        block holds only weights or only biases. Cached until a parameter's
        arrays are replaced (e.g. by ``astype``).
        """
        layout = [(p.data, p.grad, p.regularized) for p in self.params]
        if self._layout is None or any(d is not d0 or g is not g0 or r != r0
                                       for (d, g, r), (d0, g0, r0) in zip(layout, self._layout)):
            self._layout, self._block_cache = layout, {}
            self._match_state_dtype()
        key = (states, split_regularized)
        if key not in self._block_cache:
            self._block_cache[key] = self._make_blocks([getattr(self, name) for name in states], split_regularized)
        return self._block_cache[key]

    def _match_state_dtype(self):
        """After the parameters changed dtype (``model.astype``), convert the state arrays to it, values kept."""
        if all(a.dtype == p.dtype for name in self._buffers() for a, p in zip(getattr(self, name), self.params)):
            return
        same_dtype = len({p.dtype for p in self.params}) == 1
        self._offsets = np.cumsum([0] + [p.size for p in self.params]) if same_dtype else None
        for name in self._buffers():
            new = self._zeros()
            for a, b in zip(new, getattr(self, name)):
                a[...] = b
            setattr(self, name, new)

    def _make_blocks(self, states, split_regularized):
        runs = []                       # [first, last + 1) indices of parameters that follow one another
        for i, p in enumerate(self.params):
            q = self.params[i - 1] if i else None
            if (q is not None and self._offsets is not None and _follows(q.data, p.data)
                    and _follows(q.grad, p.grad) and not (split_regularized and q.regularized != p.regularized)):
                runs[-1][1] = i + 1
            else:
                runs.append([i, i + 1])
        blocks = []
        for i, j in runs:
            p = self.params[i]
            if j == i + 1:
                blocks.append((p.data, p.grad, [s[i] for s in states], p.regularized))
            else:
                n = self._offsets[j] - self._offsets[i]
                blocks.append((_span(p.data, n), _span(p.grad, n), [_span(s[i], n) for s in states], p.regularized))
        return blocks

    def zero_grad(self):
        """Set every parameter's gradient to zero, as ``optimizer.zero_grad()``.

        The zeros are written when a gradient is next read, or never when a
        backward pass writes the whole gradient first (see ``Parameter``'s Notes).
        """
        self._blocks()                  # notices replaced arrays and a new dtype (the state follows)
        for p in self.params:
            p.zero_grad()

    def step(self):
        raise NotImplementedError

    def _buffers(self):
        """Names of the per-parameter state arrays (lists aligned with ``params``)."""
        return ()

    def state_dict(self):
        """Copies of the step count, hyper-parameters and per-parameter state."""
        state = {"t": self.t, "lr": self.lr}
        for name in self._buffers():
            for i, a in enumerate(getattr(self, name)):
                state[f"{name}.{i}"] = a.copy()
        return state

    def load_state_dict(self, state):
        """Restore what ``state_dict()`` returned (shapes must match)."""
        if not isinstance(state, dict) or not {"t", "lr"} <= set(state):
            raise checks.type_error("state", "a dict from state_dict() (with 't', 'lr' and the buffers)", state)
        self.t = checks.integer("state['t']", state["t"], low=0)
        self.lr = checks.positive("state['lr']", state["lr"])
        for name in self._buffers():
            bufs = getattr(self, name)
            for i, a in enumerate(bufs):
                v = np.asarray(state[f"{name}.{i}"])
                if v.shape != a.shape:
                    raise ValueError(f"optimizer state {name}.{i} has shape {v.shape}, expected {a.shape}")
                np.copyto(a, v, casting="unsafe")
        return self

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr})"


class SGD(Optimizer):
    """Stochastic gradient descent (Algorithm 8.1), with momentum (8.2) and Nesterov (8.3).

    PyTorch's formulation: with ``g = grad + weight_decay * w`` (weights only),

        v <- momentum * v + g
        w <- w - lr * v                     (momentum)
        w <- w - lr * (g + momentum * v)    (nesterov=True)

    and plain ``w <- w - lr * g`` when ``momentum == 0``.

    Parameters
    ----------
    params : iterable of Parameter
    lr : float
        The learning rate ``epsilon`` (> 0). No default, as in PyTorch.
    momentum : float, default 0.0
        ``alpha`` of Algorithm 8.2, in [0, 1).
    nesterov : bool, default False
        Nesterov momentum (needs ``momentum > 0``).
    weight_decay : float, default 0.0
        ``alpha`` of the L2 penalty: ``w <- (1 - epsilon*alpha) w - epsilon grad J``,
        the seed's update. Without momentum this is exactly SGD on
        ``J + alpha/2 ||w||^2`` (the identity of §7.1.1).
    fused : bool, default True
        True: :func:`numreg.core.kernels.sgd_` on blocks of the packed
        parameters; False: :func:`sgd_reference`, parameter by parameter.
        The results are bit-identical.
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0, fused=True):
        super().__init__(params, lr, fused)
        self.momentum = checks.probability("momentum", momentum)
        self.nesterov = checks.flag("nesterov", nesterov)
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0, got momentum=0")
        self.weight_decay = _check_nonneg("weight_decay", weight_decay)
        self.v = self._zeros() if self.momentum else []

    def _buffers(self):
        return ("v",) if self.momentum else ()

    def step(self):
        """One update of every parameter from its ``.grad``."""
        self.t += 1
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        if not self.fused:
            for i, p in enumerate(self.params):
                sgd_reference(p.data, p.grad, self.v[i] if mu else None, lr=lr, momentum=mu,
                              nesterov=self.nesterov, weight_decay=wd if p.regularized else 0.0)
            return
        for w, g, state, regularized in self._blocks(self._buffers(), bool(wd)):
            kernels.sgd_(w, g, state[0] if mu else None, lr=lr, momentum=mu, nesterov=self.nesterov,
                         weight_decay=wd if regularized else 0.0)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015; Algorithm 8.7), as ``torch.optim.Adam``.

    With ``g = grad + weight_decay * w`` (weights only; an L2 penalty
    through the gradient, *coupled* to the adaptive scaling)::

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2
        w <- w - lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 0.0
    fused : bool, default True
        True: :func:`numreg.core.kernels.adam_` (bias corrections folded into
        two scalars, blocks of the packed parameters, the pool's threads);
        False: :func:`adam_reference`, Algorithm 8.7 parameter by parameter.
        The two agree to a few units in the last place of each step.
    """

    decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, fused=True):
        super().__init__(params, lr, fused)
        b1, b2 = checks.pair("betas", betas, "a pair (beta1, beta2)")
        self.betas = (checks.probability("betas[0]", b1), checks.probability("betas[1]", b2))
        self.eps = _check_nonneg("eps", eps)
        self.weight_decay = _check_nonneg("weight_decay", weight_decay)
        self.m = self._zeros()
        self.v = self._zeros()

    def _buffers(self):
        return ("m", "v")

    def step(self):
        """One update of every parameter from its ``.grad``."""
        self.t += 1
        (b1, b2), lr, wd, eps, t = self.betas, self.lr, self.weight_decay, self.eps, self.t
        if not self.fused:
            for p, m, v in zip(self.params, self.m, self.v):
                adam_reference(p.data, p.grad, m, v, lr=lr, beta1=b1, beta2=b2, eps=eps, t=t,
                               weight_decay=wd if p.regularized else 0.0, decoupled=self.decoupled)
            return
        # a block: all the parameters of a packed Sequential at once (weights and biases apart
        # under weight decay), else one parameter
        for w, g, (m, v), regularized in self._blocks(("m", "v"), bool(wd)):
            kernels.adam_(w, g, m, v, lr=lr, beta1=b1, beta2=b2, eps=eps, t=t,
                          weight_decay=wd if regularized else 0.0, decoupled=self.decoupled)

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), as ``torch.optim.AdamW``.

    Before the Adam step, ``w <- (1 - lr * weight_decay) w`` on the weights:
    the decay is not divided by Adam's ``sqrt(v_hat)``, unlike an L2
    penalty passed through the gradient (``Adam(weight_decay=...)``).

    Parameters
    ----------
    params : iterable of Parameter
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
    eps : float, default 1e-8
    weight_decay : float, default 1e-2 (PyTorch's default)
    fused : bool, default True
        As :class:`Adam`.
    """

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, fused=True):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, fused=fused)
