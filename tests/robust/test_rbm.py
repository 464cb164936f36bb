"""nr.RBM checked against exact enumeration of a small RBM (6 visible x 4 hidden: 64 x 16 states)."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import numerical_gradient, rel_error
from numreg.robust.rbm import RBM
from numreg.robust.rbm_exact import all_states, exact_gradient, exact_log_likelihood, exact_log_partition


def small_rbm(seed=0, scale=1.0, mask=None):
    """A 6x4 float64 RBM with weights N(0, scale^2) and biases N(0, 0.5^2): far from uniform."""
    r = RBM(6, 4, mask=mask, seed=seed, dtype=np.float64)
    g = np.random.default_rng(seed + 100)
    r.W.data[...] = scale * g.standard_normal((6, 4)) * (1 if mask is None else mask)
    r.b.data[...] = 0.5 * g.standard_normal(6)
    r.c.data[...] = 0.5 * g.standard_normal(4)
    return r


def logsumexp(a, axis=None):
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def joint_energies(r):
    """E[s, t] = E(v_s, h_t) over all 64 x 16 states, from the energy function alone."""
    V, H = all_states(6), all_states(4)
    Vs, Hs = np.repeat(V, 16, axis=0), np.tile(H, (64, 1))
    return r.energy(Vs, Hs).reshape(64, 16), V, H


# -- the energy, the free energy, log Z and the conditionals, against enumeration ----------------

def test_energy_by_hand():
    r = small_rbm()
    v, h = np.array([[1., 0, 1, 0, 0, 1]]), np.array([[0., 1, 1, 0]])
    W, b, c = r.W.data, r.b.data, r.c.data
    # E = -(b0 + b2 + b5) - (c1 + c2) - (W[0,1] + W[0,2] + W[2,1] + W[2,2] + W[5,1] + W[5,2])
    by_hand = -(b[0] + b[2] + b[5]) - (c[1] + c[2]) - W[np.ix_([0, 2, 5], [1, 2])].sum()
    assert r.energy(v, h)[0] == pytest.approx(by_hand, abs=1e-12)


def test_free_energy_and_log_partition_match_enumeration():
    r = small_rbm()
    E, V, _ = joint_energies(r)
    # F(v) = -log sum_h exp(-E(v, h)), and log Z = log sum_{v,h} exp(-E(v, h))
    np.testing.assert_allclose(r.free_energy(V), -logsumexp(-E, axis=1), rtol=0, atol=1e-10)
    assert exact_log_partition(r) == pytest.approx(logsumexp(-E.ravel()), abs=1e-10)


def test_conditionals_match_enumeration():
    r = small_rbm()
    E, V, H = joint_energies(r)
    P = np.exp(-E - logsumexp(-E, axis=1)[:, None])          # P(h_t | v_s), rows sum to 1
    np.testing.assert_allclose(r.p_h(V), P @ H, atol=1e-12)  # P(h_j=1|v) = sum_h P(h|v) h_j
    Q = np.exp(-E.T - logsumexp(-E.T, axis=1)[:, None])      # P(v_s | h_t)
    np.testing.assert_allclose(r.p_v(H), Q @ V, atol=1e-12)
    np.testing.assert_array_equal(r.transform(V), r.p_h(V))


def test_free_energy_gradient_by_central_differences():
    # dF/dW = -v P(h|v)^T, dF/db = -v, dF/dc = -P(h|v), summed over the rows: a missing term fails.
    r = small_rbm(seed=3)
    V = np.random.default_rng(0).random((5, 6))
    P = r.p_h(V)
    analytic = [-V.T @ P, -V.sum(axis=0), -P.sum(axis=0)]
    for p, a in zip(r.parameters(), analytic):
        num = numerical_gradient(lambda: r.free_energy(V).sum(), p.data)
        assert rel_error(a, num) < 1e-7, p.name


def test_exact_gradient_is_the_derivative_of_the_exact_log_likelihood():
    r = small_rbm(seed=1)
    V = all_states(6)[[3, 17, 40, 63, 8]]
    for p, g in zip(r.parameters(), exact_gradient(r, V)):
        num = numerical_gradient(lambda: exact_log_likelihood(r, V), p.data)
        assert rel_error(g, num) < 1e-6, p.name


# -- sampling ------------------------------------------------------------------------------------

def test_sample_h_and_sample_v_means_match_the_probabilities():
    r = small_rbm(seed=2)
    V = np.tile(all_states(6)[[5, 42]], (20000, 1))          # 2 states x 20000 draws each
    H = r.sample_h(V, seed=0)
    assert set(np.unique(H)) <= {0.0, 1.0}
    for s in range(2):
        p = r.p_h(V[s:s + 1])[0]
        mean = H[s::2].mean(axis=0)
        se = np.sqrt(p * (1 - p) / 20000)                    # standard error of a mean of 20000 Bernoullis
        assert np.all(np.abs(mean - p) < 5 * se + 1e-12)
    Hs = np.tile(all_states(4)[[6]], (20000, 1))
    p = r.p_v(Hs[:1])[0]
    assert np.all(np.abs(r.sample_v(Hs, seed=1).mean(axis=0) - p) < 5 * np.sqrt(p * (1 - p) / 20000) + 1e-12)


def test_gibbs_chain_stationary_distribution_is_the_enumerated_p_v():
    r = small_rbm(seed=4, scale=0.7)
    S = all_states(6)
    F = r.free_energy(S)
    p = np.exp(-F - exact_log_partition(r))
    n = 40000
    samples = r.sample(n, k=30, seed=0)
    idx = samples @ (2 ** np.arange(6))                       # row s of all_states has the bits of s
    freq = np.bincount(idx.astype(int), minlength=64) / n
    tv = 0.5 * np.abs(freq - p).sum()
    # sampling noise alone: E|freq_s - p_s| ~ sqrt(2 p_s / (pi n)), so TV ~ 0.5 * 0.8 * sum sqrt(p_s) / 200 <= 0.016
    expected = 0.5 * np.sum(np.sqrt(2 * p / (np.pi * n)))
    assert tv < 2 * expected + 0.005, (tv, expected)
    # and a wrong distribution (uniform) is far
    assert 0.5 * np.abs(1 / 64 - p).sum() > 5 * tv


def test_gibbs_from_data_and_seeds():
    r = small_rbm()
    V = all_states(6)[:10]
    a, b = r.gibbs(V, k=3, seed=7), r.gibbs(V, k=3, seed=7)
    np.testing.assert_array_equal(a, b)
    assert a.shape == V.shape and set(np.unique(a)) <= {0.0, 1.0}


# -- CD-k against the exact gradient -------------------------------------------------------------

def test_cd_k_gradient_approaches_the_exact_gradient_as_k_grows():
    r = small_rbm(seed=5, scale=1.5)                          # strong weights: CD-1 is clearly biased
    data = all_states(6)[[1, 9, 22, 45, 60]]
    V = np.tile(data, (8000, 1))                              # 40000 chains, 8000 per data point
    exact = np.concatenate([g.ravel() for g in exact_gradient(r, data)])

    def error(k):
        dW, db, dc = r.gradient_estimate(V, k=k, seed=0)[:3]
        return np.max(np.abs(np.concatenate([dW.ravel(), db, dc]) - exact))

    e1, e50 = error(1), error(50)
    # noise of a mean over 40000 chains of terms in [-1, 1]: ~ 1/sqrt(40000) = 0.005 per entry; max over 34 ~ 0.015
    assert e50 < 0.03, e50
    assert e1 > 3 * e50, (e1, e50)


def test_exact_gradient_ascent_increases_the_exact_log_likelihood():
    r = small_rbm(seed=6, scale=0.3)
    data = all_states(6)[[0b000111, 0b111000, 0b000111, 0b101010]]
    lls = [exact_log_likelihood(r, data)]
    for _ in range(200):
        for p, g in zip(r.parameters(), exact_gradient(r, data)):
            p.data += 0.5 * g
        lls.append(exact_log_likelihood(r, data))
    assert np.all(np.diff(lls) > 0)                           # small steps of ascent: every one goes up
    assert lls[-1] > lls[0] + 1.0


def toy_data(n=2000, seed=0):
    """Two 6-pixel patterns, 000111 and 111000, each pixel flipped with probability 0.05."""
    g = np.random.default_rng(seed)
    base = np.where(g.random(n)[:, None] < 0.5, [0, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0]).astype(float)
    return np.abs(base - (g.random((n, 6)) < 0.05))


@pytest.mark.parametrize("persistent, lr, momentum, epochs", [(False, 0.1, 0.5, 30), (True, 0.05, 0.0, 60)])
def test_cd_and_pcd_training_increase_the_exact_log_likelihood(persistent, lr, momentum, epochs):
    # (PCD's chains mix only if the weights move slowly: a smaller step, as Tieleman 2008 notes)
    X = toy_data()
    r = RBM(6, 4, seed=0, dtype=np.float64)
    before = exact_log_likelihood(r, X)                       # ~ 6 log(1/2) = -4.16 at W ~ 0
    r.fit(X, epochs=epochs, batch_size=50, lr=lr, k=1, persistent=persistent, momentum=momentum, seed=0)
    after = exact_log_likelihood(r, X)
    # the data's entropy per example is 6 H(0.05) + log 2 = 6 * 0.199 + 0.693 = 1.89 nats: the best is ~ -1.89
    assert before == pytest.approx(-6 * np.log(2), abs=0.05)
    assert after > -2.0, after
    assert len(r.history["reconstruction_error"]) == epochs
    assert r.history["pseudo_log_likelihood"][-1] > r.history["pseudo_log_likelihood"][0]


# -- the training options ------------------------------------------------------------------------

def test_weight_decay_is_alpha_times_w_on_the_weights_only():
    X = toy_data(100)
    a, b = RBM(6, 4, seed=1, dtype=np.float64), RBM(6, 4, seed=1, dtype=np.float64)
    W0 = a.W.data.copy()
    a.fit(X, epochs=1, batch_size=100, lr=0.1, seed=3)
    b.fit(X, epochs=1, batch_size=100, lr=0.1, weight_decay=0.5, seed=3)
    # one step: W_b - W_a = -lr * alpha * W0 = -0.05 W0; biases identical
    np.testing.assert_allclose(b.W.data - a.W.data, -0.05 * W0, atol=1e-15)
    np.testing.assert_array_equal(a.b.data, b.b.data)
    np.testing.assert_array_equal(a.c.data, b.c.data)


def test_momentum_one_step_then_velocity():
    X = toy_data(200)
    a, b = RBM(6, 4, seed=1, dtype=np.float64), RBM(6, 4, seed=1, dtype=np.float64)
    a.fit(X, epochs=1, batch_size=200, lr=0.1, momentum=0.9, seed=3)
    b.fit(X, epochs=1, batch_size=200, lr=0.1, seed=3)
    np.testing.assert_array_equal(a.W.data, b.W.data)         # first step: velocity = lr * g either way


def test_sparsity_target_lowers_the_mean_hidden_activation():
    X = toy_data(1000)
    plain = RBM(6, 8, seed=0).fit(X, epochs=20, batch_size=50, seed=0)
    sparse = RBM(6, 8, seed=0).fit(X, epochs=20, batch_size=50, sparsity_target=0.05, sparsity_cost=0.5, seed=0)
    m_plain, m_sparse = plain.p_h(X).mean(), sparse.p_h(X).mean()
    assert abs(m_sparse - 0.05) < abs(m_plain - 0.05)
    assert m_sparse < 0.5 * m_plain, (m_sparse, m_plain)


def test_bit_identical_for_a_seed_and_float32_by_default():
    X = toy_data(300).astype(np.float32)
    a = RBM(6, 5, seed=2).fit(X, epochs=3, batch_size=32, k=2, persistent=True, seed=9)
    b = RBM(6, 5, seed=2).fit(X, epochs=3, batch_size=32, k=2, persistent=True, seed=9)
    assert a.W.data.dtype == np.float32 and a.p_h(X).dtype == np.float32
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    assert a.history == b.history
    c = RBM(6, 5, seed=2).fit(X, epochs=3, batch_size=32, k=2, persistent=True, seed=10)
    assert not np.array_equal(a.W.data, c.W.data)


def test_intensities_are_accepted_and_images_flattened():
    X = np.random.default_rng(0).random((50, 3, 2))          # (n, H, W) with H*W = 6
    r = RBM(6, 3, seed=0).fit(X, epochs=2, batch_size=10, seed=0, verbose=True)
    assert r.p_h(X).shape == (50, 3)


# -- the mask ------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [
    dict(), dict(momentum=0.9), dict(weight_decay=0.01), dict(sparsity_target=0.1, sparsity_cost=1.0),
    dict(persistent=True, k=3)])
def test_mask_holds_in_every_update(options):
    mask = nr.local_mask((4, 4), 6, 2, seed=0)                # each hidden unit sees a 2x2 window of a 4x4 image
    r = RBM(16, 6, mask=mask, seed=0)
    assert np.all(r.W.data[~mask] == 0) and np.any(r.W.data[mask] != 0)
    X = (np.random.default_rng(1).random((64, 16)) < 0.3).astype(np.float32)
    for epoch in range(5):
        r.fit(X, epochs=1, batch_size=8, lr=0.5, seed=epoch, **options)   # 8 updates each
        assert np.all(r.W.data[~mask] == 0)
    assert np.all(r.gradient_estimate(X, seed=0)[0][~mask] == 0)
    assert np.all(exact_gradient(r, X[:4])[0][~mask] == 0)


def test_mask_in_the_exact_checks():
    mask = np.ones((6, 4), bool)
    mask[:3, 0] = False
    r = small_rbm(seed=8, mask=mask)
    E, V, _ = joint_energies(r)
    assert exact_log_partition(r) == pytest.approx(logsumexp(-E.ravel()), abs=1e-10)


# -- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("X, match", [
    (np.full((3, 6), 1.5), r"X must hold .* \[0, 1\], got a value 1.5"),
    (np.full((3, 6), -0.1), r"X must hold .* got a value -0.1"),
    (np.full((3, 6), np.nan), "X must hold finite numbers"),
    (np.zeros((3, 5)), r"X must have 6 columns .* X.shape=\(3, 5\)"),
])
def test_bad_data_raise(X, match):
    with pytest.raises(ValueError, match=match):
        RBM(6, 4).fit(X)


def test_bad_arguments_raise():
    r, X = RBM(6, 4), toy_data(10)
    with pytest.raises(ValueError, match="k must be an integer >= 1, got k=0"):
        r.fit(X, k=0)
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got lr=0"):
        r.fit(X, lr=0)
    with pytest.raises(ValueError, match="lr must be .* got lr=-0.1"):
        r.fit(X, lr=-0.1)
    with pytest.raises(ValueError, match="momentum"):
        r.fit(X, momentum=1.0)
    with pytest.raises(ValueError, match="sparsity_target"):
        r.fit(X, sparsity_target=0.0)
    with pytest.raises(ValueError, match=r"mask must have the shape of W, .* \(6, 4\), got mask.shape=\(4, 6\)"):
        RBM(6, 4, mask=np.ones((4, 6)))
    with pytest.raises(ValueError, match="mask must hold 0/1"):
        RBM(6, 4, mask=np.full((6, 4), 0.5))
    with pytest.raises(ValueError, match="n_hidden must be an integer >= 1"):
        RBM(6, 0)
    with pytest.raises(ValueError, match="H must hold"):
        r.p_v(np.full((2, 4), 2.0))
    with pytest.raises(ValueError, match="V must have 6 columns"):
        r.p_h(np.zeros((2, 7)))
    with pytest.raises(ValueError, match="V must not be empty"):
        r.transform(np.zeros((0, 6)))
    with pytest.raises(TypeError, match="persistent"):
        r.fit(X, persistent="yes")
    with pytest.raises(TypeError, match="seed"):
        RBM(6, 4, seed=1.5)


def test_pseudo_log_likelihood_estimate_is_unbiased():
    # exact: sum_i log P(v_i | v_-i), each term log sigmoid(F(v with bit i flipped) - F(v)), enumerated
    r = small_rbm(seed=9)
    v = all_states(6)[[0b101100]]
    F = r.free_energy(v)[0]
    flips = np.abs(np.eye(6) - v)                             # row i: v with bit i flipped
    exact = np.sum(-np.logaddexp(0, -(r.free_energy(flips) - F)))
    # the estimate draws one bit per row: its mean over 60000 copies of v is exact up to ~ 6 * sd / sqrt(60000)
    est = r.pseudo_log_likelihood(np.tile(v, (60000, 1)), seed=0)
    terms = -np.logaddexp(0, -(r.free_energy(flips) - F))
    tol = 5 * 6 * terms.std() / np.sqrt(60000)
    assert abs(est - exact) < tol, (est, exact, tol)
