"""Dropout: keep rate, preserved mean, the mask in backward, identity in evaluation."""
import numpy as np
import pytest

import numreg as nr


def test_keep_rate_and_scale():
    d = nr.Dropout(0.3, seed=0)
    y = d(np.ones((1000, 100), np.float32))
    kept = y != 0
    # 100,000 Bernoulli(0.7) draws: standard error sqrt(0.7*0.3/1e5) = 0.00145; 5 sigma = 0.0073
    assert abs(kept.mean() - 0.7) < 0.0073
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)


def test_mean_is_preserved():
    x = np.random.default_rng(0).random((2000, 50)).astype(np.float32)
    y = nr.Dropout(0.5, seed=1)(x)
    # E[y] = x; the mean of 100,000 entries has std ~ sqrt(Var)/316: about 0.002 here
    assert abs(y.mean() - x.mean()) < 0.01


def test_backward_applies_the_same_mask():
    d = nr.Dropout(0.5, seed=2)
    y = d(np.ones((20, 30), np.float32))
    dx = d.backward(np.ones((20, 30), np.float32))
    np.testing.assert_array_equal(dx, y)  # both are m / (1 - p)


def test_identity_in_evaluation_mode():
    d = nr.Dropout(0.5, seed=0).eval()
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert d(x) is x
    assert d.backward(x) is x


def test_same_seed_same_mask_and_p_zero():
    x = np.ones((5, 7), np.float32)
    np.testing.assert_array_equal(nr.Dropout(0.5, seed=4)(x), nr.Dropout(0.5, seed=4)(x))
    np.testing.assert_array_equal(nr.Dropout(0.0)(x), x)


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_bad_p(p):
    with pytest.raises(ValueError, match=f"p={p!r}"):
        nr.Dropout(p)


def test_gaussian_noise_statistics_and_eval_identity():
    g = nr.GaussianNoise(0.5, seed=0)
    x = np.zeros((1000, 100), np.float32)
    z = g(x)
    assert z.dtype == np.float32
    assert abs(z.mean()) < 0.01 and abs(z.std() - 0.5) < 0.01
    assert g.eval()(x) is x
    with pytest.raises(ValueError, match="std=-1"):
        nr.GaussianNoise(-1)
