"""Image geometry: affine warps of whole batches, in one vectorized pass.

``affine`` rotates, zooms, shifts and shears each image of a batch with its
own parameters, by inverse mapping and interpolation (``order=0`` nearest,
``order=1`` bilinear); ``warp`` is the general pass behind it (any per-image
matrix, or a per-pixel displacement field). Used by the data sets (the
embedded font digits vary their glyphs with it), by the augmentations of
§7.4 (``numreg.regularize.s7_04_augmentation.augment``) and by anything else that moves pixels;
it imports nothing else of numreg.
"""

import numpy as np

from .core import checks

__all__ = ["affine", "warp", "inverse_matrix"]

# Images processed per block: keeps the index and weight arrays in cache-sized
# pieces (about 50,000 output pixels per block).
_BLOCK = 64


def affine(images, angle=0, scale=1, shift=(0, 0), shear=0, order=1, image_shape=None):
    r"""Warp a batch of images by affine maps, one map per image, in one pass.

    The content of each image is sheared, then scaled, then rotated about the
    image centre, then shifted. Output pixels whose source lies outside the
    image are 0 (the image is treated as surrounded by zeros).

    Conventions (rows go down, columns go right, as ``matplotlib.pyplot.imshow``
    shows an array, row 0 at the top); the centre is ``((H-1)/2, (W-1)/2)``:

    - ``angle``: degrees, **counter-clockwise as displayed**. For a square
      image ``affine(img, angle=90)`` equals ``np.rot90(img)``.
    - ``scale``: ``scale > 1`` enlarges the content about the centre,
      ``scale < 1`` shrinks it.
    - ``shear``: degrees, a horizontal slant like italic type: a point ``h``
      pixels above the centre moves ``h * tan(shear)`` pixels to the right
      (and a point below moves left), rows keep their height. Positive
      ``shear`` leans upright strokes forward (to the right at the top).
    - ``shift = (dy, dx)``: moves the content ``dy`` pixels down and ``dx``
      pixels right. An integer shift equals ``np.roll`` with the wrapped-in
      pixels set to 0.

    In formulas, with ``p = (row, col)``, ``c`` the centre and ``t`` the
    shift, the content at input position ``p`` is moved to

    .. math::  p' = R(\theta)\, s\, K(\phi)\, (p - c) + c + t,

    .. math::  R(\theta) = \begin{pmatrix}\cos\theta & -\sin\theta\\
               \sin\theta & \cos\theta\end{pmatrix},\quad
               K(\phi) = \begin{pmatrix}1 & 0\\ -\tan\phi & 1\end{pmatrix}

    and each output pixel ``p'`` is sampled from the input at
    ``p = (R s K)^{-1} (p' - c - t) + c``.

    Parameters
    ----------
    images : ndarray, shape (n, H, W), or (n, H*W) with ``image_shape``
        The batch. The float dtype is kept (float32 stays float32, float64
        stays float64; float16 is computed in float32); other dtypes (e.g.
        uint8) give float32.
    angle : float or array_like of shape (n,), default 0
        Rotation in degrees, counter-clockwise as displayed.
    scale : float or array_like of shape (n,), default 1
        Zoom factor about the centre, > 0.
    shift : pair of floats or array_like of shape (n, 2), default (0, 0)
        ``(dy, dx)`` in pixels: down and right. A length-2 sequence is one
        shift for every image (even when ``n == 2``); give an ``(n, 2)``
        array for one shift per image.
    shear : float or array_like of shape (n,), default 0
        Slant in degrees, in (-90, 90), as described above.
    order : {0, 1}, default 1
        Interpolation: 1 bilinear, 0 nearest neighbour (ties at exactly
        half a pixel go to the larger index).
    image_shape : (int, int) or None, default None
        ``(H, W)``: required when ``images`` is flat, ``(n, H*W)``, as the
        rows of a design matrix; the result then is flat too. With 3-D
        ``images`` it is optional and must match.

    Returns
    -------
    ndarray
        The warped batch, with the shape of ``images`` and its float dtype.

    Raises
    ------
    ValueError
        If ``images`` has the wrong rank or does not match ``image_shape``, a
        per-image parameter does not have length ``n``, ``scale`` is not
        positive, a parameter is not finite, ``shear`` is not in (-90, 90),
        or ``order`` is not 0 or 1. The message names the argument and value.

    Notes
    -----
    Bilinear sampling with zeros outside equals
    ``scipy.ndimage.affine_transform(img, A, offset, order=1,
    mode='grid-constant', cval=0)`` with ``A = (R s K)^{-1}`` and
    ``offset = c - A (c + t)``, up to float rounding. scipy's
    ``mode='constant'`` differs only for output pixels whose source lies
    less than one pixel outside the image: it gives them ``cval`` instead of
    blending the edge pixel with the zeros beyond it.

    The work is vectorized over the whole batch: for each output pixel the
    source position is computed from the per-image inverse map, turned into
    the flat indices of its (up to) four neighbours in a zero-padded copy of
    the batch and their bilinear weights, and the values are gathered with
    ``np.take``.

    Examples
    --------
    >>> img = np.zeros((1, 5, 5), np.float32); img[0, 0, 4] = 1   # top right
    >>> out = affine(img, angle=90)                 # counter-clockwise
    >>> np.argwhere(out[0] == 1).tolist()           # now at the top left
    [[0, 0]]
    >>> float(affine(img, shift=(1, -2))[0, 1, 2])  # 1 down, 2 left
    1.0
    """
    in_dtype = checks.numbers_array("images", images).dtype
    x, flat_shape = _as_batch(images, image_shape)
    n, H, W = x.shape
    order = checks.integer("order", order, low=0, high=1)
    shift = _shift(shift, n)

    A = inverse_matrix(angle, scale, shear, n)                 # (n, 2, 2)
    centre = np.array([(H - 1) / 2.0, (W - 1) / 2.0])
    # Source position p = A (p' - c - t) + c = A p' + offset.
    offset = centre - np.einsum("nij,nj->ni", A, centre + shift)
    out = _warp(x, A, offset, (H, W), order=order)
    if in_dtype.kind == "f" and out.dtype != in_dtype:     # float16: computed in float32
        out = out.astype(in_dtype)
    return out.reshape(flat_shape) if flat_shape is not None else out


