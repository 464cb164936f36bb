"""§7.9 Parameter sharing: the convolutional layer and its pooling layers.

A convolution applies one kernel ``W[o]`` at every position of the image:
the same parameters are shared by all output units of a feature map, so
the layer has ``out_channels * in_channels * kH * kW (+ out_channels)``
parameters whatever the image size (§7.9, "the most popular and extensive
use of parameter sharing occurs in convolutional neural networks").

Shapes: ``x: (n, C, H, W)``; output ``(n, out_channels, H_out, W_out)`` with

    H_out = (H + 2 * padding - kH) // stride + 1      (and likewise W_out).

Vectorized by im2col in the layout ``cols: (C, kH, kW, n, H_out, W_out)``,
seen as a ``(C kH kW, n H_out W_out)`` matrix: it is filled by one strided
slice copy per kernel offset ``(i, j)`` (``kH * kW`` NumPy calls, whose
innermost run is a row of the image), and then the forward pass and both
gradients are single matrix products (``W @ cols``, ``dy @ cols.T``,
``W.T @ dy``), with no hidden copy of a 6-d window view. Backward (col2im)
and the pooling layers loop over the ``kH * kW`` kernel offsets likewise,
never over pixels or examples. (The first version contracted a
``sliding_window_view`` with ``tensordot``, which copies the 6-d view
element by element, pooled by ``argmax`` over the same view, and computed
``dx`` for a first layer: the LeNet of ``experiments/lenet_vs_mlp.py`` took
23 ms of CPU per forward + backward of 128 images, now 10 ms; one BLAS
thread. ``benchmarks/bench_conv.py`` times it against PyTorch.)
"""
import numpy as np

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


def _offsets(k, stride, out):
    """``((i, j), (rows, cols))`` for every kernel offset: the slices of the input that it meets.

    Offset ``(i, j)`` of window ``(h, w)`` reads input pixel ``(s h + i, s w + j)``, so over all windows it
    reads ``[i : i + s H_out : s, j : j + s W_out : s]``.
    """
    for i in range(k[0]):
        for j in range(k[1]):
            yield (i, j), (slice(i, i + stride[0] * out[0], stride[0]), slice(j, j + stride[1] * out[1], stride[1]))


def _im2col(xt, k, stride, out):
    """``xt: (C, n, H, W)`` -> ``cols: (C, kH, kW, n, H_out, W_out)``, ``cols[c, i, j, a, h, w] = xt[c, a, s h + i, s w + j]``.

    One slice copy per kernel offset; ``cols.reshape(C kH kW, -1)`` is the im2col matrix.
    """
    cols = np.empty(xt.shape[:1] + k + xt.shape[1:2] + out, xt.dtype)
    for (i, j), (rows, columns) in _offsets(k, stride, out):
        cols[:, i, j] = xt[:, :, rows, columns]
    return cols


