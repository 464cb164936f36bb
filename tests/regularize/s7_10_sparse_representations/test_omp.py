"""§7.10 orthogonal matching pursuit (Eq. 7.49): against a brute-force search over supports, the greedy path, bad input."""
import itertools

import numpy as np
import pytest
from scipy.linalg import hadamard

import numreg as nr


def brute_force(x, W, k):
    """The exact minimum of ||x - W h||^2 over ||h||_0 <= k: least squares on every support of size k."""
    best = (np.inf, None)
    for S in itertools.combinations(range(W.shape[1]), k):
        A = W[:, S]
        h, *_ = np.linalg.lstsq(A, x, rcond=None)
        r = float(np.sum((x - A @ h) ** 2))
        if r < best[0]:
            best = (r, frozenset(S))
    return best


def residual(X, W, H):
    return np.sum((X - H @ W.T) ** 2, axis=1)


def test_orthonormal_dictionary_keeps_the_k_largest_coefficients():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    X = rng.standard_normal((50, 8))
    H = nr.omp(X, Q, 3)
    # exact answer: h = Q^T x with all but its 3 largest |entries| set to 0
    c = X @ Q
    top = np.argsort(-np.abs(c), axis=1)[:, :3]
    expected = np.zeros_like(c)
    np.put_along_axis(expected, top, np.take_along_axis(c, top, axis=1), axis=1)
    np.testing.assert_allclose(H, expected, atol=1e-12)
    for x, h in zip(X[:5], H[:5]):
        r, S = brute_force(x, Q, 3)
        assert set(np.flatnonzero(h)) == S


def test_incoherent_dictionary_recovers_sparse_codes_exactly():
    # spikes and Walsh functions, d = 64: unit atoms with coherence mu = 1/8, so every x = W h with
    # ||h||_0 = 4 < (1 + 8)/2 = 4.5 is recovered exactly (Tropp 2004)
    d = 64
    W = np.hstack([np.eye(d), hadamard(d) / np.sqrt(d)])
    G = np.abs(W.T @ W - np.eye(2 * d))
    assert G.max() == pytest.approx(1 / 8)
    rng = np.random.default_rng(1)
    n, s = 200, 4
    H_true = np.zeros((n, 2 * d))
    idx = np.argsort(rng.random((n, 2 * d)), axis=1)[:, :s]
    np.put_along_axis(H_true, idx, rng.choice([-1, 1], (n, s)) * rng.uniform(0.5, 2, (n, s)), axis=1)
    H = nr.omp(H_true @ W.T, W, s)
    np.testing.assert_allclose(H, H_true, atol=1e-10)


def test_random_small_cases_never_beat_brute_force_and_match_it_on_the_same_support():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((5, 7))
    X = rng.standard_normal((150, 5))
    H, support = nr.omp(X, W, 2, return_support=True)
    got = residual(X, W, H)
    same = 0
    for x, r, S in zip(X, got, support):
        best, best_S = brute_force(x, W, 2)
        assert r >= best - 1e-10                        # OMP's support is one of the candidates
        if set(S) == best_S:
            assert r == pytest.approx(best, rel=1e-9, abs=1e-12)
            same += 1
    assert 0 < same < len(X)                            # greedy is often, but not always, optimal


def test_the_greedy_path():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((10, 20))
    X = rng.standard_normal((30, 10))
    previous, last = np.inf, None
    for k in range(1, 8):
        H, S = nr.omp(X, W, k, return_support=True)
        assert np.all(np.count_nonzero(H, axis=1) <= k)
        r = X - H @ W.T
        # the residual is orthogonal to every chosen atom: W_S^T r = 0 (the least-squares refit)
        WS = W.T[S]                                     # (n, k, d)
        assert np.abs(np.einsum("nkd,nd->nk", WS, r)).max() < 1e-10
        # a path: the first k-1 atoms are those of k-1, and the residual never grows
        if last is not None:
            np.testing.assert_array_equal(S[:, :-1], last)
        total = residual(X, W, H).sum()
        assert total <= previous + 1e-12
        previous, last = total, S


def test_first_atom_is_the_most_correlated_after_normalizing():
    W = np.array([[10.0, 0.0, 1.0], [0.0, 1.0, 1.0]])   # atom 0 is long: raw correlation would favour it
    x = np.array([0.2, 1.0])
    # normalized |w^T x| / ||w||: atom 0: 2/10 = 0.2; atom 1: 1.0; atom 2: 1.2/sqrt(2) = 0.85
    h, S = nr.omp(x, W, 1, return_support=True)
    assert S.tolist() == [1]
    np.testing.assert_allclose(h, [0.0, 1.0, 0.0])      # least squares on atom 1: h_1 = w_1^T x / ||w_1||^2 = 1


def test_exact_reconstruction_stops_early():
    W = np.eye(4)
    H, S = nr.omp(np.array([[0.0, 3.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]), W, 3, return_support=True)
    assert S.tolist() == [[1, -1, -1], [-1, -1, -1]]
    np.testing.assert_array_equal(H, [[0, 3, 0, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("args,match", [
    ((np.ones((2, 3)), np.eye(3), 0), "k=0"),
    ((np.ones((2, 3)), np.eye(3), 4), "k=4"),
    ((np.ones((2, 3)), np.eye(3), 1.5), "k=1.5"),
    ((np.ones((2, 4)), np.eye(3), 1), r"X.shape=\(2, 4\)"),
    ((np.array([[1.0, np.nan, 0]]), np.eye(3), 1), "X must hold finite"),
    ((np.ones((2, 3)), np.array([[1.0, np.inf], [0, 1], [0, 0]]), 1), "W must hold finite"),
    ((np.ones((2, 3)), np.zeros((3, 2)), 1), "norm 0"),
    ((np.ones((2, 3)), np.ones(3), 1), r"W.shape=\(3,\)"),
    ((np.ones((2, 3)), np.eye(3), 1, False, -1.0), "tol=-1.0"),
])
def test_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        nr.omp(*args)


def test_not_numbers():
    with pytest.raises(TypeError, match="X must be an array of real numbers"):
        nr.omp(np.array([["a", "b"]]), np.eye(2), 1)