def inverse_matrix(angle, scale, shear, n):
    """``(R(angle) * scale * K(shear))^{-1}`` for each image: shape (n, 2, 2), float64.

    Angles that are exact multiples of 90 degrees get exact 0 / +-1 sines
    and cosines, so ``angle=90`` reproduces ``np.rot90`` bit for bit.

    Parameters
    ----------
    angle : float or array of n floats
        Rotation in degrees, counter-clockwise.
    scale : float or array of n floats
        Zoom factor, > 0.
    shear : float or array of n floats
        Shear angle in degrees, in (-90, 90).
    n : int
        Number of images (>= 1).
    """
    n = checks.count("n", n, low=0)
    checks.allocation("n", n, n, 2, 2)
    angle = np.broadcast_to(_per_image("angle", angle, n), (n,))
    scale = np.broadcast_to(_per_image("scale", scale, n), (n,))
    shear = np.broadcast_to(_per_image("shear", shear, n), (n,))
    if np.any(scale <= 0):
        raise ValueError(f"scale must be > 0, got scale={float(scale[scale <= 0][0]):g}")
    if np.any(np.abs(shear) >= 90):
        raise ValueError(f"shear must be in (-90, 90) degrees, got shear={float(shear[np.abs(shear) >= 90][0]):g}")
    cos, sin = _cos_sin_deg(angle)
    t = np.tan(np.deg2rad(shear))
    A = np.empty((n, 2, 2))
    # R^{-1} = [[cos, sin], [-sin, cos]]; K^{-1} = [[1, 0], [t, 1]]; A = K^{-1} R^{-1} / s.
    A[:, 0, 0] = cos
    A[:, 0, 1] = sin
    A[:, 1, 0] = t * cos - sin
    A[:, 1, 1] = cos + t * sin
    A /= scale[:, None, None]
    return A


