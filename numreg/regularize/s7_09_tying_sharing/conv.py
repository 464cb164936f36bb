"""§7.9 Parameter sharing: the convolutional layer and its pooling layers.

A convolution applies one kernel ``W[o]`` at every position of the image:
the same parameters are shared by all output units of a feature map, so
the layer has ``out_channels * in_channels * kH * kW (+ out_channels)``
parameters whatever the image size (§7.9, "the most popular and extensive
use of parameter sharing occurs in convolutional neural networks").

Shapes: ``x: (n, C, H, W)``; output ``(n, out_channels, H_out, W_out)`` with

    H_out = (H + 2 * padding - kH) // stride + 1      (and likewise W_out).

Vectorized by im2col: ``numpy.lib.stride_tricks.sliding_window_view``
gives every window of the padded input without a copy and one
``tensordot`` contracts it with the kernels. Backward (col2im) loops over
the ``kH * kW`` kernel offsets only, never over pixels or examples.
"""
import numpy as np

from numpy.lib.stride_tricks import sliding_window_view

from ...core import checks
from ...core.module import Module
from ...core.parameter import Parameter


def _pair(name, v):
    """``v`` (int or pair of ints) as a tuple of two positive ints, else ValueError naming ``name``."""
    if np.ndim(v) == 0 and not isinstance(v, (str, bytes)):
        return (checks.count(name, v),) * 2
    a, b = checks.pair(name, v, "a positive integer or a pair of them")
    return checks.count(f"{name}[0]", a), checks.count(f"{name}[1]", b)


def _check_x(x, channels=None):
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have rank 4, (n, C, H, W), got x.shape={x.shape}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"x has {x.shape[1]} channels, in_channels={channels}; x.shape={x.shape}")
    return x


def _out_size(H, W, k, stride, padding=0):
    """(H_out, W_out) = ((H + 2p - kH) // s + 1, ...); ValueError if the kernel exceeds the padded input."""
    if H + 2 * padding < k[0] or W + 2 * padding < k[1]:
        raise ValueError(f"kernel_size={k} is larger than the padded input ({H + 2 * padding}, {W + 2 * padding}) "
                         f"(input (H, W)=({H}, {W}), padding={padding})")
    return (H + 2 * padding - k[0]) // stride[0] + 1, (W + 2 * padding - k[1]) // stride[1] + 1


def _windows(x, k, stride, out):
    """All windows of ``x: (n, C, H, W)``: a view ``(n, C, H_out, W_out, kH, kW)``."""
    v = sliding_window_view(x, k, axis=(2, 3))[:, :, ::stride[0], ::stride[1]]
    return v[:, :, :out[0], :out[1]]


def _col2im(dwin, shape, stride):
    """Adjoint of :func:`_windows`: sum ``dwin: (n, C, H_out, W_out, kH, kW)`` back into ``shape``.

    One strided ``+=`` per kernel offset ``(i, j)``: ``kH * kW`` NumPy calls.
    """
    dx = np.zeros(shape, dwin.dtype)
    _, _, Ho, Wo, kH, kW = dwin.shape
    for i in range(kH):
        for j in range(kW):
            dx[:, :, i:i + stride[0] * Ho:stride[0], j:j + stride[1] * Wo:stride[1]] += dwin[..., i, j]
    return dx


