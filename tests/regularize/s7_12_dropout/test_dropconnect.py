"""§7.12 DropConnect: masks on the weights, their moments, float64 gradient checks with replayed draws, fit."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_layer, check_model, replay


def layer(p=0.5, per_example=False, seed=0, dtype=np.float64, **kw):
    return nr.DropConnect(p, 5, 3, per_example=per_example, seed=seed, dtype=dtype, **kw)


@pytest.mark.parametrize("per_example", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_gradient_check_with_replayed_masks(per_example, bias):
    x = np.random.default_rng(1).standard_normal((4, 5))
    dc = layer(0.4, per_example, bias=bias)
    assert check_layer(dc, x) < 1e-7


class MaskLeftOutOfBackward(nr.DropConnect):
    """A wrong backward: dW = x^T dy, as if the weights had not been masked."""

    def backward(self, dy, input_grad=True):
        self.W.grad += self.x.T @ dy
        self.b.grad += dy.sum(axis=0)
        return dy @ (self.W.data * self.mask).T


def test_gradient_check_catches_a_backward_without_the_mask():
    x = np.random.default_rng(1).standard_normal((4, 5))
    # dW without the mask differs from the true (x^T dy) * M/(1-p) in every dropped entry
    # (true 0, wrong x^T dy) and by a factor 2 = 1/(1-p) in every kept one: error ~1
    assert check_layer(MaskLeftOutOfBackward(0.5, 5, 3, seed=0, dtype=np.float64), x) > 0.1


def test_backward_by_hand_one_mask_per_batch():
    dc = layer(0.5, seed=3)
    x = np.random.default_rng(0).standard_normal((6, 5))
    dy = np.random.default_rng(1).standard_normal((6, 3))
    y = dc(x)
    S = dc.mask                                         # entries 0 or 1/(1-p) = 2
    assert set(np.unique(S)) <= {0.0, 2.0}
    np.testing.assert_allclose(y, x @ (dc.W.data * S) + dc.b.data, rtol=1e-12)
    dx = dc.backward(dy)
    np.testing.assert_allclose(dc.W.grad, (x.T @ dy) * S, rtol=1e-12)
    np.testing.assert_allclose(dx, dy @ (dc.W.data * S).T, rtol=1e-12)
    np.testing.assert_allclose(dc.b.grad, dy.sum(axis=0), rtol=1e-12)


def test_per_example_masks_match_a_loop_over_examples():
    dc = layer(0.3, per_example=True, seed=2)
    x = np.random.default_rng(0).standard_normal((4, 5))
    y = dc(x)
    assert dc.mask.shape == (4, 5, 3)
    for i in range(4):     # the reference: each example through its own masked weights
        np.testing.assert_allclose(y[i], x[i] @ (dc.W.data * dc.mask[i]) + dc.b.data, rtol=1e-12)
    assert not np.array_equal(dc.mask[0], dc.mask[1])   # 15 Bernoulli(0.7) each: equal w.p. ~1e-4


def test_keep_fraction_within_standard_errors():
    dc = nr.DropConnect(0.3, 200, 500, seed=0)           # float32: bits, as Dropout
    dc(np.ones((2, 200), np.float32))
    kept = dc.mask != 0
    # 100,000 Bernoulli(0.7): standard error sqrt(0.7 * 0.3 / 1e5) = 0.00145; 5 sigma = 0.0073
    assert abs(kept.mean() - 0.7) < 0.0073
    np.testing.assert_allclose(dc.mask[kept], 1 / 0.7, rtol=1e-6)


def test_mean_and_variance_of_the_output_match_the_formula():
    p, n = 0.5, 40000
    dc = layer(p, per_example=True, seed=5)
    x1 = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    y = dc(np.tile(x1, (n, 1)))                         # n independent masks, the same input
    W = dc.W.data
    mean = x1 @ W + dc.b.data
    var = p / (1 - p) * (x1 ** 2) @ (W ** 2)            # sum_i x_i^2 W_ij^2 * p/(1-p)
    se_mean = np.sqrt(var / n)                          # standard error of the sample mean
    assert np.all(np.abs(y.mean(axis=0) - mean) < 5 * se_mean)
    # the sample variance of n draws has relative standard error about sqrt(2/n) (x kurtosis): 1% here
    np.testing.assert_allclose(y.var(axis=0), var, rtol=0.05)


def test_evaluation_uses_the_mean_weights_and_p_zero_is_linear():
    dc = layer(0.5, seed=0).eval()
    x = np.random.default_rng(0).standard_normal((3, 5))
    np.testing.assert_array_equal(dc(x), x @ dc.W.data + dc.b.data)
    assert dc.mask is None
    plain = layer(0.0, seed=0)
    np.testing.assert_array_equal(plain(x), x @ plain.W.data + plain.b.data)


def test_same_seed_same_mask_and_replay():
    x = np.ones((2, 5))
    a, b = layer(0.5, seed=7), layer(0.5, seed=7)
    np.testing.assert_array_equal(a(x), b(x))
    with replay(a) as rewind:
        first = a(x)
        rewind()
        np.testing.assert_array_equal(a(x), first)
    # leaving the block rewinds once more (the draws are replayed, not consumed): the next call
    # repeats the first mask, and the one after it draws a new one
    np.testing.assert_array_equal(a(x), first)
    m = a.mask.copy()
    a(x)
    assert not np.array_equal(a.mask, m)                # 15 Bernoulli(0.5): equal w.p. 2^-15


def test_wraps_an_existing_linear_sharing_its_parameters():
    lin = nr.Linear(5, 3, seed=0)
    dc = nr.DropConnect(0.5, linear=lin)
    assert dc.W is lin.W and dc.b is lin.b and dc.in_features == 5


@pytest.mark.parametrize("kwargs,match", [
    (dict(p=1.0, in_features=2, out_features=2), "p=1.0"),
    (dict(p=-0.1, in_features=2, out_features=2), "p=-0.1"),
    (dict(p=0.5), "in_features=None"),
    (dict(p=0.5, in_features=0, out_features=2), "in_features=0"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nr.DropConnect(**kwargs)


def test_bad_input_shape_names_x():
    with pytest.raises(ValueError, match=r"x.shape=\(2, 4\)"):
        layer()(np.ones((2, 4)))


def test_in_a_sequential_the_model_check_and_fit():
    model = nr.Sequential(nr.DropConnect(0.3, 6, 8), nr.Tanh(), nr.DropConnect(0.3, 8, 3, per_example=True), seed=0)
    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((10, 6)), rng.integers(0, 3, 10)
    assert check_model(model, nr.SoftmaxCrossEntropy(), x, labels) < 1e-7
    # fit: three separable blobs; the training loss must fall well below log 3 = 1.10
    model = nr.Sequential(nr.DropConnect(0.5, 6, 32), nr.ReLU(), nr.DropConnect(0.5, 32, 3), seed=1)
    centers = rng.standard_normal((3, 6)) * 3
    y = rng.integers(0, 3, 600)
    X = (centers[y] + rng.standard_normal((600, 6))).astype(np.float32)
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), lr=1e-2), (X, y),
               epochs=15, batch_size=64, seed=0, verbose=False)
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert nr.evaluate(model, nr.SoftmaxCrossEntropy(), X, y)[1] > 0.9


def test_one_mask_per_batch_has_the_same_moments_across_batches():
    p, calls = 0.5, 4000
    dc = layer(p, seed=9)
    x1 = np.array([[1.0, -2.0, 0.5, 3.0, -1.0]])
    y = np.concatenate([dc(x1) for _ in range(calls)])   # one new (5, 3) mask per call
    mean = x1[0] @ dc.W.data + dc.b.data
    var = p / (1 - p) * (x1[0] ** 2) @ (dc.W.data ** 2)
    assert np.all(np.abs(y.mean(axis=0) - mean) < 5 * np.sqrt(var / calls))
    np.testing.assert_allclose(y.var(axis=0), var, rtol=0.15)   # 4000 draws: relative s.e. ~ 3-4 %


def test_sequential_seed_redraws_weights_and_masks_deterministically():
    def make():
        return nr.Sequential(nr.DropConnect(0.5, 4, 6), nr.ReLU(), nr.DropConnect(0.5, 6, 2), seed=3)
    a, b = make(), make()
    x = np.ones((3, 4), np.float32)
    np.testing.assert_array_equal(a(x), b(x))
    np.testing.assert_array_equal(a[0].W.data, b[0].W.data)
    assert a[0].rng is not a[2].rng and len(a.generators()) == 2
