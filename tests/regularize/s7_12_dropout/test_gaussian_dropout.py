"""§7.12 Gaussian dropout: e ~ N(1, p/(1-p)), its moments, the gradient check with replayed draws, fit."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_layer, check_model


def test_moments_of_the_noise_match_dropout():
    p = 0.3
    g = nr.GaussianDropout(p, seed=0)
    x = np.full((1000, 100), 2.0, np.float32)
    y = g(x)
    assert y.dtype == np.float32
    # E[y] = x = 2; Var[y] = x^2 p/(1-p) = 4 * 0.3/0.7 = 1.714; with 1e5 draws the mean's standard error
    # is sqrt(1.714/1e5) = 0.0041 (5 sigma: 0.021) and the variance's ~ 1.714 * sqrt(2/1e5) = 0.0077
    assert abs(y.mean() - 2.0) < 0.021
    assert abs(y.var() - 4 * 0.3 / 0.7) < 0.04
    assert g.sigma == pytest.approx(np.sqrt(0.3 / 0.7))
    # the same two moments as inverted Bernoulli dropout
    d = nr.Dropout(p, seed=1)(x.astype(np.float64))
    assert abs(d.var() - y.var()) < 0.08


def test_backward_applies_the_same_noise_and_gradient_check():
    g = nr.GaussianDropout(0.5, seed=2)
    x = np.random.default_rng(0).standard_normal((6, 4))
    y = g(x)
    np.testing.assert_allclose(g.backward(np.ones_like(x)), y / x, rtol=1e-12)   # dx = dy * e, e = y / x
    assert check_layer(nr.GaussianDropout(0.5, seed=3), x) < 1e-8


def test_identity_in_evaluation_and_for_p_zero():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    g = nr.GaussianDropout(0.5, seed=0).eval()
    assert g(x) is x and g.backward(x) is x
    assert nr.GaussianDropout(0.0)(x) is x


def test_deterministic_for_a_seed():
    x = np.ones((5, 7), np.float32)
    np.testing.assert_array_equal(nr.GaussianDropout(0.5, seed=4)(x), nr.GaussianDropout(0.5, seed=4)(x))


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5, float("nan")])
def test_bad_p(p):
    with pytest.raises(ValueError, match=f"p={p!r}"):
        nr.GaussianDropout(p)


def test_in_a_sequential_model_check_and_fit():
    rng = np.random.default_rng(0)
    model = nr.Sequential(nr.Linear(6, 8), nr.ReLU(), nr.GaussianDropout(0.5), nr.Linear(8, 3), seed=0)
    x, labels = rng.standard_normal((10, 6)), rng.integers(0, 3, 10)
    assert check_model(model, nr.SoftmaxCrossEntropy(), x, labels) < 1e-7
    model = nr.Sequential(nr.Linear(6, 32), nr.ReLU(), nr.GaussianDropout(0.5), nr.Linear(32, 3), seed=1)
    centers = rng.standard_normal((3, 6)) * 3
    y = rng.integers(0, 3, 600)
    X = (centers[y] + rng.standard_normal((600, 6))).astype(np.float32)
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-2), (X, y),
               epochs=15, batch_size=64, seed=0, verbose=False)
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert nr.evaluate(model, nr.SoftmaxCrossEntropy(), X, y)[1] > 0.9


@pytest.mark.parametrize("p", ["half", None, True])
def test_p_not_a_number(p):
    with pytest.raises(ValueError, match=f"p={p!r}"):
        nr.GaussianDropout(p)
