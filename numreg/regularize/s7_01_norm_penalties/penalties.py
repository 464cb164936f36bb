"""Parameter norm penalties (§7.1): ``L2``, ``L1``, ``ElasticNet``.

The regularized objective is (Eq. 7.1)

    J~(theta; X, y) = J(theta; X, y) + alpha * Omega(theta),

where ``J`` is the data loss *as the criterion reports it* -- a mean over
the mini-batch -- and ``alpha * Omega`` is added once per step, not per
example: ``alpha`` is never divided by the batch size, so the same
``alpha`` means the same trade-off whatever the batch size.

Every penalty has

- ``value(params) -> float``: ``alpha * Omega`` over the selected parameters;
- ``add_grad(params)``: adds ``alpha * grad Omega`` into each selected
  ``Parameter.grad`` (called after the backward pass, before
  ``optimizer.step()``);
- ``prox(params, lr)`` (``L1`` and ``ElasticNet``): the proximal
  (soft-thresholding) step of Eq. 7.23, applied after ``optimizer.step()``.

``nr.fit(..., penalties=[...])`` calls them in that order and reports both
the data loss (``History.train_data_loss``) and the total
(``History.train_loss``).

Which parameters are penalized
------------------------------
By default those among ``params`` with ``regularized=True``: the weights,
not the biases, as the book says ("we typically penalize only the weights
of the affine transformation at each layer and leave the biases
unregularized", §7.1). ``params=`` or ``layers=`` choose an explicit
selection instead (so that each layer can have its own ``alpha``), and
``include_biases=True`` penalizes the biases too -- to answer the seed's
question "why do we leave the bias unregularized?" by experiment
(``experiments/bias_penalty.py``).
"""

import numpy as np

from ...core import checks
from ...core.checks import as_list
from ...core.module import Module
from ...core.parameter import Parameter

METHODS = ("prox", "subgradient")


#: ``check_alpha(name, v)``: ``v`` as a float if it is a finite number >= 0 (the validation layer's check).
check_alpha = checks.nonnegative


class Selection:
    """Which parameters a penalty or constraint acts on.

    Parameters
    ----------
    params : Parameter, list of Parameter, or None, default None
        An explicit selection.
    layers : Module, list of Module, or None, default None
        An explicit selection by layer: their ``parameters()``. At most
        one of ``params`` and ``layers`` may be given.
    include_biases : bool, default False
        If False, parameters with ``regularized=False`` (biases) are left
        out -- also from an explicit selection, so that passing
        ``model.parameters()`` cannot penalize the biases by accident.
    ndim : int or None, default None
        If given, every selected parameter must have this many dimensions
        (``MaxNorm`` needs matrices).
    owner : str
        Name used in error messages.

    Notes
    -----
    Without an explicit selection, ``select(params)`` filters the list the
    caller passes (``fit`` passes ``model.parameters()``); with one, it
    returns the explicit selection and ignores ``params``.
    """

    def __init__(self, params=None, layers=None, include_biases=False, ndim=None, owner="penalty"):
        if params is not None and layers is not None:
            raise ValueError(f"{owner}: give params= or layers=, not both")
        self.include_biases = checks.flag("include_biases", include_biases)
        self.ndim = ndim
        self.owner = owner
        self.fixed = None
        if layers is not None:
            mods = as_list(layers, Module, "layers")
            params = [p for m in mods for p in m.parameters()]
            if not params:
                raise ValueError(f"{owner}: the layers given hold no parameters, got layers={layers!r}")
        if params is not None:
            chosen = as_list(params, Parameter, "params")
            kept = self._filter(chosen)
            if not kept:
                raise ValueError(
                    f"{owner}: the selection holds no parameter to act on: the {len(chosen)} given "
                    f"are biases (regularized=False); pass include_biases=True to include them")
            self.fixed = kept

    def _filter(self, params):
        kept = params if self.include_biases else [p for p in params if p.regularized]
        if self.ndim is not None:
            for p in kept:
                if p.data.ndim != self.ndim:
                    raise ValueError(f"{self.owner} acts on {self.ndim}-D weight matrices, "
                                     f"got parameter {p.name!r} of shape {p.data.shape}")
        return kept

    def select(self, params):
        """The parameters to act on, given the caller's list ``params`` (checked: Parameters only)."""
        params = as_list(params, Parameter, "params")
        if self.fixed is not None:
            return self.fixed
        return self._filter(params)

    def describe(self):
        if self.fixed is not None:
            return f"params=[{', '.join(p.name or '?' for p in self.fixed)}]"
        return "all weights" + (" and biases" if self.include_biases else "")


def _sum_squares(a):
    """``sum(a**2)`` in one pass, as a Python float (BLAS dot of the flattened array)."""
    v = a.reshape(-1)
    return float(np.dot(v, v))


def _sum_abs(a):
    """``sum(|a|)`` as a Python float."""
    return float(np.abs(a).sum())


