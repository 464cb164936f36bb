"""Orthogonal matching pursuit (§7.10, Eq. 7.49): sparse codes with at most ``k`` atoms, greedily, for a batch."""
import numpy as np

from ...core import checks


def _check(X, W, k):
    """The arguments of :func:`omp` as float64 arrays ``(X (n, d), W (d, m), k, single)``, or ValueError/TypeError."""
    X = checks.numbers_array("X", X)
    W = checks.numbers_array("W", W)
    if W.ndim != 2 or 0 in W.shape:
        raise ValueError(f"W must be a non-empty matrix (d, m), one atom per column, got W.shape={W.shape}")
    single = X.ndim == 1
    if single:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != W.shape[0]:
        raise ValueError(f"X must be (n, d) with d = W.shape[0] = {W.shape[0]} (or one example (d,)), "
                         f"got X.shape={np.shape(X) if not single else X.shape[1:]} and W.shape={W.shape}")
    k = checks.integer("k", k, low=1, high=W.shape[1])      # at most the number of atoms m
    X = checks.float_array("X", X, dtype=np.float64)
    W = checks.float_array("W", W, dtype=np.float64)
    norms = np.linalg.norm(W, axis=0)
    if np.any(norms == 0):
        raise ValueError(f"W has atoms (columns) of norm 0, which no code can use: columns "
                         f"{np.flatnonzero(norms == 0).tolist()}")
    return X, W, k, single, norms


