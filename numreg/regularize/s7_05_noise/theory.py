"""The closed form of §7.5: the regularizer ``eta E||grad_W y^(x)||^2`` that noise on the weights amounts to.
"""
import numpy as np

from ...core import checks
from ...core.checks import nonnegative
from ...core.parameter import Parameter
from ...training.state import model_input


# ---------------------------------------------------------------------------
# §7.5: noise on the weights

def _flat_layers(model):
    from ...core.model import Sequential
    out = []
    for layer in (model.layers if isinstance(model, Sequential) else [model]):
        out += _flat_layers(layer) if isinstance(layer, Sequential) else [layer]
    return out


def weight_noise_penalty(model, X, eta, params=None, include_biases=False):
    """The regularizer that noise on the weights amounts to: ``eta E_x ||grad_W y^(x)||^2`` (§7.5).

    Adding ``epsilon_W ~ N(0, eta I)`` to the weights of a regression model
    trained on ``E[(y^(x) - y)^2]`` gives, for small ``eta``, the objective
    ``J + eta E_x[||grad_W y^(x)||^2]`` (the term ``eta E[(y^ - y) tr grad^2_W y^]``
    of the second-order expansion vanishes at a minimum, where the residuals
    are 0 or uncorrelated with the curvature). The penalty pushes the model
    to regions where small perturbations of the weights barely change the
    output: flat minima (Hochreiter & Schmidhuber 1995).

    For a vector output ``y^ in R^K``, ``||grad_W y^||^2`` is the squared
    Frobenius norm of the Jacobian, ``sum_k ||grad_W y^_k||^2``: the
    increase of ``E||y^ - y||^2`` summed over the outputs. ``nr.MSELoss``
    averages over the outputs too, so its increase is this divided by ``K``.

    Parameters
    ----------
    model : Sequential
        Made of ``Linear`` layers and parameter-free layers (activations,
        ``Flatten``, ...); evaluated in evaluation mode (no dropout), its
        mode restored after.
    X : ndarray, (n, ...)
        Inputs: ``E_x`` is the mean over them.
    eta : float
        Variance of the weight noise, >= 0.
    params : list of Parameter or None, default None
        The noisy weights; None: every ``Linear``'s ``W``.
    include_biases : bool, default False
        With ``params=None``, also put noise on the biases.

    Returns
    -------
    float
        ``eta * (1/n) sum_i sum_k ||grad_W y^_k(x_i)||^2``.

    Notes
    -----
    Vectorized over the examples: for a ``Linear`` layer with input ``a_i``
    and output gradient ``delta_i``, the per-example gradient is the outer
    product ``a_i delta_i^T``, of squared norm ``||a_i||^2 ||delta_i||^2``;
    one backward pass per output ``k`` (K passes, none per example), which
    leaves ``Parameter.grad`` untouched.
    """
    from ...core.layers import Linear
    eta = nonnegative("eta", eta)
    X, _ = model_input(model, X)
    include_biases = checks.flag("include_biases", include_biases)
    layers = _flat_layers(model)
    chosen = None if params is None else {id(p) for p in checks.as_list(params, Parameter, "params")}
    was = model.training
    model.eval()
    try:
        out = model.forward(X)
        if out.ndim != 2:
            raise ValueError(f"weight_noise_penalty needs a model output of shape (n, K), got {out.shape}")
        n, K = out.shape
        # ||a_i||^2 for every Linear: the input is the same for every output k
        a2 = {id(l): np.einsum("ij,ij->i", l.x, l.x, dtype=np.float64)
              for l in layers if isinstance(l, Linear)}
        total = np.zeros(n)
        for k in range(K):
            dy = np.zeros_like(out)
            dy[:, k] = 1
            for layer in reversed(layers):
                if isinstance(layer, Linear):
                    d2 = np.einsum("ij,ij->i", dy, dy, dtype=np.float64)      # ||delta_i||^2
                    mask = getattr(layer, "mask", None)                       # SparseLinear
                    if chosen is None or id(layer.W) in chosen:
                        if mask is None:
                            total += a2[id(layer)] * d2
                        else:  # only the present connections: sum_jk a_ij^2 M_jk delta_ik^2
                            total += np.einsum("ij,jk,ik->i", layer.x.astype(np.float64) ** 2,
                                               mask.astype(np.float64), dy.astype(np.float64) ** 2)
                    if layer.b is not None and ((chosen is None and include_biases)
                                                or (chosen is not None and id(layer.b) in chosen)):
                        total += d2
                    dy = dy @ (layer.W.data if mask is None else layer.W.data * mask).T
                elif layer.parameters():
                    raise ValueError(f"weight_noise_penalty handles Linear layers and parameter-free layers, "
                                     f"got {type(layer).__name__} with parameters")
                else:
                    dy = layer.backward(dy)
    finally:
        model.train(was)
    return eta * float(total.mean())
