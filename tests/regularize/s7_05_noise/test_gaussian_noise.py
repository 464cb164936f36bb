"""nr.GaussianNoise (§7.5): identity in evaluation, N(0, std^2) in training, backward checked with replay."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_layer, replay


def test_identity_in_eval_mode():
    x = np.random.default_rng(0).random((50, 7)).astype(np.float32)
    layer = nr.GaussianNoise(0.5, seed=0).eval()
    out = layer(x)
    np.testing.assert_array_equal(out, x)
    # No draw is made in evaluation: the generator has not moved.
    before = nr.GaussianNoise(0.5, seed=0).rng.bit_generator.state
    assert layer.rng.bit_generator.state == before
    # And in a model: eval() switches the noise off, train() back on.
    model = nr.Sequential(nr.GaussianNoise(0.5), nr.Linear(7, 3), seed=1).eval()
    np.testing.assert_array_equal(model(x), x @ model[1].W.data + model[1].b.data)
    assert not np.array_equal(model.train()(x), model.eval()(x))


def test_statistics_in_train_mode():
    std = 0.3
    x = np.full((400, 250), 0.25, np.float32)        # 100,000 draws
    out = nr.GaussianNoise(std, seed=1).train()(x)
    assert out.dtype == np.float32 and out.shape == x.shape
    z = out.astype(np.float64) - 0.25
    n = z.size
    # mean: standard error std/sqrt(n) = 0.3/316 = 9.5e-4; allow 4 of them.
    assert abs(z.mean()) < 4 * std / np.sqrt(n)
    # variance: standard error of the sample variance is std^2 sqrt(2/n) = 4.0e-4.
    assert abs(z.var() - std ** 2) < 4 * std ** 2 * np.sqrt(2 / n)
    # Gaussian: about 68.3% of the draws within one std (binomial SE 0.0015).
    assert abs(np.mean(np.abs(z) < std) - 0.6827) < 0.006
    # independent of x: the same seed gives the same noise on another input
    out2 = nr.GaussianNoise(std, seed=1).train()(np.zeros_like(x))
    np.testing.assert_allclose(out - x, out2, atol=1e-6)


def test_same_seed_same_noise_and_sequential_reseeds():
    x = np.ones((3, 4), np.float32)
    a = nr.GaussianNoise(0.1, seed=5)(x)
    b = nr.GaussianNoise(0.1, seed=5)(x)
    np.testing.assert_array_equal(a, b)
    m1 = nr.Sequential(nr.GaussianNoise(0.1), nr.Linear(4, 2), seed=3)
    m2 = nr.Sequential(nr.GaussianNoise(0.1), nr.Linear(4, 2), seed=3)
    np.testing.assert_array_equal(m1(x), m2(x))


def test_gradient_check_with_replay():
    # The noise does not depend on x, so dx = dy; with the draws replayed the
    # central difference of sum(r * (x + std z)) is r exactly.
    layer = nr.GaussianNoise(0.7, seed=2).train()
    x = np.random.default_rng(3).standard_normal((6, 5))
    assert check_layer(layer, x) < 1e-8
    # Between layers (hidden-unit noise), the whole model is checked too.
    model = nr.Sequential(nr.Linear(5, 4), nr.Tanh(), nr.GaussianNoise(0.5), nr.Linear(4, 3), seed=0).train()
    y = np.array([0, 1, 2, 1, 0, 2])
    assert nr.gradcheck.check_model(model, nr.SoftmaxCrossEntropy(), x, y) < 1e-7


def test_replay_is_what_makes_the_check_pass():
    # Without rewinding, two forward passes see different noise: the check would fail.
    layer = nr.GaussianNoise(0.7, seed=2).train()
    x = np.zeros((2, 3))
    with replay(layer) as rewind:
        a = layer(x)
        rewind()
        b = layer(x)
        c = layer(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


@pytest.mark.parametrize("std", [-0.1, float("nan"), float("inf")])
def test_bad_std(std):
    with pytest.raises(ValueError, match="std"):
        nr.GaussianNoise(std)