def omp(X, W, k, return_support=False, tol=1e-10):
    r"""Sparse codes by orthogonal matching pursuit, for every example at once (§7.10, Eq. 7.49).

    The book's representation with an explicit sparsity constraint is

        argmin_{h, ||h||_0 < k} ||x - W h||^2                        (Eq. 7.49)

    (Pati et al. 1993). Here ``k`` is the number of atoms *allowed*: each
    code uses **at most k** atoms, ``||h||_0 <= k`` (the book's ``< k`` with
    its ``k`` one larger). The exact problem is combinatorial; OMP solves it
    greedily. Starting from ``h = 0`` and the residual ``r = x``, each of
    ``k`` iterations

    1. selects the atom most correlated with the residual,
       ``j = argmax_i |W_{:,i}^T r| / ||W_{:,i}||`` (atoms need not have unit norm),
    2. re-fits *all* selected atoms by least squares,
       ``h_S = (W_S^T W_S)^{-1} W_S^T x``, and sets ``r = x - W_S h_S``,

    so that the residual is always orthogonal to every selected atom (the
    "orthogonal" of OMP; plain matching pursuit only updates the new
    coefficient). An example stops early, with fewer atoms, when no atom is
    correlated with its residual any more (``max |W^T r| / ||w|| <= tol ||x||``,
    e.g. ``x`` already reconstructed exactly).

    The batch is processed together: the selections are an ``argmax`` over a
    ``(n, m)`` matrix of correlations and the least-squares fits one
    ``np.linalg.solve`` on the ``n`` stacked ``(t, t)`` Gram matrices; the
    only Python loop is over the ``k`` iterations. ``W^T x`` and ``W^T W``
    are computed once, and the correlations ``W^T r = W^T x - W^T W_S h_S``
    and the Gram matrices ``W_S^T W_S`` are gathered from them (the
    "batch OMP" of Rubinstein, Zibulevsky & Elad 2008), so no residual or
    ``(n, d, t)`` array of atoms is formed: ``O(n m (d + k^2))`` time in all,
    and ``O(n (m + k^2))`` memory besides ``X`` and ``W``.

    For an orthonormal ``W``, OMP picks the ``k`` largest ``|W^T x|``, the
    exact solution of Eq. 7.49. For a dictionary of mutual coherence
    ``mu = max_{i != j} |w_i^T w_j|`` (unit atoms), it recovers any
    ``x = W h`` with ``||h||_0 < (1 + 1/mu) / 2`` exactly (Tropp 2004). In
    general it is only an approximation: its residual can exceed the
    optimum.

    Parameters
    ----------
    X : array_like, (n, d) or (d,)
        The examples, one per row (one example: a vector).
    W : array_like, (d, m)
        The dictionary, one atom per column: ``x ~ W h``. Atoms of any
        non-zero norm.
    k : int
        Largest number of atoms per code, ``1 <= k <= m``.
    return_support : bool, default False
        Also return the selected atoms, in the order chosen.
    tol : float, default 1e-10
        Relative tolerance of the early stop (see above).

    Returns
    -------
    H : ndarray, float64, (n, m) or (m,)
        The codes ``h``, with at most ``k`` non-zero entries each;
        ``X ~ H @ W.T``.
    support : ndarray of int, (n, k) or (k,)
        Only with ``return_support``: the indices of the selected atoms per
        example, in the greedy order; ``-1`` after an early stop.

    Raises
    ------
    ValueError
        ``k`` not an integer in ``[1, m]``; ``X`` and ``W`` of mismatched
        shapes; a non-finite entry; an atom of norm 0.
    TypeError
        ``X`` or ``W`` not numeric.

    References
    ----------
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.10, Eq. 7.49.
    Pati, Rezaiifar & Krishnaprasad (1993), "Orthogonal matching pursuit".
    Tropp (2004), "Greed is good", IEEE Trans. Inf. Theory 50(10).
    """
    X, W, k, single, norms = _check(X, W, k)
    tol = checks.probability("tol", tol)
    return_support = checks.flag("return_support", return_support)
    n, m = X.shape[0], W.shape[1]
    rows = np.arange(n)
    Wx = X @ W                                            # (n, m): W^T x, once
    WW = W.T @ W                                          # (m, m): every atom against every atom, once
    support = np.full((n, k), -1, dtype=np.int64)
    chosen = np.zeros((n, m), dtype=bool)
    coef = np.zeros((n, 0))
    limit = tol * np.linalg.norm(X, axis=1)
    stopped = np.zeros(n, dtype=bool)
    for t in range(k):
        # W^T r = W^T x - sum_s h_s W^T w_s over the selected atoms: the correlations without the residual r,
        # one (n, m) update per selected atom (an unused slot has h_s = 0)
        C = Wx.copy()
        for s in range(t):
            C -= coef[:, s, None] * WW[np.maximum(support[:, s], 0)]
        C = np.abs(C, out=C) / norms                      # (n, m) normalized |correlation| with the residual
        C[chosen] = -1.0
        j = np.argmax(C, axis=1)
        stopped |= C[rows, j] <= limit                    # no atom can lower the residual any more
        active = ~stopped
        support[active, t] = j[active]
        chosen[rows[active], j[active]] = True
        coef = _refit(Wx, WW, support[:, :t + 1])
    H = np.zeros((n, m))
    used = support >= 0
    H[np.nonzero(used)[0], support[used]] = coef[used]
    if single:
        H, support = H[0], support[0]
    return (H, support) if return_support else H


def _refit(Wx, WW, S):
    """Least squares on each example's selected atoms, ``h_S = (W_S^T W_S)^{-1} W_S^T x``, for all ``n`` at once.

    ``W_S^T W_S`` and ``W_S^T x`` are gathered from ``WW = W^T W`` and
    ``Wx = X W`` (so no ``(n, d, t)`` array of atoms is built). Unused
    slots (``S == -1``) get a zero row and column with a 1 on the diagonal,
    and a zero right-hand side, so their coefficient is exactly 0 and the
    system stays invertible.
    """
    n, t = S.shape
    unused = S < 0
    Si = np.maximum(S, 0)
    G = WW[Si[:, :, None], Si[:, None, :]]                # (n, t, t) Gram matrices W_S^T W_S
    G[unused] = 0.0                                       # rows of unused slots
    G.transpose(0, 2, 1)[unused] = 0.0                    # and their columns
    n_idx, t_idx = np.nonzero(unused)
    G[n_idx, t_idx, t_idx] = 1.0
    b = np.take_along_axis(Wx, Si, axis=1)                # (n, t) = W_S^T x
    b[unused] = 0.0
    return np.linalg.solve(G, b[..., None])[..., 0]