def soft_threshold(w, t):
    """Soft-thresholding in place: ``w <- sign(w) * max(|w| - t, 0)`` (Eq. 7.23). Returns ``w``.

    Computed as ``w - clip(w, -t, t)``: entries with ``|w| <= t`` become
    exactly 0 (``w - w``), the others move by ``t`` towards 0.
    """
    if t > 0:
        w -= np.clip(w, -t, t)
    return w


class _Penalty:
    """Common part: the selection, ``value`` and ``add_grad`` loops, repr."""

    _prox = False

    def __init__(self, params=None, layers=None, include_biases=False):
        self.selection = Selection(params, layers, include_biases, owner=type(self).__name__)

    @property
    def include_biases(self):
        return self.selection.include_biases

    def selected(self, params):
        """The parameters this penalty acts on, out of ``params`` (see the module docstring)."""
        return self.selection.select(params)

    def __call__(self, params):
        return self.value(params)


class L2(_Penalty):
    """L2 parameter regularization, "weight decay" (§7.1.1): ``Omega(w) = 1/2 ||w||_2^2``.

    Adds ``alpha/2 * sum ||w||^2`` to the objective (Eq. 7.2) and
    ``alpha * w`` to the gradient (Eq. 7.3: ``grad J~ = alpha w + grad J``),
    so a plain SGD step is ``w <- (1 - epsilon alpha) w - epsilon grad J``
    (Eq. 7.4-7.5), which is exactly ``SGD(weight_decay=alpha)``.

    Near a minimum ``w_star`` of J with Hessian ``H = Q Lambda Q^T``, the
    regularized minimum is ``w~ = Q (Lambda + alpha I)^-1 Lambda Q^T w_star``
    (Eq. 7.13): see :func:`numreg.analysis.l2_shrinkage`.

    Parameters
    ----------
    alpha : float
        Penalty weight ``alpha >= 0`` (Eq. 7.1); multiplies ``Omega`` once
        per step, not divided by the batch size.
    params : Parameter, list of Parameter, or None, default None
        Explicit selection (else: every weight passed to ``value`` /
        ``add_grad``, i.e. every ``regularized=True`` parameter).
    layers : Module, list of Module, or None, default None
        Explicit selection by layer, e.g. ``L2(1e-3, layers=model[1])``.
    include_biases : bool, default False
        Also penalize parameters with ``regularized=False`` (the biases).

    Examples
    --------
    Different ``alpha`` per layer::

        pens = [nr.L2(1e-4, layers=model[1]), nr.L2(1e-2, layers=model[-1])]
        nr.fit(model, criterion, optimizer, train, penalties=pens)
    """

    def __init__(self, alpha, params=None, layers=None, include_biases=False):
        self.alpha = check_alpha("alpha", alpha)
        super().__init__(params, layers, include_biases)

    def value(self, params):
        """``alpha * 1/2 * sum_w ||w||_2^2`` over the selected parameters (a float)."""
        if not self.alpha:
            return 0.0
        return 0.5 * self.alpha * sum(_sum_squares(p.data) for p in self.selected(params))

    def add_grad(self, params):
        """``grad += alpha * w`` for each selected parameter (Eq. 7.3)."""
        params = as_list(params, Parameter, "params")
        if not self.alpha:
            return
        for p in self.selected(params):
            p.grad += p.data.dtype.type(self.alpha) * p.data

    def __repr__(self):
        return f"L2(alpha={self.alpha}, {self.selection.describe()})"


