"""Dataset augmentation (§7.4): geometric transformations of image batches.

"The best way to make a machine learning model generalize better is to train
it on more data" (§7.4). For images, many transformations of the input leave
the class unchanged: a digit translated by a pixel or two, rotated by a few
degrees, scaled or slanted a little is still the same digit. Training on
such transformed copies is a regularizer that builds the invariance into the
model ("translating the training images a few pixels in each direction can
often greatly improve generalization", §7.4). The book warns against
transformations that change the class: rotating a "6" by 180 degrees gives
a "9" and flipping "b" gives "d", so keep the angles small.

``affine`` (from ``numreg.image``, the geometry shared with the data sets)
warps a whole batch in one vectorized pass, each image with its own
parameters.

For training, ``fit(..., augment=...)`` takes a callable ``augment(data) ->
data`` and applies it to every training batch as it is drawn (never to
validation or test data), so each epoch sees new copies:

- ``RandomAffine``: a random rotation, zoom, shift (and optionally shear) per image;
- ``ElasticDistortion``: Simard, Steinkraus & Platt's (2003) smooth random
  displacement fields, the "elastic" deformations of handwriting;
- ``Compose``: several of them in a row, drawing from one generator.

Each accepts a batch ``(n, H, W)`` or flat rows ``(n, H*W)`` (square images,
or ``image_shape=``), keeps its shape and float dtype, and holds its
generator in ``.rng`` so that a checkpoint can save and restore its state.

Which transformations keep the class? For digits: small rotations (up to
about 15-20 degrees), zooms of about 10%, shifts of a few pixels, a slight
slant and mild elastic distortion do. Large rotations do not -- a 6 turned
by 180 degrees is a 9, and a 7 or a 1 turned by 90 degrees is a stroke of
another digit --, nor do mirror flips (b and d, p and q; a mirrored 2, 3, 5
or 7 is no digit at all), which is why nothing here flips. Flips are safe
for most natural photographs and Fashion-MNIST's clothes, not for writing.
The defaults stay inside the safe range for digits.
"""

import numpy as np

from ...core import checks
from ...image import _as_batch, affine, warp  # noqa: F401 (affine: nr.augment.affine, the contract's name)

__all__ = ["affine", "RandomAffine", "ElasticDistortion", "Compose"]

# -- random augmentations for training (§7.4) ---------------------------------------

class RandomAffine:
    """Random rotation, zoom, shift and shear of each image, drawn afresh at every call (§7.4).

    Use it as ``fit(..., augment=RandomAffine(seed=0))``: every training
    batch is warped by :func:`affine` with parameters drawn independently for
    each image, uniformly in the given ranges, as
    ``torchvision.transforms.RandomAffine``.

    Parameters
    ----------
    degrees : float or (float, float), default 15
        Rotation angle in degrees, counter-clockwise as displayed: a number
        ``d >= 0`` means ``U(-d, d)``, a pair ``(lo, hi)`` means ``U(lo, hi)``.
        Keep it small for digits: at 180 degrees a 6 becomes a 9.
    scale : (float, float) or None, default (0.9, 1.1)
        Zoom factor ``U(lo, hi)``, ``0 < lo <= hi``; None: no zoom.
    translate : (float, float) or None, default (0.1, 0.1)
        ``(a, b)``: largest *fractions* of the width and of the height by
        which to shift, as torchvision: ``dx ~ U(-a W, a W)`` pixels to the
        right and ``dy ~ U(-b H, b H)`` pixels down (28x28 images: up to 2.8
        pixels). Each in [0, 1]; None: no shift. Unlike torchvision, the
        shifts are not rounded to whole pixels (the warp is bilinear anyway).
    shear : float or (float, float), default 0
        Horizontal slant in degrees (see :func:`affine`): a number ``s``
        means ``U(-s, s)``, a pair ``U(lo, hi)``; within (-90, 90).
    order : {0, 1}, default 1
        Interpolation, 1 bilinear, 0 nearest.
    seed : int or None, default None
        Seed of ``.rng``.
    image_shape : (int, int) or None, default None
        ``(H, W)`` of flat batches ``(n, H*W)``; None: square images.

    Attributes
    ----------
    rng : numpy.random.Generator
        Every draw comes from it (save ``rng.bit_generator.state`` to resume).

    Notes
    -----
    The defaults -- up to 15 degrees, 10% zoom, 10% shift -- keep a digit
    the same digit; no flip is offered (b/d, and mirrored digits are no
    digits). Per call, the draws are made in this order: angles, scales,
    horizontal shifts, vertical shifts, shears (one vector of ``n`` each),
    so the same seed gives the same warps.

    Examples
    --------
    >>> aug = RandomAffine(degrees=10, seed=0)
    >>> X = np.zeros((5, 28, 28), np.float32)
    >>> aug(X).shape, aug(X.reshape(5, -1)).shape
    ((5, 28, 28), (5, 784))
    """

    def __init__(self, degrees=15, scale=(0.9, 1.1), translate=(0.1, 0.1), shear=0, order=1, seed=None,
                 image_shape=None):
        self.degrees = checks.interval("degrees", degrees, symmetric=True)
        self.scale = (1.0, 1.0) if scale is None else checks.interval("scale", scale)
        if self.scale[0] <= 0:
            raise ValueError(f"scale must be a pair 0 < lo <= hi, got scale={scale!r}")
        if translate is None:
            self.translate = (0.0, 0.0)
        else:
            t = checks.interval("translate", translate)
            if not (0 <= t[0] <= 1 and 0 <= t[1] <= 1):
                raise ValueError(f"translate must be fractions (a, b) in [0, 1], got translate={translate!r}")
            self.translate = t
        self.shear = checks.interval("shear", shear, symmetric=True)
        if max(abs(self.shear[0]), abs(self.shear[1])) >= 90:
            raise ValueError(f"shear must be within (-90, 90) degrees, got shear={shear!r}")
        self.order = checks.integer("order", order, low=0, high=1)   # 0 nearest, 1 bilinear
        self.image_shape = checks.optional(checks.image_shape, "image_shape", image_shape)
        self.rng = checks.generator("seed", seed)

    def sample(self, n, image_shape):
        """Draw the parameters of ``n`` warps: a dict of ``angle``, ``scale`` (n,), ``shift`` (n, 2), ``shear`` (n,)."""
        H, W = image_shape
        rng = self.rng
        angle = rng.uniform(*self.degrees, n)
        scale = rng.uniform(*self.scale, n)
        dx = rng.uniform(-self.translate[0] * W, self.translate[0] * W, n)
        dy = rng.uniform(-self.translate[1] * H, self.translate[1] * H, n)
        shear = rng.uniform(*self.shear, n)
        return {"angle": angle, "scale": scale, "shift": np.stack([dy, dx], axis=1), "shear": shear}

    def __call__(self, data):
        """Warp each image of ``data`` ((n, H, W) or (n, H*W)) by its own random affine map."""
        x, shape = _batch_of_images(data, self.image_shape)
        p = self.sample(len(x), x.shape[1:])
        out = affine(x, order=self.order, **p)
        return out.reshape(shape)

    def generators(self):
        return [self.rng]

    def __repr__(self):
        return (f"RandomAffine(degrees={self.degrees}, scale={self.scale}, translate={self.translate}, "
                f"shear={self.shear}, order={self.order})")


