"""Norm constraints as explicit projections (§7.2): ``MaxNorm``, ``NormBall``.

Instead of a penalty ``alpha * Omega(theta)``, §7.2 constrains
``Omega(theta) <= k`` and solves the constrained problem by projected
gradient descent: "take a step downhill on J, then project theta back to
the nearest point that satisfies Omega(theta) < k". Each constraint here
has ``project(params)``, which ``nr.fit(..., constraints=[...])`` calls
after every ``optimizer.step()`` (and after the penalties' ``prox``).

Unlike a penalty, a constraint does nothing while the weights are inside
the region: it cannot push weights towards 0 (no dead units from a strong
``alpha``), and it bounds them whatever the learning rate, which is why it
pairs well with the large learning rates of dropout training (Hinton et
al. 2012; Srivastava et al. 2014).
"""
import numpy as np

from ...core import checks
from ..s7_01_norm_penalties.penalties import Selection


class MaxNorm:
    """Max-norm constraint on each unit's incoming weights (§7.2; Srebro & Shraibman 2005).

    For every weight matrix ``W`` of shape ``(in_features, out_features)``
    -- ``Linear`` computes ``x @ W + b``, so column ``j`` holds the weights
    *into* output unit ``j`` -- each column is projected onto the ball of
    radius ``c``:

        W[:, j] <- W[:, j] * min(1, c / ||W[:, j]||_2).

    This is the Euclidean projection onto ``{W : ||W[:, j]|| <= c for all j}``.
    Hinton et al. (2012) recommend constraining "the norm of each column
    of the weight matrix of each layer" rather than the Frobenius norm of
    the whole matrix, so that no single unit can get large weights (§7.2).

    Parameters
    ----------
    c : float
        The radius, > 0. Srivastava et al. (2014) use ``c`` between 3 and 4.
    params : Parameter, list of Parameter, or None, default None
        Explicit selection of weight matrices; else every ``regularized=True``
        parameter passed to ``project`` (all ``W``, no ``b``).
    layers : Module, list of Module, or None, default None
        Explicit selection by layer (e.g. only the hidden layers).

    Notes
    -----
    One pass over each matrix computes the squared column norms
    (``einsum('ij,ij->j')``, no temporary of the matrix's size); the matrix
    is rescaled only if some column exceeds ``c``. Every selected parameter
    must be 2-D.

    References
    ----------
    Srebro & Shraibman (2005), "Rank, trace-norm and max-norm", COLT.
    Hinton, Srivastava, Krizhevsky, Sutskever & Salakhutdinov (2012), arXiv:1207.0580.
    Srivastava et al. (2014), "Dropout", JMLR 15, §5.1.
    """

    def __init__(self, c, params=None, layers=None):
        self.c = checks.positive("c", c)  # a radius of 0 would set every weight to 0
        self.selection = Selection(params, layers, include_biases=False, ndim=2, owner="MaxNorm")

    def selected(self, params):
        return self.selection.select(params)

    def column_norms(self, params):
        """``[||W[:, j]||_2 for every column j]`` of each selected matrix (list of float64 arrays)."""
        return [np.sqrt(np.einsum("ij,ij->j", p.data, p.data, dtype=np.float64)) for p in self.selected(params)]

    def project(self, params):
        """Rescale in place every column of norm > c to norm c; leave the others untouched."""
        c2 = self.c * self.c
        for p in self.selected(params):
            W = p.data
            sq = np.einsum("ij,ij->j", W, W)                  # squared norm of each column, (out,)
            over = sq > c2
            if over.any():
                scale = np.ones_like(sq)
                scale[over] = self.c / np.sqrt(sq[over])
                W *= scale                                    # broadcasts over rows: column j times scale[j]

    def __repr__(self):
        return f"MaxNorm(c={self.c}, {self.selection.describe()})"


class NormBall:
    """Euclidean norm ball ``||w||_2 <= k`` on the selected parameters (§7.2, Eq. 7.26-7.27).

    All selected parameters together form one vector ``w``; when its norm
    exceeds ``k`` every one of them is scaled by ``k / ||w||_2``, the
    Euclidean projection onto the ball. This is the constraint
    ``Omega(w) <= 1/2 k^2`` of the L2 penalty ``Omega = 1/2 ||w||^2``:
    projected gradient descent with it converges to the L2-penalized
    solution for the KKT multiplier ``alpha*`` (Eq. 7.27), computed by
    :func:`numreg.analysis.constrained_alpha`. For a separate ball per
    layer, make one ``NormBall`` per layer with ``layers=``.

    Parameters
    ----------
    k : float
        The radius, > 0.
    params : Parameter, list of Parameter, or None, default None
        Explicit selection; else every ``regularized=True`` parameter passed to ``project``.
    layers : Module, list of Module, or None, default None
        Explicit selection by layer.
    include_biases : bool, default False
        Include parameters with ``regularized=False`` (the biases).
    """

    def __init__(self, k, params=None, layers=None, include_biases=False):
        self.k = checks.positive("k", k)
        self.selection = Selection(params, layers, include_biases, owner="NormBall")

    def selected(self, params):
        return self.selection.select(params)

    def norm(self, params):
        """``||w||_2`` of the selected parameters taken together (a float)."""
        return float(np.sqrt(sum(float(np.dot(p.data.reshape(-1), p.data.reshape(-1)))
                                 for p in self.selected(params))))

    def project(self, params):
        """Scale every selected parameter by ``k / ||w||`` in place if ``||w|| > k``."""
        n = self.norm(params)
        if n > self.k:
            s = self.k / n
            for p in self.selected(params):
                p.data *= p.data.dtype.type(s)

    def __repr__(self):
        return f"NormBall(k={self.k}, {self.selection.describe()})"
