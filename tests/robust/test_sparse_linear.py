"""nr.SparseLinear and nr.local_mask: absent connections stay absent, gradients checked, local windows."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_layer, check_model


def random_mask(rng, i, o, p=0.3):
    m = rng.random((i, o)) < p
    m[rng.integers(0, i, o), np.arange(o)] = True       # every unit gets an input
    return m


def test_top_level_names():
    from numreg.robust import sparse_connectivity as sc
    assert nr.SparseLinear is sc.SparseLinear and nr.local_mask is sc.local_mask
    assert issubclass(nr.SparseLinear, nr.Linear)


def test_gradient_check_float64():
    rng = np.random.default_rng(0)
    mask = random_mask(rng, 7, 5)
    layer = nr.SparseLinear(7, 5, mask, seed=0)
    x = rng.standard_normal((4, 7))
    assert check_layer(layer, x) < 1e-7
    # as the first layer of a model, through a loss
    model = nr.Sequential(nr.SparseLinear(7, 5, mask), nr.Tanh(), nr.Linear(5, 3), seed=1)
    assert check_model(model, nr.SoftmaxCrossEntropy(), x, np.array([0, 2, 1, 1])) < 1e-7


def test_mask_acts_in_forward_and_backward():
    rng = np.random.default_rng(1)
    mask = random_mask(rng, 6, 4)
    layer = nr.SparseLinear(6, 4, mask, seed=0).astype(np.float64)
    assert np.all(layer.W.data[~mask] == 0)
    x = rng.standard_normal((5, 6))
    y0 = layer(x).copy()
    # Put garbage where there is no connection (as a loaded state or weight noise would):
    layer.W.data[~mask] = 100.0
    np.testing.assert_array_equal(layer(x), y0)          # forward ignores it
    dy = rng.standard_normal((5, 4))
    layer.W.zero_grad()
    dx = layer.backward(dy)
    assert np.all(layer.W.grad[~mask] == 0)              # no gradient for absent weights
    # the present ones get the dense gradient x^T dy; dx uses W * M only
    np.testing.assert_allclose(layer.W.grad[mask], (x.T @ dy)[mask], rtol=1e-12)
    np.testing.assert_allclose(dx, dy @ (layer.W.data * mask).T, rtol=1e-12)
    # small worked case: 2 inputs, 1 unit connected to input 0 only, W = [[2], [5]], b = 1:
    # y = 2 x0 + 1 (the 5 is absent); for x = (3, 4): y = 7; dy = 1 -> dW = [[3], [0]], dx = [[2, 0]]
    s = nr.SparseLinear(2, 1, [[True], [False]]).astype(np.float64)
    s.W.data[:] = [[2.0], [5.0]]
    s.b.data[:] = 1.0
    assert s(np.array([[3.0, 4.0]]))[0, 0] == 7.0
    s.W.zero_grad()
    np.testing.assert_array_equal(s.backward(np.ones((1, 1))), [[2.0, 0.0]])
    np.testing.assert_array_equal(s.W.grad, [[3.0], [0.0]])


def test_full_mask_equals_linear():
    rng = np.random.default_rng(2)
    dense = nr.Linear(5, 3, seed=0).astype(np.float64)
    sparse = nr.SparseLinear(5, 3, np.ones((5, 3), bool)).astype(np.float64)
    sparse.W.data[:] = dense.W.data
    sparse.b.data[:] = dense.b.data
    x, dy = rng.standard_normal((4, 5)), rng.standard_normal((4, 3))
    np.testing.assert_allclose(sparse(x), dense(x), rtol=1e-14)
    np.testing.assert_allclose(sparse.backward(dy), dense.backward(dy), rtol=1e-14)
    np.testing.assert_allclose(sparse.W.grad, dense.W.grad, rtol=1e-14)


def test_backward_params_skips_dx():
    rng = np.random.default_rng(3)
    mask = random_mask(rng, 16, 6)
    model = nr.Sequential(nr.Flatten(), nr.SparseLinear(16, 6, mask), nr.ReLU(), nr.Linear(6, 2), seed=0)
    x = rng.random((8, 4, 4)).astype(np.float32)
    crit = nr.SoftmaxCrossEntropy()
    y = rng.integers(0, 2, 8)
    crit(model(x), y)
    dx = model.backward(crit.backward(), input_grad=True)
    assert dx.shape == x.shape
    full = [p.grad.copy() for p in model.parameters()]
    for p in model.parameters():
        p.zero_grad()
    crit(model(x), y)
    assert model.backward(crit.backward(), input_grad=False) is None
    for g, p in zip(full, model.parameters()):
        np.testing.assert_allclose(p.grad, g, rtol=1e-6)
    assert model[1].backward(np.ones((8, 6), np.float32), input_grad=False) is None


@pytest.mark.parametrize("make_opt", [lambda p: nr.SGD(p, lr=0.1, momentum=0.9),
                                      lambda p: nr.Adam(p, lr=0.01),
                                      lambda p: nr.AdamW(p, lr=0.01, weight_decay=0.1)])
def test_absent_connections_stay_absent_in_training(make_opt):
    rng = np.random.default_rng(4)
    X = rng.random((64, 6, 6)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    mask = nr.local_mask((6, 6), 10, 3, seed=0)
    model = nr.Sequential(nr.Flatten(), nr.SparseLinear(36, 10, mask), nr.ReLU(), nr.Linear(10, 3), seed=0)
    W0 = model[1].W.data.copy()
    nr.fit(model, nr.SoftmaxCrossEntropy(), make_opt(model.parameters()), (X, y), epochs=3, batch_size=16,
           seed=0, verbose=False, weight_noise=nr.WeightNoise(0.01, seed=0))
    W = model[1].W.data
    assert np.all(W[~mask] == 0)
    assert not np.allclose(W[mask], W0[mask])             # the present ones did learn


def test_init_uses_each_units_fan_in():
    # 49 inputs per unit: the pytorch scheme gives U(-1/7, 1/7), as a Linear(49, .) would.
    mask = nr.local_mask((28, 28), 400, 7, seed=0)
    layer = nr.SparseLinear(784, 400, mask, seed=0)
    w = layer.W.data[mask].astype(np.float64)
    assert np.abs(w).max() <= 1 / 7 + 1e-7
    assert abs(w.std() - (1 / 7) / np.sqrt(3)) < 0.002      # uniform: bound / sqrt(3); SE ~ 3e-4
    assert np.abs(layer.b.data).max() <= 1 / 7 + 1e-7
    np.testing.assert_array_equal(layer.fan_in, 49)


def test_sequential_seed_is_deterministic_and_keeps_zeros():
    mask = nr.local_mask((5, 5), 4, 2, seed=1)
    a = nr.Sequential(nr.SparseLinear(25, 4, mask), nr.Linear(4, 2), seed=7)
    b = nr.Sequential(nr.SparseLinear(25, 4, mask), nr.Linear(4, 2), seed=7)
    for (k, v), w in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(v, w)
    assert np.all(a[0].W.data[~mask] == 0)
    assert "connections=16/100" in repr(a[0])


def test_bad_mask():
    with pytest.raises(ValueError, match=r"mask.*\(4, 3\).*mask.shape=\(3, 4\)"):
        nr.SparseLinear(4, 3, np.ones((3, 4), bool))
    m = np.ones((4, 3), bool)
    m[:, 1] = False
    with pytest.raises(ValueError, match="unit 1"):
        nr.SparseLinear(4, 3, m)
    with pytest.raises(ValueError, match="mask"):
        nr.SparseLinear(4, 3, np.full((4, 3), 0.5))
    with pytest.raises(ValueError, match="x.shape"):
        nr.SparseLinear(4, 3, np.ones((4, 3), bool))(np.ones((2, 5)))


# -- local_mask -------------------------------------------------------------------

def test_local_mask_windows():
    H, W, field, n = 10, 8, 3, 500
    m = nr.local_mask((H, W), n, field, seed=0)
    assert m.shape == (H * W, n) and m.dtype == bool
    assert np.all(m.sum(axis=0) == field * field)
    img = m.T.reshape(n, H, W)                              # unit j's receptive field as an image
    rows, cols = img.any(axis=2), img.any(axis=1)
    assert np.all(rows.sum(axis=1) == field) and np.all(cols.sum(axis=1) == field)
    # contiguous: the rows (and columns) it covers are consecutive
    top = np.argmax(rows, axis=1)
    assert np.all(rows[np.arange(n), np.minimum(top + field - 1, H - 1)])
    # pixel (r, c) of the row-major layout is index r * W + c: unit with its window at the top left
    np.testing.assert_array_equal(nr.local_mask((2, 2), 1, 2, seed=0)[:, 0], True)
    np.testing.assert_array_equal(m, nr.local_mask((H, W), n, field, seed=0))
    assert not np.array_equal(m, nr.local_mask((H, W), n, field, seed=1))


def test_local_mask_positions_uniform():
    n = 12000
    m = nr.local_mask((8, 8), n, 3, seed=2)
    img = m.T.reshape(n, 8, 8)
    top = np.argmax(img.any(axis=2), axis=1)
    left = np.argmax(img.any(axis=1), axis=1)
    for pos in (top, left):                               # uniform on {0..5}: chi-square 5 dof, P(>20.5)=0.001
        counts = np.bincount(pos, minlength=6)
        assert np.sum((counts - n / 6) ** 2 / (n / 6)) < 20.5


@pytest.mark.parametrize("args, arg", [
    (((28, 28), 10, 0), "field=0"), (((28, 28), 10, 29), "field=29"), (((28, 28), 0, 5), "out_features=0"),
    (((28,), 10, 5), "image_shape"), (((0, 5), 10, 1), "image_shape"), (((5, 5), 3, 2.0), "field=2.0"),
])
def test_local_mask_bad_input(args, arg):
    with pytest.raises(ValueError, match=arg.replace("(", r"\(")):
        nr.local_mask(*args)
