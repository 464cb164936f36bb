"""Noise injection on inputs and hidden units (§7.5)."""
import numpy as np

from ...core import checks
from ...core.module import Module
from ...core.parameter import Parameter


class GaussianNoise(Module):
    """Add ``N(0, std^2)`` noise in training; identity in evaluation (§7.5).

    Placed first, it is dataset augmentation by noise ("injecting noise at
    the input = data augmentation", §7.4); placed between layers, it is
    noise on the hidden units, of which dropout is a multiplicative cousin.
    For some models (Bishop 1995, §7.5) and small ``std``, input noise is
    equivalent to a penalty on the norm of the weights.

    Parameters
    ----------
    std : float, default 0.1
        Standard deviation of the added noise, >= 0.
    seed : int or None, default None
        Seed of the layer's own generator (``Sequential(seed=...)`` overrides it).

    Notes
    -----
    ``x: (n, ...) -> y = x + std * z``, ``z ~ N(0, I)``. The noise does not
    depend on ``x``, so backward is the identity: ``dx = dy``. forward keeps
    nothing.
    """

    def __init__(self, std=0.1, seed=None):
        self.std = checks.nonnegative("std", std)
        self.rng = checks.generator("seed", seed)

    def forward(self, x):
        if not self.training or self.std == 0.0:
            return x
        dtype = np.float32 if x.dtype == np.float32 else np.float64
        z = self.rng.standard_normal(x.shape, dtype=dtype)
        z *= dtype(self.std)
        return x + z

    def backward(self, dy):
        return dy

    def extra_repr(self):
        return f"std={self.std}"


class WeightNoise:
    r"""Noise on the weights for each presentation (§7.5, Eq. 7.30-7.31): ``W + epsilon_W``.

    Before every forward pass ``perturb(params)`` adds
    ``epsilon_W ~ N(epsilon; 0, eta I)`` to the weights in place; after the
    backward pass ``restore(params)`` puts the weights back exactly (bit for
    bit: the original values are kept, not re-computed by subtraction). The
    gradient therefore is the gradient of the loss *at the perturbed
    weights*, ``grad J(W + epsilon_W)``, and the optimizer applies it to the
    unperturbed ``W``: a stochastic estimate of the gradient of

    .. math::  \tilde J_W = E_{p(x, y, \epsilon_W)}[(\hat y_{\epsilon_W}(x) - y)^2]   \quad (7.31)

    For small ``eta`` and a squared-error loss, minimizing ``tilde J_W``
    amounts to minimizing ``J`` plus the penalty
    ``eta E_{p(x,y)}[||grad_W yhat(x)||^2]``: it pushes the weights towards
    regions where small perturbations of the weights change the output
    little (the book, and the seed's derivation by a first-order Taylor
    expansion of ``yhat``). The second-order term
    ``eta E[(yhat(x) - y) tr(grad_W^2 yhat(x))]`` that the expansion leaves
    out vanishes for a model linear in ``W``, or where the residuals are
    zero; see :func:`numreg.analysis.weight_noise_penalty`.

    With ``fit(..., weight_noise=WeightNoise(eta))`` the noise is drawn once
    per mini-batch (one perturbed network per presentation of a batch, as
    Graves 2011 draws one per sequence for recurrent networks); its
    expectation over draws is the same as with one draw per example.

    Parameters
    ----------
    eta : float
        The book's ``eta``: the **variance** of each weight's noise, ``>= 0``
        (``N(epsilon; 0, eta I)``), so the standard deviation is
        ``sqrt(eta)``. ``eta = 0`` leaves the weights untouched.
    seed : int or None, default None
        Seed of the generator ``.rng`` the noise is drawn from (checkpoints
        may save ``rng.bit_generator.state``).
    biases : bool, default False
        Which parameters are perturbed. False: only those with
        ``regularized=True`` (the weights ``W`` of each ``Linear``, the
        book's ``W``); True: every parameter, biases included.

    Attributes
    ----------
    eta : float
    rng : numpy.random.Generator
    biases : bool
    noise : list of ndarray
        The last draw, one array per perturbed parameter (for inspection
        and tests); empty before the first ``perturb``.

    Notes
    -----
    ``perturb`` draws in each parameter's dtype (float32 noise for float32
    weights). Calling ``perturb`` twice without ``restore`` raises
    ``RuntimeError`` (the first originals would be lost), as does
    ``restore`` without ``perturb``.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.5.
    Bishop (1995), "Training with noise is equivalent to Tikhonov
    regularization", Neural Computation 7(1).
    Graves (2011), "Practical variational inference for neural networks", NIPS.
    """

    def __init__(self, eta, seed=None, biases=False):
        self.eta = checks.nonnegative("eta", eta)   # the variance of the weight noise
        self.biases = checks.flag("biases", biases)
        self.rng = checks.generator("seed", seed)
        self.noise = []
        self._saved = None

    def targets(self, params):
        """The parameters ``perturb`` acts on: the weights (``regularized=True``), or all with ``biases=True``."""
        return [p for p in checks.as_list(params, Parameter, "params") if self.biases or p.regularized]

    def perturb(self, params):
        """Add ``epsilon_W ~ N(0, eta I)`` to the selected parameters in place, keeping their values.

        Parameters
        ----------
        params : list of Parameter
            Usually ``model.parameters()``.
        """
        if self._saved is not None:
            raise RuntimeError("perturb() called twice without restore(): the weights are already perturbed")
        chosen = self.targets(params)
        self._saved = [(p, p.data.copy()) for p in chosen]
        self.noise = []
        std = np.sqrt(self.eta)
        for p in chosen:
            dt = np.float32 if p.data.dtype == np.float32 else np.float64
            eps = self.rng.standard_normal(p.data.shape, dtype=dt)
            eps *= dt(std)
            p.data += eps
            self.noise.append(eps)

    def restore(self, params=None):
        """Put back the exact values the parameters had before ``perturb`` (bit for bit).

        Parameters
        ----------
        params : list of Parameter or None, default None
            Accepted for symmetry with ``perturb`` (``fit`` passes
            ``model.parameters()``); the parameters perturbed last are restored.
        """
        if params is not None:                 # accepted for symmetry, and checked as perturb's
            checks.as_list(params, Parameter, "params")
        if self._saved is None:
            raise RuntimeError("restore() called without a perturb() before it")
        for p, original in self._saved:
            np.copyto(p.data, original)
        self._saved = None

    def generators(self):
        """``[rng]``: what checkpoints save to resume the same stream of noise."""
        return [self.rng]

    def __repr__(self):
        return f"WeightNoise(eta={self.eta}, biases={self.biases})"
