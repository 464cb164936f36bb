"""Dropout as an ensemble (§7.12): weight scaling is the exact renormalized geometric mean over all masks
for softmax regression with dropout on its input; Monte-Carlo averages converge to the ensemble means."""
import itertools

import numpy as np
import pytest

import numreg as nr


def softmax_regression(d, k, p, seed=0):
    """P(y | v; mu) = softmax(W^T (mu * v / (1-p)) + b): dropout on the input of one Linear."""
    return nr.Sequential(nr.Dropout(p), nr.Linear(d, k), seed=seed).astype(np.float64)


def all_masks(d):
    return np.array(list(itertools.product([0, 1], repeat=d)), dtype=np.float64)  # (2^d, d)


def ensemble_over_all_masks(model, X, p):
    """Both ensemble means by enumeration, written independently of the library.

    Mask mu has probability prod (1-p)^mu_i p^(1-mu_i); the kept inputs are scaled by 1/(1-p).
    """
    lin = model[1]
    M = all_masks(X.shape[1])
    weight = np.prod(np.where(M == 1, 1 - p, p), axis=1)  # p(mu); uniform 2^-d when p = 0.5
    Z = np.einsum("md,nd,dk->mnk", M / (1 - p), X, lin.W.data) + lin.b.data  # logits per mask
    logp = Z - Z.max(axis=2, keepdims=True)
    logp -= np.log(np.exp(logp).sum(axis=2, keepdims=True))
    arithmetic = np.einsum("m,mnk->nk", weight, np.exp(logp))
    g = np.exp(np.einsum("m,mnk->nk", weight, logp))  # prod_mu p(y|x,mu)^p(mu)
    geometric = g / g.sum(axis=1, keepdims=True)  # renormalized
    return arithmetic, geometric


@pytest.mark.parametrize("p", [0.5, 0.2])
def test_weight_scaling_is_the_exact_geometric_mean_over_all_masks(p):
    d, k = 6, 4
    model = softmax_regression(d, k, p)
    X = np.random.default_rng(1).standard_normal((7, d)) * 2
    arithmetic, geometric = ensemble_over_all_masks(model, X, p)
    scaled = nr.softmax(nr.predict(model, X))  # model.eval(): the weight-scaling rule
    np.testing.assert_allclose(geometric, scaled, rtol=1e-12, atol=1e-15)
    # the arithmetic mean over the same masks is a different distribution: the test can fail
    assert np.abs(arithmetic - scaled).max() > 1e-2


class MaskCycler:
    """Stands in for a Dropout layer's generator: draw s (per forward pass) keeps mask s of all_masks(d),
    the same for every example. With p = 0.5 the 2^d masks are equally likely, so 2^d samples are the
    whole ensemble, each mask once."""

    def __init__(self, d):
        self.masks = all_masks(d)
        self.calls = 0

    def random(self, shape, dtype=np.float64):
        keep = self.masks[self.calls % len(self.masks)]
        self.calls += 1
        return np.broadcast_to(np.where(keep == 1, 0.25, 0.75), shape).astype(dtype)  # kept where u < 0.5


def test_mc_dropout_predict_over_every_mask_is_exact():
    d, k = 5, 3
    model = softmax_regression(d, k, 0.5)
    X = np.random.default_rng(2).standard_normal((9, d))
    stub = MaskCycler(d)
    model[0].rng = stub
    geo = nr.mc_dropout_predict(model, X, samples=2 ** d, mean="geometric")
    assert stub.calls == 2 ** d
    np.testing.assert_allclose(geo, nr.softmax(nr.predict(model, X)), rtol=1e-12, atol=1e-15)
    model[0].rng = MaskCycler(d)
    ari = nr.mc_dropout_predict(model, X, samples=2 ** d, mean="arithmetic")
    np.testing.assert_allclose(ari, ensemble_over_all_masks(model, X, 0.5)[0], rtol=1e-12)