def _cos_sin_deg(angle):
    rad = np.deg2rad(angle)
    cos, sin = np.cos(rad), np.sin(rad)
    quarter = np.remainder(angle, 90.0) == 0
    if np.any(quarter):
        k = np.remainder(np.round(angle / 90.0), 4).astype(np.intp)
        cos = np.where(quarter, np.array([1.0, 0.0, -1.0, 0.0])[k], cos)
        sin = np.where(quarter, np.array([0.0, 1.0, 0.0, -1.0])[k], sin)
    return cos, sin


def warp(src, A, offset, out_shape, order=1, src_index=None, displacement=None):
    """Sample ``src`` at affine-mapped positions: the engine behind ``affine``.

    Output pixel ``(i, r, c)`` is ``src[src_index[i]]`` sampled at position
    ``A[i] @ (r, c) + offset[i]`` (plus ``displacement[i, :, r, c]`` if
    given), with zeros outside the source image.

    Parameters
    ----------
    src : ndarray, shape (m, Hs, Ws)
        Source images, float.
    A : ndarray, shape (n, 2, 2)
        Per-output-image matrices from output (row, col) to source (row, col).
    offset : ndarray, shape (n, 2)
        Per-output-image translations, in source pixels.
    out_shape : (int, int)
        ``(Ho, Wo)`` of the output images.
    order : {0, 1}, default 1
        1 bilinear, 0 nearest.
    src_index : ndarray of int, shape (n,), or None, default None
        Which source image each output image samples; None means
        ``arange(n)`` (requires ``m == n``). Lets many outputs share a few
        templates without copying them.
    displacement : ndarray, shape (n, 2, Ho, Wo), or None, default None
        An extra per-pixel offset (row, col) added to the source positions,
        e.g. a smooth random field for elastic distortions.

    Returns
    -------
    ndarray, shape (n, Ho, Wo), dtype of ``src``
    """
    src = checks.float_array("src", src, ndim=3, allow_empty=True)
    A = checks.float_array("A", A, ndim=3, allow_empty=True)
    n = len(A)
    if A.shape[1:] != (2, 2):
        raise ValueError(f"A must have shape (n, 2, 2), got A.shape={A.shape}")
    if src_index is None and len(src) != n:
        raise ValueError(f"src holds {len(src)} images and A {n} matrices: give src_index, got src_index=None")
    offset = checks.float_array("offset", offset, ndim=2, allow_empty=True)
    if offset.shape != (n, 2):
        raise ValueError(f"offset must have shape (n, 2) = ({n}, 2), got offset.shape={offset.shape}")
    out_shape = checks.image_shape("out_shape", out_shape)
    order = checks.integer("order", order, low=0, high=1)
    if src_index is not None:
        src_index = checks.labels("src_index", src_index, n, len(src))
    if displacement is not None:
        displacement = checks.float_array("displacement", displacement, ndim=4)
        if displacement.shape != (n, 2) + out_shape:
            raise ValueError(f"displacement must have shape {(n, 2) + out_shape}, "
                             f"got displacement.shape={displacement.shape}")
    return _warp(src, A, offset, out_shape, order, src_index, displacement)