class L1(_Penalty):
    """L1 parameter regularization (§7.1.2): ``Omega(w) = ||w||_1 = sum_i |w_i|`` (Eq. 7.18).

    Two ways to minimize ``J + alpha ||w||_1``, whose difference is a
    teaching point:

    - ``method="prox"`` (default): proximal gradient. ``add_grad`` adds
      nothing; after each optimizer step, ``prox(params, lr)`` applies the
      soft-thresholding of Eq. 7.23 with threshold ``lr * alpha``,

          w <- sign(w) * max(|w| - lr * alpha, 0),

      i.e. the exact minimizer of ``1/(2 lr) ||w - w_step||^2 + alpha ||w||_1``.
      Weights whose data gradient cannot hold them away from 0 become
      *exactly* 0: a sparse solution (§7.1.2).
    - ``method="subgradient"``: ``add_grad`` adds ``alpha * sign(w)``
      (Eq. 7.20, with ``sign(0) = 0``) and ``prox`` does nothing. The
      weights oscillate around 0 by about ``lr * alpha`` instead of
      reaching it: small non-zeros, no exact sparsity.

    Parameters
    ----------
    alpha : float
        Penalty weight ``alpha >= 0``; not divided by the batch size.
    method : {"prox", "subgradient"}, default "prox"
    params, layers, include_biases
        The selection, as for :class:`L2`.

    Notes
    -----
    ``nr.fit`` calls ``prox(params, optimizer.lr)``: the threshold uses the
    optimizer's learning rate as the step size. For plain SGD this is the
    textbook proximal-gradient step (ISTA). With momentum or Adam it is a
    heuristic: Adam's actual step on ``w_i`` is ``lr / (sqrt(v_i) + eps)``
    times its moment estimate, so the threshold ``lr * alpha`` is not the
    proximal step of Adam's geometry. It still produces exact zeros, but
    the fixed point is not the minimizer of ``J + alpha ||w||_1``.

    With a quadratic J of diagonal Hessian ``H``, the minimizer is
    ``w_i = sign(w*_i) max(|w*_i| - alpha / H_ii, 0)`` (Eq. 7.23): see
    :func:`numreg.analysis.l1_solution`.
    """

    def __init__(self, alpha, method="prox", params=None, layers=None, include_biases=False):
        self.alpha = check_alpha("alpha", alpha)
        method = checks.choice("method", method, METHODS)
        self.method = method
        super().__init__(params, layers, include_biases)

    def value(self, params):
        """``alpha * sum_w ||w||_1`` over the selected parameters (a float)."""
        if not self.alpha:
            return 0.0
        return self.alpha * sum(_sum_abs(p.data) for p in self.selected(params))

    def add_grad(self, params):
        """``method="subgradient"``: ``grad += alpha * sign(w)`` (Eq. 7.20); ``"prox"``: nothing."""
        params = as_list(params, Parameter, "params")
        if self.method != "subgradient" or not self.alpha:
            return
        for p in self.selected(params):
            p.grad += p.data.dtype.type(self.alpha) * np.sign(p.data)

    def prox(self, params, lr):
        """``method="prox"``: ``w <- sign(w) max(|w| - lr alpha, 0)`` in place (Eq. 7.23); else nothing.

        Parameters
        ----------
        params : list of Parameter
            As for ``value``.
        lr : float
            The step size ``epsilon`` of the step just taken (``fit`` passes
            ``optimizer.lr``), >= 0.
        """
        if self.method != "prox":
            return
        lr = check_alpha("lr", lr)
        t = lr * self.alpha
        if t == 0:
            return
        for p in self.selected(params):
            soft_threshold(p.data, p.data.dtype.type(t))

    def __repr__(self):
        return f"L1(alpha={self.alpha}, method={self.method!r}, {self.selection.describe()})"


class ElasticNet(_Penalty):
    """Elastic net (Zou & Hastie 2005): ``l1 * ||w||_1 + l2 * 1/2 ||w||_2^2``.

    The sum of :class:`L1` with weight ``l1`` and :class:`L2` with weight
    ``l2`` (§7.1.1-7.1.2): L1 gives sparsity, L2 keeps groups of correlated
    features together where L1 alone picks one of them.

    Parameters
    ----------
    l1 : float
        Weight of ``||w||_1``, >= 0.
    l2 : float
        Weight of ``1/2 ||w||_2^2``, >= 0.
    method : {"prox", "subgradient"}, default "prox"
        How the L1 part is applied, as for :class:`L1`. The L2 part always
        goes through the gradient (it is the smooth part of a proximal
        gradient method).
    params, layers, include_biases
        The selection, as for :class:`L2`.
    """

    def __init__(self, l1, l2, method="prox", params=None, layers=None, include_biases=False):
        self.l1 = check_alpha("l1", l1)
        self.l2 = check_alpha("l2", l2)
        method = checks.choice("method", method, METHODS)
        self.method = method
        super().__init__(params, layers, include_biases)

    def value(self, params):
        """``l1 * ||w||_1 + l2/2 * ||w||_2^2`` summed over the selected parameters (a float)."""
        total = 0.0
        for p in self.selected(params):
            if self.l1:
                total += self.l1 * _sum_abs(p.data)
            if self.l2:
                total += 0.5 * self.l2 * _sum_squares(p.data)
        return total

    def add_grad(self, params):
        """``grad += l2 * w`` (and ``+ l1 * sign(w)`` with ``method="subgradient"``)."""
        params = as_list(params, Parameter, "params")
        sub = self.method == "subgradient" and self.l1
        if not (self.l2 or sub):
            return
        for p in self.selected(params):
            f = p.data.dtype.type
            if self.l2:
                p.grad += f(self.l2) * p.data
            if sub:
                p.grad += f(self.l1) * np.sign(p.data)

    def prox(self, params, lr):
        """``method="prox"``: soft-threshold by ``lr * l1`` in place (Eq. 7.23); else nothing."""
        if self.method != "prox":
            return
        t = check_alpha("lr", lr) * self.l1
        if t == 0:
            return
        for p in self.selected(params):
            soft_threshold(p.data, p.data.dtype.type(t))

    def __repr__(self):
        return f"ElasticNet(l1={self.l1}, l2={self.l2}, method={self.method!r}, {self.selection.describe()})"