class ElasticDistortion:
    r"""Elastic distortion of Simard, Steinkraus & Platt (2003): a smooth random displacement field (§7.4).

    For each image, two fields of independent ``U(-1, 1)`` values (one for
    the row and one for the column displacement of every pixel) are
    smoothed by a Gaussian of standard deviation ``sigma`` pixels and
    multiplied by ``alpha``; the output pixel ``p`` is then the input
    sampled (bilinearly) at ``p + d(p)``:

    .. math::  d = \alpha\, (G_\sigma * u), \qquad u \sim U(-1, 1)^{2 \times H \times W},
               \qquad \mathrm{out}(p) = \mathrm{in}(p + d(p)).

    With a small ``sigma`` the field is nearly random noise and scrambles
    the image; with a large one it is nearly constant, a mere shift; in
    between it bends strokes the way hands do. Simard et al. found
    ``sigma = 4``, ``alpha = 34`` best on MNIST, the defaults here; a much
    larger ``alpha`` can break strokes apart and change a digit's class.

    Parameters
    ----------
    alpha : float, default 34.0
        Scale of the displacements, in pixels, >= 0.
    sigma : float, default 4.0
        Standard deviation of the Gaussian smoothing, in pixels, >= 0
        (0: no smoothing).
    seed : int or None, default None
        Seed of ``.rng``.
    order : {0, 1}, default 1
        Interpolation, 1 bilinear, 0 nearest.
    image_shape : (int, int) or None, default None
        ``(H, W)`` of flat batches ``(n, H*W)``; None: square images.
    truncate : float, default 4.0
        The Gaussian kernel is cut at ``truncate * sigma`` pixels (as
        ``scipy.ndimage.gaussian_filter``).

    Attributes
    ----------
    rng : numpy.random.Generator

    Notes
    -----
    The smoothing of the whole batch of fields is separable and done by two
    batched matrix products, ``G_H @ u @ G_W^T``, with the banded matrices
    ``G[i, j] = g(i - j)`` of the normalized, truncated 1-D Gaussian ``g``:
    outside the image the field counts as 0, which equals
    ``scipy.ndimage.gaussian_filter(u, sigma, mode='constant')``. No loop
    over images.

    References
    ----------
    Simard, Steinkraus & Platt (2003), "Best practices for convolutional
    neural networks applied to visual document analysis", ICDAR.
    """

    def __init__(self, alpha=34.0, sigma=4.0, seed=None, order=1, image_shape=None, truncate=4.0):
        self.alpha = checks.nonnegative("alpha", alpha)
        self.sigma = checks.nonnegative("sigma", sigma)
        self.truncate = checks.nonnegative("truncate", truncate)
        self.order = checks.integer("order", order, low=0, high=1)   # 0 nearest, 1 bilinear
        self.image_shape = checks.optional(checks.image_shape, "image_shape", image_shape)
        self.rng = checks.generator("seed", seed)
        self._kernels = {}

    def smoothing_matrix(self, size):
        """The ``(size, size)`` matrix ``G`` that smooths one axis: ``G[i, j] = g(i - j)``."""
        if size not in self._kernels:
            if self.sigma == 0:
                G = np.eye(size)
            else:
                radius = int(self.truncate * self.sigma + 0.5)
                k = np.arange(-radius, radius + 1)
                g = np.exp(-0.5 * (k / self.sigma) ** 2)
                g /= g.sum()
                diff = np.arange(size)[:, None] - np.arange(size)[None, :]
                G = np.where(np.abs(diff) <= radius, g[np.clip(diff + radius, 0, 2 * radius)], 0.0)
            self._kernels[size] = G
        return self._kernels[size]

    def displacement(self, n, image_shape, dtype=np.float32):
        """Draw ``n`` displacement fields: shape ``(n, 2, H, W)``, (row, column) offsets in pixels."""
        H, W = image_shape
        dtype = np.float32 if np.dtype(dtype) == np.float32 else np.float64
        u = self.rng.random((n * 2 * H, W), dtype=dtype)           # U(-1, 1) = 2 U(0, 1) - 1
        u *= 2
        u -= 1
        GWt = (self.smoothing_matrix(W).T * self.alpha).astype(dtype)
        GH = self.smoothing_matrix(H).astype(dtype)
        # Two large matrix products instead of 2n small ones: along the rows of
        # every field at once, then along the columns with the fields side by side.
        v = (u @ GWt).reshape(n * 2, H, W)
        v = (GH @ v.transpose(1, 0, 2).reshape(H, n * 2 * W)).reshape(H, n * 2, W)
        return np.ascontiguousarray(v.transpose(1, 0, 2)).reshape(n, 2, H, W)

    def __call__(self, data):
        """Distort each image of ``data`` ((n, H, W) or (n, H*W)) by its own random field."""
        x, shape = _batch_of_images(data, self.image_shape)
        n, H, W = x.shape
        d = self.displacement(n, (H, W), x.dtype)
        eye = np.broadcast_to(np.eye(2), (n, 2, 2))
        out = warp(x, eye, np.zeros((n, 2)), (H, W), order=self.order, displacement=d)
        return out.reshape(shape)

    def generators(self):
        return [self.rng]

    def __repr__(self):
        return f"ElasticDistortion(alpha={self.alpha}, sigma={self.sigma}, order={self.order})"