def test_sampled_geometric_mean_is_unbiased_in_the_logits_with_variance_over_samples():
    # With S random masks, the geometric mean is softmax of the mean logits; logit differences
    # z_j - z_0 average S draws whose variance is sum_i x_i^2 (W_ij - W_i0)^2 p/(1-p)
    # (the scaled mask m/(1-p), m ~ Bernoulli(1-p), has variance p/(1-p)).
    d, k, p, S = 20, 3, 0.5, 50
    model = softmax_regression(d, k, p, seed=3)
    X = np.random.default_rng(4).standard_normal((400, d))
    geo = nr.mc_dropout_predict(model, X, samples=S, mean="geometric", seed=0)
    exact = nr.predict(model, X)
    W = model[1].W.data
    mc_diff = np.log(geo[:, 1:]) - np.log(geo[:, :1])
    ex_diff = exact[:, 1:] - exact[:, :1]
    var = (X ** 2) @ ((W[:, 1:] - W[:, :1]) ** 2) * p / (1 - p)
    z = (mc_diff - ex_diff) / np.sqrt(var / S)
    # 800 z-scores (2 per example, correlated within an example: at least 400 independent ones)
    assert abs(z.mean()) < 5 / np.sqrt(400)
    assert 0.85 < z.std() < 1.15
    # and the error shrinks like 1/sqrt(S): 4x the samples, half the error
    geo4 = nr.mc_dropout_predict(model, X, samples=4 * S, mean="geometric", seed=1)
    rms = lambda g: np.sqrt(np.mean((np.log(g[:, 1:]) - np.log(g[:, :1]) - ex_diff) ** 2))
    assert 0.4 < rms(geo4) / rms(geo) < 0.6


def test_sampled_arithmetic_mean_converges_to_the_ensemble():
    d, k, p = 6, 3, 0.5
    model = softmax_regression(d, k, p, seed=5)
    X = np.random.default_rng(6).standard_normal((50, d)) * 2
    exact, _ = ensemble_over_all_masks(model, X, p)
    S = 2000
    mc = nr.mc_dropout_predict(model, X, samples=S, mean="arithmetic", seed=0)
    # each probability is a mean of S draws in [0, 1]: standard error at most 0.5/sqrt(S) = 0.011
    assert np.abs(mc - exact).max() < 5 * 0.5 / np.sqrt(S)
    assert np.abs(mc - exact).mean() < 0.01


def test_modes_generators_and_determinism():
    model = nr.Sequential(nr.Flatten(), nr.GaussianNoise(1.0), nr.Linear(4, 6), nr.ReLU(), nr.Dropout(0.5),
                          nr.Linear(6, 3), seed=0)
    X = np.random.default_rng(0).random((10, 2, 2)).astype(np.float32)
    state = model[4].rng.bit_generator.state
    model.train()
    a = nr.mc_dropout_predict(model, X, samples=8, seed=3)
    b = nr.mc_dropout_predict(model, X, samples=8, seed=3)
    np.testing.assert_array_equal(a, b)
    assert model.training and model[1].training  # modes restored
    assert model[4].rng.bit_generator.state == state  # with a seed, the layer's generator is untouched
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-12)
    # GaussianNoise stays off: without dropout, every sample is the evaluation-mode output
    plain = nr.Sequential(nr.Flatten(), nr.GaussianNoise(1.0), nr.Linear(4, 3), seed=0)
    np.testing.assert_allclose(nr.mc_dropout_predict(plain, X, samples=3, mean="geometric"),
                               nr.softmax(nr.predict(plain, X).astype(np.float64)), rtol=1e-6)


def test_bad_input():
    model = softmax_regression(3, 2, 0.5)
    X = np.zeros((2, 3))
    with pytest.raises(ValueError, match="samples=0"):
        nr.mc_dropout_predict(model, X, samples=0)
    with pytest.raises(ValueError, match="mean='harmonic'"):
        nr.mc_dropout_predict(model, X, samples=2, mean="harmonic")
    with pytest.raises(ValueError, match="X.shape"):
        nr.mc_dropout_predict(model, np.zeros(3), samples=2)
