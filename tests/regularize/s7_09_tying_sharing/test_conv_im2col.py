"""§7.9 Conv2d / MaxPool2d / AvgPool2d after the im2col rewrite: the same results as the first version.

The reference here is the first implementation (a ``sliding_window_view`` of the padded input contracted
with ``tensordot``; max-pooling by ``argmax`` over the window view): forward values and every gradient
must agree, for strides, paddings, overlapping windows, ties and NaN.
"""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import numreg as nr


def windows(x, k, s, out):
    return sliding_window_view(x, k, axis=(2, 3))[:, :, ::s[0], ::s[1]][:, :, :out[0], :out[1]]


def col2im(dwin, shape, s):
    dx = np.zeros(shape, dwin.dtype)
    _, _, Ho, Wo, kH, kW = dwin.shape
    for i in range(kH):
        for j in range(kW):
            dx[:, :, i:i + s[0] * Ho:s[0], j:j + s[1] * Wo:s[1]] += dwin[..., i, j]
    return dx


def reference_conv(x, W, b, dy, s, p):
    """The first version's forward and backward: y, dx, dW, db."""
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    k = W.shape[2:]
    out = ((xp.shape[2] - k[0]) // s[0] + 1, (xp.shape[3] - k[1]) // s[1] + 1)
    win = windows(xp, k, s, out)
    y = (np.tensordot(win, W, axes=([1, 4, 5], [1, 2, 3])) + b).transpose(0, 3, 1, 2)
    dW = np.tensordot(dy, win, axes=([0, 2, 3], [0, 2, 3]))
    dwin = np.tensordot(W, dy, axes=([0], [1])).transpose(3, 0, 4, 5, 1, 2)
    dxp = col2im(dwin, xp.shape, s)
    return y, dxp[:, :, p:xp.shape[2] - p, p:xp.shape[3] - p], dW, dy.sum(axis=(0, 2, 3))


def reference_maxpool(x, dy, k, s):
    out = ((x.shape[2] - k[0]) // s[0] + 1, (x.shape[3] - k[1]) // s[1] + 1)
    flat = windows(x, k, s, out).reshape(x.shape[:2] + out + (-1,))
    arg = flat.argmax(axis=-1)
    dwin = np.zeros(dy.shape + (k[0] * k[1],), dy.dtype)
    np.put_along_axis(dwin, arg[..., None], dy[..., None], axis=-1)
    return flat.max(axis=-1), col2im(dwin.reshape(dy.shape + k), x.shape, s)


@pytest.mark.parametrize("C,O,k,s,p,shape", [(1, 6, (5, 5), (1, 1), 0, (28, 28)), (6, 16, (5, 5), (1, 1), 0, (12, 12)),
                                             (3, 4, (3, 2), (2, 1), 1, (9, 8)), (2, 5, (1, 1), (3, 2), 2, (7, 6)),
                                             (2, 3, (4, 3), (3, 3), 0, (11, 10))])
def test_conv_matches_first_version(C, O, k, s, p, shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, C) + shape)
    c = nr.Conv2d(C, O, k, stride=s, padding=p, seed=1, dtype=np.float64)
    y = c(x)
    dy = rng.normal(size=y.shape)
    dx = c.backward(dy)
    y_ref, dx_ref, dW_ref, db_ref = reference_conv(x, c.W.data, c.b.data, dy, s, p)
    assert y.shape == y_ref.shape and dx.shape == x.shape
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c.W.grad, dW_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c.b.grad, db_ref, rtol=1e-12, atol=1e-12)
    assert y.flags.c_contiguous and dx.flags.c_contiguous


def test_conv_float32_and_no_bias():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 2, 10, 10)).astype(np.float32)
    c = nr.Conv2d(2, 3, 3, padding=1, bias=False, seed=0)
    y = c(x)
    dx = c.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == c.W.grad.dtype == np.float32
    y_ref, dx_ref, dW_ref, _ = reference_conv(x.astype(np.float64), c.W.data.astype(np.float64), 0.0,
                                              np.ones(y.shape), (1, 1), 1)
    np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c.W.grad, dW_ref, rtol=1e-5, atol=1e-4)