class Compose:
    """Apply several augmentations in a row, all drawing from one generator.

    Parameters
    ----------
    *transforms : callable
        Each ``t(data) -> data`` (``RandomAffine``, ``ElasticDistortion``,
        ``nr.GaussianNoise`` in training mode, any function); applied in
        order. A single list or tuple of them is accepted too, as
        ``torchvision.transforms.Compose([...])``.
    seed : int or None, default None
        Seed of the shared generator. The children that hold a generator
        (an ``rng`` attribute) are re-pointed to ``self.rng``, so the whole
        pipeline's random state is ``self.rng`` alone -- one object for a
        checkpoint to save. With ``seed=None`` the shared generator is the
        first child's own (so ``Compose(RandomAffine(seed=1), ...)`` is
        reproducible from that seed).

    Attributes
    ----------
    transforms : list
    rng : numpy.random.Generator

    Examples
    --------
    >>> aug = Compose(RandomAffine(degrees=10), ElasticDistortion(34, 4), seed=0)
    >>> aug.transforms[0].rng is aug.rng is aug.transforms[1].rng
    True
    """

    def __init__(self, *transforms, seed=None):
        if len(transforms) == 1 and isinstance(transforms[0], (list, tuple)):
            transforms = tuple(transforms[0])
        for i, t in enumerate(transforms):
            if not callable(t):
                raise ValueError(f"transforms must be callables data -> data, got transform {i}: {t!r}")
        self.transforms = list(transforms)
        gens = [t.rng for t in self.transforms if isinstance(getattr(t, "rng", None), np.random.Generator)]
        if seed is not None or not gens:
            self.rng = checks.generator("seed", seed)
        else:
            self.rng = gens[0]
        for t in self.transforms:
            if isinstance(getattr(t, "rng", None), np.random.Generator):
                t.rng = self.rng

    def __call__(self, data):
        for t in self.transforms:
            data = t(data)
        return data

    def generators(self):
        return [self.rng]

    def __repr__(self):
        inner = ",\n".join(f"    {t!r}" for t in self.transforms)
        return f"Compose(\n{inner}\n)"


def _batch_of_images(data, image_shape):
    """``(data as (n, H, W) float, shape to give back)``; flat rows need ``image_shape`` or a square."""
    x = checks.numbers_array("data", data)
    if x.ndim == 2 and image_shape is None:
        side = int(np.sqrt(x.shape[1]) + 0.5)
        if side * side != x.shape[1]:
            raise ValueError(f"data of shape {x.shape} holds flat images that are not square: give image_shape=(H, W)")
        image_shape = (side, side)
    b, _ = _as_batch(x, image_shape, "data")
    return b, x.shape


