r"""Tangent vectors of images under small transformations (§7.14; Simard et al. 1992, 1993).

A transformation ``s(x, alpha)`` of an image with one parameter ``alpha``
(``s(x, 0) = x``) traces a curve through image space; its tangent at
``alpha = 0`` is the tangent vector ``v = ds/d alpha``, the direction the
image moves in under an infinitesimal version of the transformation (the
book's ``v^(i)`` of Eq. 7.67, "the local manifold tangent vectors").

For a warp that moves the content at position ``p`` to ``p + alpha u(p)``
(a flow field ``u``), the warped image is ``I(p - alpha u(p)) + O(alpha^2)``,
hence

.. math::  v(p) = -\nabla I(p) \cdot u(p),

with ``p = (row, col)`` relative to the centre ``c`` (``(r, k) = p - c``) and,
in the conventions of :func:`numreg.image.affine` (rows go down, angles
counter-clockwise as displayed):

==============  =====================  =================================  ===========
name            parameter (unit)       flow ``u(p)`` (row, col)            tangent
==============  =====================  =================================  ===========
translate_x     shift right (pixel)    ``(0, 1)``                          ``-I_col``
translate_y     shift down (pixel)     ``(1, 0)``                          ``-I_row``
rotate          angle (radian)         ``(-k, r)``                         ``k I_row - r I_col``
scale           ``log`` zoom           ``(r, k)``                          ``-(r I_row + k I_col)``
thicken         stroke width (pixel)   along the normal of the strokes     ``|grad I|``
==============  =====================  =================================  ===========

Thickening is not an affine map: a bright stroke grows by moving each edge
outwards along its normal, so each pixel brightens at the rate
``|grad I|`` (Simard et al. 1993 use the same tangent).

The image gradient ``(I_row, I_col)`` is taken by central differences on
the pixel grid, with zeros outside the image (as ``affine`` samples), after
an optional Gaussian blur of width ``sigma`` (Simard et al. smooth first:
the tangents of a blurred image are smoother and span the transformation
better over more than a pixel). Without blur the translation tangents equal
the central differences of ``affine`` exactly (bilinear interpolation is
linear between pixels), and the rotation and scaling ones are their limit.
"""
import numpy as np

from ...core import checks

__all__ = ["TRANSFORMATIONS", "tangent_vectors", "image_gradient", "gaussian_blur"]

TRANSFORMATIONS = ("translate_x", "translate_y", "rotate", "scale", "thicken")


def check_transformations(transformations):
    """Validate a sequence of transformation names (one name: a sequence of one); returns it as a tuple."""
    if isinstance(transformations, str):
        transformations = (transformations,)
    names = checks.sequence("transformations", transformations, "a sequence of transformation names")
    if not names:
        raise ValueError("transformations must name at least one transformation, got an empty sequence")
    return tuple(checks.choice(f"transformations[{i}]", name, TRANSFORMATIONS) for i, name in enumerate(names))


def as_images(images, image_shape=None, name="images"):
    """``images`` as a float ``(n, H, W)`` array (finite, not empty; integer images become float32).

    ``image_shape`` (checked by the validation layer) gives ``(H, W)`` of flat rows ``(n, H*W)``.
    """
    x = checks.numbers_array(name, images)
    x = checks.float_array(name, x, dtype=None if x.dtype.kind == "f" else np.float32)
    image_shape = checks.optional(checks.image_shape, "image_shape", image_shape)
    if x.ndim == 2:
        if image_shape is None:
            side = int(round(np.sqrt(x.shape[1])))
            if side * side != x.shape[1]:
                raise ValueError(f"{name} of shape {x.shape} are flat and not square: give image_shape=(H, W)")
            image_shape = (side, side)
        H, W = (int(v) for v in image_shape)
        if H * W != x.shape[1]:
            raise ValueError(f"{name} of shape {x.shape} do not match image_shape={image_shape!r}")
        return x.reshape(len(x), H, W)
    if x.ndim == 4 and x.shape[1] == 1:            # (n, 1, H, W) single channel
        return x[:, 0]
    if x.ndim != 3:
        raise ValueError(f"{name} must have shape (n, H, W) or (n, H*W), got {name}.shape={x.shape}")
    return x


def gaussian_blur(images, sigma, truncate=3.0):
    """Blur a batch ``(n, H, W)`` by a Gaussian of standard deviation ``sigma`` pixels (zeros outside).

    Separable: one pass along the rows, one along the columns, each a sum of
    ``2 ceil(truncate sigma) + 1`` shifted copies. ``sigma = 0`` returns the images.
    """
    sigma = checks.nonnegative("sigma", sigma)
    if sigma == 0:
        return images
    r = int(np.ceil(truncate * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    k = (k / k.sum()).astype(images.dtype)
    out = images
    for axis in (1, 2):
        pad = [(0, 0)] * 3
        pad[axis] = (r, r)
        p = np.pad(out, pad)
        n = out.shape[axis]
        out = sum(w * np.take(p, np.arange(i, i + n), axis=axis) for i, w in enumerate(k))
    return out


def image_gradient(images):
    """``(I_row, I_col)``: central differences ``(I[p+1] - I[p-1]) / 2`` along rows and columns, zeros outside."""
    p = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    g_row = (p[:, 2:, 1:-1] - p[:, :-2, 1:-1]) * images.dtype.type(0.5)
    g_col = (p[:, 1:-1, 2:] - p[:, 1:-1, :-2]) * images.dtype.type(0.5)
    return g_row, g_col


def tangent_vectors(images, transformations=TRANSFORMATIONS, sigma=0.0, image_shape=None):
    """Tangent vectors ``v^(i)`` of each image under each transformation (§7.14).

    Parameters
    ----------
    images : ndarray, (n, H, W), (n, 1, H, W) or (n, H*W)
        The images (flat rows need ``image_shape`` unless square).
    transformations : sequence of str, default all of ``TRANSFORMATIONS``
        Any of ``"translate_x"`` (right, per pixel), ``"translate_y"`` (down,
        per pixel), ``"rotate"`` (counter-clockwise as displayed, per
        radian), ``"scale"`` (per unit of log zoom), ``"thicken"`` (per
        pixel of stroke growth), in the order wanted.
    sigma : float, default 0.0
        Gaussian blur (pixels) before differentiating; 0: none.
    image_shape : (int, int) or None, default None
        ``(H, W)`` of flat images.

    Returns
    -------
    ndarray, (n, T, H*W)
        ``T = len(transformations)`` tangents per image, flat, in the
        images' float dtype (float32 for integer images).

    Raises
    ------
    ValueError
        An unknown transformation (named), bad shapes, a bad ``sigma``.
    """
    names = check_transformations(transformations)
    sigma = checks.nonnegative("sigma", sigma)
    x = as_images(images, image_shape)
    n, H, W = x.shape
    g_row, g_col = image_gradient(gaussian_blur(x, sigma))
    r = (np.arange(H, dtype=x.dtype) - x.dtype.type((H - 1) / 2))[:, None]
    k = (np.arange(W, dtype=x.dtype) - x.dtype.type((W - 1) / 2))[None, :]
    out = np.empty((n, len(names), H, W), x.dtype)
    for i, name in enumerate(names):
        if name == "translate_x":
            out[:, i] = -g_col
        elif name == "translate_y":
            out[:, i] = -g_row
        elif name == "rotate":
            out[:, i] = k * g_row - r * g_col
        elif name == "scale":
            out[:, i] = -(r * g_row + k * g_col)
        else:
            out[:, i] = np.sqrt(g_row * g_row + g_col * g_col)
    return out.reshape(n, len(names), H * W)
