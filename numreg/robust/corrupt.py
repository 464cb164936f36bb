"""Corrupted test images: occlusion, additive noise, salt, a noisy border.

Tang & Eliasmith (2010), cited by the chapter's slides on noise robustness
(§7.5), show that networks trained on clean digits are "not robust to
common variations such as occlusion and random noise" that were never in
the training set. These functions make such test sets, to measure it with
:func:`numreg.robustness`.

Every function

- takes a batch ``X`` of images, ``(n, H, W)``, or flat rows ``(n, H*W)``
  (the geometry is ``image_shape``, or the square ``sqrt(H*W)`` when not
  given), and returns a new array of the same shape and float dtype --
  ``X`` itself is never modified;
- works on the whole batch at once (no Python loop over images or pixels);
- draws from ``numpy.random.default_rng(seed)``: the same seed gives
  bit-identical results, each image getting its own draws;
- takes ``value_range=(lo, hi)``, the pixel range (``(0, 1)`` by default,
  as the data of :mod:`numreg.data`).

A level of 0 (``size=0``, ``std=0``, ``fraction=0``, ``width=0``) returns an
unchanged copy, so a table's first column can be the clean accuracy.

References
----------
Tang & Eliasmith (2010), "Deep networks for robust visual recognition", ICML.
"""
import math

import numpy as np

from ..core import checks

__all__ = ["occlude", "gaussian", "salt", "border", "CORRUPTIONS"]


def occlude(X, size, seed=None, value=None, image_shape=None, value_range=(0.0, 1.0)):
    """Set a random ``size`` x ``size`` square block of each image to ``value`` (occlusion).

    Parameters
    ----------
    X : array_like, (n, H, W) or (n, H*W)
        The images (not modified).
    size : int
        Side of the block in pixels, ``0 <= size <= min(H, W)``.
    seed : int or None, default None
        Seed of the block positions.
    value : float or None, default None
        What the block is filled with; None: the low end of ``value_range``
        (0, the background of a digit).
    image_shape : (int, int) or None, default None
        ``(H, W)`` for flat rows; None: the shape of 3-D ``X``, or a square.
    value_range : (float, float), default (0.0, 1.0)

    Returns
    -------
    ndarray
        A corrupted copy, shape of ``X``.

    Notes
    -----
    The block lies wholly inside the image: its top-left corner is uniform
    over ``{0..H-size} x {0..W-size}``, independently for each image.
    """
    x, img, flat = _images(X, image_shape)
    n, H, W = img.shape
    size = checks.integer("size", size, low=0, high=min(H, W))
    lo, hi = _range(value_range)
    fill = lo if value is None else checks.real("value", value)
    out = img.copy()
    if size == 0 or n == 0:
        return out.reshape(x.shape)
    rng = checks.generator("seed", seed)
    top = rng.integers(0, H - size + 1, n)
    left = rng.integers(0, W - size + 1, n)
    r = np.arange(H)[None, :, None]
    c = np.arange(W)[None, None, :]
    block = ((r >= top[:, None, None]) & (r < top[:, None, None] + size)
             & (c >= left[:, None, None]) & (c < left[:, None, None] + size))
    out[block] = fill
    return out.reshape(x.shape)


def gaussian(X, std, seed=None, image_shape=None, value_range=(0.0, 1.0)):
    """Add ``N(0, std^2)`` noise to every pixel, then clip to ``value_range``.

    Parameters
    ----------
    X : array_like, (n, H, W) or (n, H*W)
        The images (not modified).
    std : float
        Standard deviation of the noise, ``>= 0``, in pixel units.
    seed : int or None, default None
    image_shape : (int, int) or None, default None
        Checked against ``X`` if given (the noise needs no geometry).
    value_range : (float, float), default (0.0, 1.0)
        The result is clipped to it.

    Returns
    -------
    ndarray
        A corrupted copy, shape of ``X``.
    """
    x, img, flat = _images(X, image_shape)
    s = checks.nonnegative("std", std)
    lo, hi = _range(value_range)
    if s == 0:
        return x.copy()
    rng = checks.generator("seed", seed)
    dt = np.float32 if x.dtype == np.float32 else np.float64
    out = rng.standard_normal(x.shape, dtype=dt)
    out *= dt(s)
    out += x
    np.clip(out, lo, hi, out=out)
    return out.astype(x.dtype, copy=False)