def _col2im(dcols, shape, stride):
    """Adjoint of :func:`_im2col`: sum ``dcols: (C, kH, kW, n, H_out, W_out)`` into an array of ``shape`` (C, n, H, W).

    One strided ``+=`` per kernel offset ``(i, j)``: ``kH * kW`` NumPy calls.
    """
    dxt = np.zeros(shape, dcols.dtype)
    for (i, j), (rows, columns) in _offsets(dcols.shape[1:3], stride, dcols.shape[4:]):
        dxt[:, :, rows, columns] += dcols[:, i, j]
    return dxt


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
    ``H_out = (H + 2 padding - kH) // stride + 1``. forward keeps the im2col
    matrix ``cols`` (``C kH kW`` times the input's size over ``s^2``);
    backward computes ``dW += dy cols^T``, ``db += sum_{n,h,w} dy`` and
    ``dx`` by col2im of ``W^T dy``; ``backward(dy, input_grad=False)``
    (what ``fit`` runs for a first layer, whose input is data) skips ``dx``,
    as ``Linear`` does.
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
        xt = x.transpose(1, 0, 2, 3)                                          # (C, n, H, W), a view
        if p:
            xt = np.pad(xt, ((0, 0), (0, 0), (p, p), (p, p)))
        self.padded_shape = xt.shape
        self.cols = _im2col(xt, self.kernel_size, self.stride, self.out)    # (C, kH, kW, n, H_out, W_out)
        O, n = self.out_channels, x.shape[0]
        y = self.W.data.reshape(O, -1) @ self.cols.reshape(-1, n * self.out[0] * self.out[1])   # (O, n H_out W_out)
        if self.b is not None:
            y += self.b.data[:, None]
        return np.ascontiguousarray(y.reshape((O, n) + self.out).transpose(1, 0, 2, 3))

    def backward(self, dy, input_grad=True):
        """dy: (n, out_channels, H_out, W_out) -> dx: (n, in_channels, H, W), or None if ``input_grad`` is False."""
        O = self.out_channels
        dyt = np.ascontiguousarray(np.swapaxes(dy, 0, 1)).reshape(O, -1)    # (O, n H_out W_out)
        cols = self.cols.reshape(-1, dyt.shape[1])                          # (C kH kW, n H_out W_out)
        self.W.grad += (dyt @ cols.T).reshape(self.W.grad.shape)
        if self.b is not None:
            self.b.grad += dyt.sum(axis=1)
        if not input_grad:
            return None
        dcols = (self.W.data.reshape(O, -1).T @ dyt).reshape(self.cols.shape)
        dxt = _col2im(dcols, self.padded_shape, self.stride)               # (C, n, H + 2p, W + 2p)
        p = self.padding
        if p:
            dxt = dxt[:, :, p:dxt.shape[2] - p, p:dxt.shape[3] - p]
        return np.ascontiguousarray(dxt.transpose(1, 0, 2, 3))

    def backward_params(self, dy):
        """Backward of a first layer, whose input is data: ``dW`` and ``db`` only (no ``W^T dy``, no col2im)."""
        self.backward(dy, input_grad=False)

    def extra_repr(self):
        return (f"in_channels={self.in_channels}, out_channels={self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.b is not None}")


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None):
        self.kernel_size = _pair("kernel_size", kernel_size)
        self.stride = self.kernel_size if stride is None else _pair("stride", stride)

    def _offsets(self, x):
        """Check ``x``, keep its shape, and return the kernel offsets' slices (see :func:`_offsets`)."""
        x = _check_x(x)
        self.shape = x.shape
        self.out = _out_size(x.shape[2], x.shape[3], self.kernel_size, self.stride)
        return list(_offsets(self.kernel_size, self.stride, self.out))

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """Max pooling over ``kernel_size`` windows (stride defaults to ``kernel_size``), §9.3.

    x: (n, C, H, W) -> (n, C, H_out, W_out), ``H_out = (H - kH) // stride + 1``.
    forward keeps the argmax of each window; backward routes ``dy`` to it
    (on ties, to the first maximum in row-major window order, as
    ``numpy.argmax``; a NaN in a window is its maximum, as in
    ``numpy.argmax`` and ``torch.nn.MaxPool2d``).

    Notes
    -----
    forward runs over the ``kH kW`` kernel offsets: a running maximum of the
    strided slices, then the first offset ``q = i kW + j`` whose slice equals
    it. Only when the input holds a NaN, which a comparison never selects, is
    the argmax taken over a window view (slower). backward adds
    ``dy [arg == q]`` to the slice of offset ``q``, one strided ``+=`` per offset.
    """

    def forward(self, x):
        offsets = self._offsets(x)
        x = np.asarray(x)
        if np.isnan(x).any():                        # rare: the argmax over a window view gives NaN its place
            from numpy.lib.stride_tricks import sliding_window_view
            win = sliding_window_view(x, self.kernel_size, axis=(2, 3))[:, :, ::self.stride[0], ::self.stride[1]]
            flat = win[:, :, :self.out[0], :self.out[1]].reshape(x.shape[:2] + self.out + (-1,))
            self.arg = flat.argmax(axis=-1)
            return np.take_along_axis(flat, self.arg[..., None], axis=-1)[..., 0]
        (_, first), rest = offsets[0], offsets[1:]
        m = x[:, :, first[0], first[1]].copy()
        for _, (rows, columns) in rest:
            np.maximum(m, x[:, :, rows, columns], out=m)
        # arg = the first offset q whose slice equals the maximum: over q from last to first,
        # arg <- arg + [x_q == m] (q - arg), in uint8 arithmetic (modulo 256, exact for q, arg < 256).
        # Arithmetic, not np.where or a boolean mask: those are 10x slower on a random pattern.
        dtype = np.uint8 if len(offsets) <= 256 else np.intp
        self.arg = np.zeros(m.shape, dtype)
        hit, step = np.empty(m.shape, bool), np.empty(m.shape, dtype)
        for q in range(len(offsets) - 1, -1, -1):
            rows, columns = offsets[q][1]
            np.equal(x[:, :, rows, columns], m, out=hit)
            np.subtract(dtype(q), self.arg, out=step)
            step *= hit
            self.arg += step
        return m

    def backward(self, dy):
        dx = np.zeros(self.shape, dy.dtype)
        for q, (_, (rows, columns)) in enumerate(_offsets(self.kernel_size, self.stride, self.out)):
            dx[:, :, rows, columns] += dy * (self.arg == q)
        return dx


class AvgPool2d(_Pool2d):
    """Average pooling over ``kernel_size`` windows (stride defaults to ``kernel_size``), §9.3.

    x: (n, C, H, W) -> (n, C, H_out, W_out); backward spreads ``dy / (kH kW)``
    over each window. forward keeps only the input shape. Both run over the
    ``kH kW`` kernel offsets, one strided slice each.
    """

    def forward(self, x):
        offsets = self._offsets(x)
        x = np.asarray(x)
        (_, first), rest = offsets[0], offsets[1:]
        total = x[:, :, first[0], first[1]].copy()
        for _, (rows, columns) in rest:
            total += x[:, :, rows, columns]
        return total / np.asarray(len(offsets), total.dtype)

    def backward(self, dy):
        d = dy / np.asarray(self.kernel_size[0] * self.kernel_size[1], dy.dtype)
        dx = np.zeros(self.shape, dy.dtype)
        for _, (rows, columns) in _offsets(self.kernel_size, self.stride, self.out):
            dx[:, :, rows, columns] += d
        return dx