def _warp(src, A, offset, out_shape, order=1, src_index=None, displacement=None):
    """:func:`warp` of checked arguments."""
    m, Hs, Ws = src.shape
    n = len(A)
    Ho, Wo = out_shape
    dtype = src.dtype
    Hp, Wp = Hs + 2, Ws + 2
    # Zero border of one pixel: every neighbour index that falls outside the
    # image lands on a zero, so no masks are needed.
    padded = np.zeros((m, Hp, Wp), dtype)
    padded[:, 1:-1, 1:-1] = src
    flat = padded.reshape(-1)
    if src_index is None:
        src_index = np.arange(n)
    src_index = np.asarray(src_index, np.intp)
    A = np.asarray(A, dtype)
    offset = np.asarray(offset, dtype)
    rows = np.arange(Ho, dtype=dtype)[None, :, None]
    cols = np.arange(Wo, dtype=dtype)[None, None, :]
    out = np.empty((n, Ho, Wo), dtype)
    # Flat index of the padded pixel (0, 0) of each source image: source
    # position (r, c) is then at first[i] + r * Wp + c.
    first = src_index * (Hp * Wp) + (Wp + 1)
    for start in range(0, n, _BLOCK):
        sl = slice(start, start + _BLOCK)
        a = A[sl]
        o = offset[sl]
        y = a[:, 0, 0, None, None] * rows + a[:, 0, 1, None, None] * cols + o[:, 0, None, None]
        x = a[:, 1, 0, None, None] * rows + a[:, 1, 1, None, None] * cols + o[:, 1, None, None]
        if displacement is not None:
            y += displacement[sl, 0]
            x += displacement[sl, 1]
        if order == 0:
            y += 0.5
            x += 0.5
        # Clamp to [-1, H]: beyond that every neighbour is a zero of the border.
        np.clip(y, -1, Hs, out=y)
        np.clip(x, -1, Ws, out=x)
        y0 = np.floor(y)
        x0 = np.floor(x)
        if order == 0:
            # Nearest: floor(position + 0.5), any value in [-1, H] is a valid padded row.
            y0 *= Wp
            y0 += x0
            idx = y0.astype(np.intp)
            idx += first[sl, None, None]
            np.take(flat, idx, out=out[sl])
            continue
        np.minimum(y0, Hs - 1, out=y0)
        np.minimum(x0, Ws - 1, out=x0)
        y -= y0                                   # the weights wy, wx in [0, 1]
        x -= x0
        y0 *= Wp                                  # row * Wp + col, exact in float
        y0 += x0
        idx = y0.astype(np.intp)
        idx += first[sl, None, None]
        # The four neighbours, blended in place:
        # top = v00 + wx (v01 - v00), bottom = v10 + wx (v11 - v10),
        # out = top + wy (bottom - top).
        top = flat.take(idx)
        idx += 1
        top_right = flat.take(idx)
        idx += Wp
        bottom = flat.take(idx)                   # v11 for now
        idx -= 1
        bottom_left = flat.take(idx)
        top_right -= top
        top_right *= x
        top += top_right
        bottom -= bottom_left
        bottom *= x
        bottom += bottom_left
        bottom -= top
        bottom *= y
        bottom += top
        out[sl] = bottom
    return out


def _as_batch(images, image_shape, name="images"):
    """Return ``(x as (n, H, W) float array, shape to restore or None)``; errors name ``name``."""
    x = checks.numbers_array(name, images)
    x = checks.float_array(name, x, allow_empty=True,
                           dtype=np.float32 if x.dtype.kind != "f" or x.dtype.itemsize < 4 else None)
    if image_shape is not None:
        H, W = checks.image_shape("image_shape", image_shape)
        if x.ndim == 2:
            if x.shape[1] != H * W:
                raise ValueError(f"{name} of shape {x.shape} does not match image_shape={image_shape!r}: "
                                 f"rows must have H*W = {H * W} values")
            return x.reshape(len(x), H, W), x.shape
        if x.ndim == 3 and x.shape[1:] != (H, W):
            raise ValueError(f"{name} of shape {x.shape} does not match image_shape={image_shape!r}")
    if x.ndim != 3:
        raise ValueError(f"{name} must have shape (n, H, W), or (n, H*W) with image_shape, "
                         f"got {name} of shape {x.shape}")
    return x, None


def _per_image(name, value, n):
    """A scalar, or an array of one value per image, as float64; checks length and finiteness."""
    v = checks.float_array(name, value, ndim=(0, 1), dtype=np.float64, allow_empty=True)
    if v.ndim == 1 and len(v) != n:
        raise ValueError(f"{name} must have one value per image ({n}), got {len(v)} values")
    return v


def _shift(shift, n):
    s = checks.float_array("shift", shift, ndim=(1, 2), dtype=np.float64, allow_empty=True)
    if s.shape == (2,):
        s = np.broadcast_to(s, (n, 2))
    elif s.shape != (n, 2):
        raise ValueError(f"shift must be a pair (dy, dx) or an array of shape (n, 2) = ({n}, 2), "
                         f"got shift of shape {s.shape}")
    return s