def salt(X, fraction, seed=None, image_shape=None, value_range=(0.0, 1.0)):
    """Set ``fraction`` of the pixels of each image, chosen at random, to the maximum ("salt" noise).

    Parameters
    ----------
    X : array_like, (n, H, W) or (n, H*W)
        The images (not modified).
    fraction : float
        In [0, 1]. Each image gets exactly ``round(fraction * H * W)`` salted
        pixels, drawn without replacement (a pixel that is already at the
        maximum stays there).
    seed : int or None, default None
    image_shape : (int, int) or None, default None
    value_range : (float, float), default (0.0, 1.0)
        The salt is its high end.

    Returns
    -------
    ndarray
        A corrupted copy, shape of ``X``.
    """
    x, img, flat = _images(X, image_shape)
    f = checks.probability("fraction", fraction, allow_one=True)
    lo, hi = _range(value_range)
    n = len(x)
    rows = img.reshape(n, -1).copy()
    d = rows.shape[1]
    k = int(round(f * d))
    if k == 0 or n == 0:
        return rows.reshape(x.shape)
    rng = checks.generator("seed", seed)
    # The k smallest of d uniform keys are a uniformly random k-subset of the pixels.
    keys = rng.random((n, d))
    chosen = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < d else np.broadcast_to(np.arange(d), (n, d))
    np.put_along_axis(rows, chosen, hi, axis=1)
    return rows.reshape(x.shape)


def border(X, width, seed=None, image_shape=None, value_range=(0.0, 1.0)):
    """Replace a frame of ``width`` pixels around each image by uniform noise.

    MNIST-like digits sit in the middle of a blank margin: a network trained
    on them has never seen ink there, which makes the frame a clean test of
    noise "not in the training set" (Tang & Eliasmith 2010).

    Parameters
    ----------
    X : array_like, (n, H, W) or (n, H*W)
        The images (not modified).
    width : int
        Thickness of the frame in pixels, ``0 <= width <= min(H, W) // 2``
        (the largest width covers the whole image).
    seed : int or None, default None
    image_shape : (int, int) or None, default None
    value_range : (float, float), default (0.0, 1.0)
        Each frame pixel becomes ``U(lo, hi)``, independently.

    Returns
    -------
    ndarray
        A corrupted copy, shape of ``X``.
    """
    x, img, flat = _images(X, image_shape)
    n, H, W = img.shape
    width = checks.integer("width", width, low=0, high=min(H, W) // 2)
    lo, hi = _range(value_range)
    out = img.copy()
    if width == 0 or n == 0:
        return out.reshape(x.shape)
    r = np.arange(H)[:, None]
    c = np.arange(W)[None, :]
    frame = (r < width) | (r >= H - width) | (c < width) | (c >= W - width)      # (H, W)
    rng = checks.generator("seed", seed)
    noise = rng.uniform(lo, hi, (n, int(frame.sum())))
    out[:, frame] = noise
    return out.reshape(x.shape)


# The corruptions and levels of numreg.robustness's default table, in the
# spirit of Tang & Eliasmith's figures (28x28 digits in [0, 1]).
CORRUPTIONS = {
    "occlude": (occlude, (4, 8, 12)),
    "gaussian": (gaussian, (0.2, 0.4, 0.6)),
    "salt": (salt, (0.05, 0.1, 0.2)),
    "border": (border, (2, 4, 6)),
}


# -- helpers --------------------------------------------------------------------

def _images(X, image_shape):
    """Return ``(x float array as given, x as (n, H, W) view, whether x is flat)``; validate shapes."""
    x = checks.numbers_array("X", X)
    x = checks.float_array("X", x, dtype=None if x.dtype.kind == "f" else np.float32)
    if x.ndim == 3:
        if image_shape is not None and tuple(x.shape[1:]) != checks.image_shape("image_shape", image_shape):
            raise ValueError(f"X of shape {x.shape} does not match image_shape={image_shape!r}")
        return x, x, False
    if x.ndim == 2:
        if image_shape is None:
            side = math.isqrt(x.shape[1])
            if side * side != x.shape[1]:
                raise ValueError(f"flat X of shape {x.shape} is not square: give image_shape=(H, W)")
            H = W = side
        else:
            H, W = checks.image_shape("image_shape", image_shape)
            if H * W != x.shape[1]:
                raise ValueError(f"X of shape {x.shape} does not match image_shape={image_shape!r}: "
                                 f"rows must have H*W = {H * W} values")
        return x, x.reshape(len(x), H, W), True
    raise ValueError(f"X must be images (n, H, W) or flat rows (n, H*W), got X of shape {x.shape}")


def _range(value_range):
    lo, hi = checks.interval("value_range", value_range)
    if lo == hi:
        raise checks.value_error("value_range", "a pair (lo, hi) with lo < hi", value_range)
    return lo, hi