class Conv2d(Module):
    """2-D convolution (cross-correlation, as ``torch.nn.Conv2d``): parameter sharing, §7.9.

    ``y[n, o, h, w] = b[o] + sum_{c,i,j} W[o, c, i, j] * xp[n, c, s*h + i, s*w + j]``
    with ``xp`` the input zero-padded by ``padding`` on each side.

    Parameters
    ----------
    in_channels : int
        ``C`` of the input ``x: (n, C, H, W)``.
    out_channels : int
        Number of kernels (feature maps).
    kernel_size : int or (int, int)
        ``(kH, kW)``.
    stride : int or (int, int), default 1
    padding : int, default 0
        Zeros added on each side of ``H`` and ``W``.
    bias : bool, default True
    seed : int or None, default None
        Seed of the initial draw; ``Sequential(..., seed=s)`` re-draws via ``reset_parameters``.
    dtype : dtype, default float32

    Attributes
    ----------
    W : Parameter, (out_channels, in_channels, kH, kW), ``regularized=True``
    b : Parameter, (out_channels,), ``regularized=False``, or None.

    Notes
    -----
    Init as PyTorch's default: ``W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))``
    with ``fan_in = in_channels * kH * kW``. Output size
    ``H_out = (H + 2 padding - kH) // stride + 1``. forward keeps the padded
    input (its windows are a view of it); backward computes
    ``dW += sum_{n,h,w} dy * windows``, ``db += sum_{n,h,w} dy`` and ``dx`` by col2im.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, seed=None,
                 dtype=np.float32):
        self.in_channels = checks.count("in_channels", in_channels)
        self.out_channels = checks.count("out_channels", out_channels)
        self.kernel_size = _pair("kernel_size", kernel_size)
        self.stride = _pair("stride", stride)
        self.padding = checks.integer("padding", padding, low=0)
        dtype = checks.float_dtype("dtype", dtype)
        bias = checks.flag("bias", bias)
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        checks.allocation("in_channels * out_channels * kernel_size", (in_channels, out_channels, kernel_size),
                          *shape, itemsize=dtype.itemsize)
        self.W = Parameter(np.zeros(shape, dtype), "W", regularized=True)
        self.b = Parameter(np.zeros(self.out_channels, dtype), "b", regularized=False) if bias else None
        self.reset_parameters(checks.generator("seed", seed))

    def reset_parameters(self, rng):
        """Re-draw ``W`` and ``b`` in place from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``, fan_in = C*kH*kW."""
        bound = 1.0 / np.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
        self.W.data[...] = rng.uniform(-bound, bound, self.W.data.shape)
        if self.b is not None:
            self.b.data[...] = rng.uniform(-bound, bound, self.out_channels)

    def parameters(self):
        return [self.W] if self.b is None else [self.W, self.b]

    def forward(self, x):
        """x: (n, in_channels, H, W) -> y: (n, out_channels, H_out, W_out)."""
        x = _check_x(x, self.in_channels)
        p = self.padding
        self.out = _out_size(x.shape[2], x.shape[3], self.kernel_size, self.stride, p)
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
        win = _windows(self.xp, self.kernel_size, self.stride, self.out)
        y = np.tensordot(win, self.W.data, axes=([1, 4, 5], [1, 2, 3]))   # (n, H_out, W_out, O)
        if self.b is not None:
            y += self.b.data
        return np.ascontiguousarray(y.transpose(0, 3, 1, 2))

    def backward(self, dy):
        """dy: (n, out_channels, H_out, W_out) -> dx: (n, in_channels, H, W)."""
        win = _windows(self.xp, self.kernel_size, self.stride, self.out)
        self.W.grad += np.tensordot(dy, win, axes=([0, 2, 3], [0, 2, 3]))
        if self.b is not None:
            self.b.grad += dy.sum(axis=(0, 2, 3))
        dwin = np.tensordot(self.W.data, dy, axes=([0], [1]))             # (C, kH, kW, n, H_out, W_out)
        dxp = _col2im(dwin.transpose(3, 0, 4, 5, 1, 2), self.xp.shape, self.stride)
        p = self.padding
        return dxp[:, :, p:dxp.shape[2] - p, p:dxp.shape[3] - p] if p else dxp

    def extra_repr(self):
        return (f"in_channels={self.in_channels}, out_channels={self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.b is not None}")


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None):
        self.kernel_size = _pair("kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else _pair("stride", stride)

    def _win(self, x):
        x = _check_x(x)
        self.shape = x.shape
        self.out = _out_size(x.shape[2], x.shape[3], self.kernel_size, self.stride)
        return _windows(x, self.kernel_size, self.stride, self.out)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """Max pooling over ``kernel_size`` windows (stride defaults to ``kernel_size``), §9.3.

    x: (n, C, H, W) -> (n, C, H_out, W_out), ``H_out = (H - kH) // stride + 1``.
    forward keeps the argmax of each window; backward routes ``dy`` to it
    (on ties, to the first maximum in row-major window order, as
    ``numpy.argmax``), one strided ``+=`` per kernel offset.
    """

    def forward(self, x):
        win = self._win(x)
        flat = win.reshape(win.shape[:4] + (-1,))
        self.arg = flat.argmax(axis=-1)
        return np.take_along_axis(flat, self.arg[..., None], axis=-1)[..., 0]

    def backward(self, dy):
        kH, kW = self.kernel_size
        dwin = np.zeros(dy.shape + (kH * kW,), dy.dtype)
        np.put_along_axis(dwin, self.arg[..., None], dy[..., None], axis=-1)
        return _col2im(dwin.reshape(dy.shape + (kH, kW)), self.shape, self.stride)


class AvgPool2d(_Pool2d):
    """Average pooling over ``kernel_size`` windows (stride defaults to ``kernel_size``), §9.3.

    x: (n, C, H, W) -> (n, C, H_out, W_out); backward spreads ``dy / (kH kW)``
    over each window. forward keeps only the input shape.
    """

    def forward(self, x):
        return self._win(x).mean(axis=(4, 5))

    def backward(self, dy):
        kH, kW = self.kernel_size
        d = (dy / (kH * kW))[..., None, None]
        return _col2im(np.broadcast_to(d, dy.shape + (kH, kW)), self.shape, self.stride)
