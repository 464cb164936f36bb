"""§7.9 Conv2d / MaxPool2d / AvgPool2d: forward against naive loops, float64 gradient checks."""
import numpy as np
import pytest

import numreg as nr


def naive_conv(x, W, b, s, p):
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    n, C, H, Wd = x.shape
    O, _, kH, kW = W.shape
    Ho, Wo = (H - kH) // s + 1, (Wd - kW) // s + 1
    y = np.zeros((n, O, Ho, Wo))
    for a in range(n):
        for o in range(O):
            for h in range(Ho):
                for w in range(Wo):
                    y[a, o, h, w] = b[o] + np.sum(W[o] * x[a, :, s * h:s * h + kH, s * w:s * w + kW])
    return y


@pytest.mark.parametrize("k,s,p", [(3, 1, 0), (3, 2, 1), (2, 2, 0), (1, 1, 2), (5, 3, 2)])
def test_forward_matches_loops(k, s, p):
    x = np.random.default_rng(0).normal(size=(2, 3, 7, 8))
    c = nr.Conv2d(3, 4, k, stride=s, padding=p, seed=1, dtype=np.float64)
    np.testing.assert_allclose(c(x), naive_conv(x, c.W.data, c.b.data, s, p), rtol=1e-12, atol=1e-12)


def test_pool_forward_matches_loops():
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 7))
    ym, ya = nr.MaxPool2d(3, stride=2)(x), nr.AvgPool2d(3, stride=2)(x)
    assert ym.shape == ya.shape == (2, 3, 2, 3)          # (6-3)//2+1 = 2, (7-3)//2+1 = 3
    for h in range(2):
        for w in range(3):
            patch = x[:, :, 2 * h:2 * h + 3, 2 * w:2 * w + 3]
            np.testing.assert_allclose(ym[:, :, h, w], patch.max(axis=(2, 3)))
            np.testing.assert_allclose(ya[:, :, h, w], patch.mean(axis=(2, 3)))


@pytest.mark.parametrize("layer", [lambda: nr.Conv2d(2, 3, 3, stride=2, padding=1, seed=0),
                                   lambda: nr.MaxPool2d(2), lambda: nr.AvgPool2d(3, stride=2)])
def test_gradcheck_layers(layer):
    x = np.random.default_rng(1).normal(size=(2, 2, 7, 7))   # continuous: no ties in max-pool
    assert nr.gradcheck.check_layer(layer(), x) < 1e-7


def test_maxpool_ties_go_to_first_max():
    m = nr.MaxPool2d(2)
    m(np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(m.backward(np.ones((1, 1, 1, 1)))[0, 0], [[1, 0], [0, 0]])


def make_net(seed=0):
    return nr.Sequential(nr.Conv2d(1, 4, 3, padding=1), nr.ReLU(), nr.MaxPool2d(2), nr.Flatten(),
                         nr.Linear(4 * 4 * 4, 3), seed=seed)


def test_model_gradcheck_and_fit():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(8, 1, 8, 8)), rng.integers(0, 3, 8)
    assert nr.gradcheck.check_model(make_net(), nr.SoftmaxCrossEntropy(), X, y) < 1e-6
    m = make_net()
    assert m[0].W.data.size + m[0].b.data.size == 4 * 1 * 3 * 3 + 4   # 40: shared over all 64 positions
    Xf = X.astype(np.float32)
    crit = nr.SoftmaxCrossEntropy()
    before = crit.forward(m(Xf), y)
    nr.fit(m, crit, nr.Adam(m.parameters(), lr=0.01), (Xf, y), epochs=20, batch_size=8, verbose=False, seed=0)
    assert crit.forward(m(Xf), y) < 0.5 * before
    np.testing.assert_array_equal(make_net(5)[0].W.data, make_net(5)[0].W.data)


def test_bad_input():
    c = nr.Conv2d(2, 3, 3)
    with pytest.raises(ValueError, match="rank 4"):
        c(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="in_channels=2"):
        c(np.zeros((1, 3, 5, 5)))
    with pytest.raises(ValueError, match="kernel_size"):
        c(np.zeros((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="stride=0"):
        nr.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match="padding=-1"):
        nr.Conv2d(1, 1, 3, padding=-1)
    with pytest.raises(ValueError, match="stride=-2"):
        nr.MaxPool2d(2, stride=-2)