def test_conv_input_not_changed_and_grads_accumulate():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2, 6, 6))
    x0 = x.copy()
    c = nr.Conv2d(2, 2, 3, seed=0, dtype=np.float64)
    dy = rng.normal(size=(2, 2, 4, 4))
    c(x)
    c.backward(dy)
    once = c.W.grad.copy()
    c(x)
    c.backward(dy)
    np.testing.assert_allclose(c.W.grad, 2 * once)
    np.testing.assert_array_equal(x, x0)


@pytest.mark.parametrize("k,s", [((2, 2), (2, 2)), ((3, 3), (2, 2)), ((3, 2), (1, 2)), ((2, 2), (3, 3))])
@pytest.mark.parametrize("integers", [False, True])          # small integers: many ties
def test_maxpool_matches_first_version(k, s, integers):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, size=(3, 2, 9, 8)).astype(np.float64) if integers else rng.normal(size=(3, 2, 9, 8))
    m = nr.MaxPool2d(k, stride=s)
    y = m(x)
    dy = rng.normal(size=y.shape)
    y_ref, dx_ref = reference_maxpool(x, dy, k, s)
    np.testing.assert_array_equal(y, y_ref)
    np.testing.assert_allclose(m.backward(dy), dx_ref, rtol=1e-12, atol=1e-12)


def test_maxpool_nan_is_the_maximum_as_argmax():
    x = np.arange(32, dtype=np.float64).reshape(1, 2, 4, 4)
    x[0, 0, 1, 0] = np.nan              # second row of the first window
    x[0, 1, 3, 3] = np.nan              # last pixel of the last window
    m = nr.MaxPool2d(2)
    with pytest.raises(ValueError, match="x must hold finite numbers"):
        m(x)                            # the layer's call refuses NaN input (the validation layer) ...
    y = m.forward(x)                    # ... its unchecked inner step still propagates NaN as argmax would
    dy = np.arange(8, dtype=np.float64).reshape(1, 2, 2, 2) + 1
    y_ref, dx_ref = reference_maxpool(x, dy, (2, 2), (2, 2))
    np.testing.assert_array_equal(y, y_ref)
    assert np.isnan(y[0, 0, 0, 0]) and np.isnan(y[0, 1, 1, 1]) and y[0, 0, 0, 1] == 7
    np.testing.assert_array_equal(m.backward(dy), dx_ref)


@pytest.mark.parametrize("k,s", [((2, 2), (2, 2)), ((3, 3), (2, 2)), ((3, 2), (1, 2))])
def test_avgpool_matches_window_mean(k, s):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 9, 8))
    a = nr.AvgPool2d(k, stride=s)
    y = a(x)
    out = y.shape[2:]
    np.testing.assert_allclose(y, windows(x, k, s, out).mean(axis=(4, 5)), rtol=1e-12)
    dy = rng.normal(size=y.shape)
    dwin = np.broadcast_to((dy / (k[0] * k[1]))[..., None, None], dy.shape + k)
    np.testing.assert_allclose(a.backward(dy), col2im(dwin, x.shape, s), rtol=1e-12, atol=1e-12)
    assert a(x.astype(np.float32)).dtype == np.float32


def test_first_layer_skips_dx_with_the_same_parameter_gradients():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(5, 1, 8, 8)), rng.integers(0, 3, 5)
    grads = []
    for input_grad in (True, False):
        m = nr.Sequential(nr.Conv2d(1, 2, 3), nr.ReLU(), nr.MaxPool2d(2), nr.Flatten(), nr.Linear(18, 3), seed=0)
        m.astype(np.float64)
        crit = nr.SoftmaxCrossEntropy()
        crit(m(x), y)
        dx = m.backward(crit.backward(), input_grad=input_grad)
        assert (dx is None) == (not input_grad)
        grads.append([p.grad.copy() for p in m.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)
