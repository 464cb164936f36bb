"""Tangent vectors of images (§7.14): against central differences of numreg.image.affine."""
import numpy as np
import pytest

import numreg as nr
from numreg.regularize.s7_14_tangent.tangents import TRANSFORMATIONS, gaussian_blur, tangent_vectors


def blob(H=28, W=28, centre=(12.3, 15.1), widths=(3.0, 2.2)):
    r, c = np.mgrid[:H, :W]
    return np.exp(-((r - centre[0]) ** 2 / (2 * widths[0] ** 2) + (c - centre[1]) ** 2 / (2 * widths[1] ** 2)))[None]


def central(img, h, **kw):
    """(affine(+h) - affine(-h)) / 2h for one parameter given as a function of h."""
    plus = nr.image.affine(img, **{k: f(h) for k, f in kw.items()})
    minus = nr.image.affine(img, **{k: f(-h) for k, f in kw.items()})
    return ((plus - minus) / (2 * h)).reshape(len(img), -1)


def test_shape_order_and_dtype():
    x = np.random.default_rng(0).random((3, 9, 7)).astype(np.float32)
    T = tangent_vectors(x, ("rotate", "translate_x"))
    assert T.shape == (3, 2, 63) and T.dtype == np.float32
    assert np.array_equal(T[:, 1], tangent_vectors(x, ("translate_x",))[:, 0])
    assert tangent_vectors(x.reshape(3, -1), image_shape=(9, 7)).shape == (3, 5, 63)


@pytest.mark.parametrize("h", [0.9, 0.5, 0.1])
def test_translation_tangents_equal_central_differences_of_affine(h):
    # bilinear interpolation is linear between pixels: for |h| < 1 the central difference is the tangent exactly
    img = np.random.default_rng(1).random((2, 10, 12))
    T = tangent_vectors(img, ("translate_x", "translate_y"))
    assert np.allclose(T[:, 0], central(img, h, shift=lambda s: (0, s)), atol=1e-12)
    assert np.allclose(T[:, 1], central(img, h, shift=lambda s: (s, 0)), atol=1e-12)


@pytest.mark.parametrize("name,kw", [
    ("rotate", {"angle": np.rad2deg}),
    ("scale", {"scale": np.exp}),
])
def test_rotation_and_scaling_tangents_are_the_limit_of_central_differences(name, kw):
    img = blob()
    T = tangent_vectors(img, (name,))[:, 0]
    scale = np.abs(T).max()
    errors = [np.abs(central(img, h, **kw) - T).max() / scale for h in (0.04, 0.02, 0.01)]
    # bilinear interpolation has kinks at the pixels: the error is first order in h (not second), and goes to 0
    assert errors[0] < 0.01
    assert errors[1] < 0.6 * errors[0] and errors[2] < 0.6 * errors[1]
    # a wrong sign or a swapped axis would give errors of order 1
    assert np.abs(central(img, 0.01, **kw) + T).max() / scale > 1


def test_rotation_tangent_of_a_point_to_the_right_moves_it_up():
    img = blob(centre=(13.5, 20.0), widths=(1.5, 1.5))
    t = tangent_vectors(img, ("rotate",))[0, 0].reshape(28, 28)
    assert t[11, 20] > 0 > t[16, 20]          # counter-clockwise: mass moves towards the top


def test_thickening_tangent_is_the_gradient_norm_and_grows_strokes():
    img = np.zeros((1, 11, 11))
    img[0, :, 4:7] = 1.0                      # a vertical bar 3 pixels wide
    t = tangent_vectors(img, ("thicken",))[0, 0].reshape(11, 11)
    assert np.all(t >= 0)
    inner = t[1:-1]                           # away from the top and bottom edges
    assert np.allclose(inner[:, [3, 4, 6, 7]], 0.5) and np.allclose(inner[:, [0, 1, 2, 5, 8, 9, 10]], 0.0)
    grown = np.zeros_like(img)
    grown[0, :, 3:8] = 1.0
    assert np.corrcoef(t.ravel(), (grown - img).ravel())[0, 1] > 0.5


def test_blur_keeps_mass_and_smooths():
    img = np.zeros((1, 21, 21))
    img[0, 10, 10] = 1.0
    b = gaussian_blur(img, 1.5)
    assert b.sum() == pytest.approx(1.0, abs=1e-3) and b.max() < 0.1
    r, c = np.mgrid[:21, :21]
    assert np.sum(b[0] * (r - 10) ** 2) == pytest.approx(1.5 ** 2, rel=0.05)
    assert gaussian_blur(img, 0.0) is img


def test_unknown_transformation_is_named():
    with pytest.raises(ValueError, match="'shear'"):
        tangent_vectors(np.zeros((1, 5, 5)), ("rotate", "shear"))
    with pytest.raises(ValueError, match="at least one"):
        tangent_vectors(np.zeros((1, 5, 5)), ())
    with pytest.raises(ValueError, match="sigma"):
        tangent_vectors(np.zeros((1, 5, 5)), sigma=-1)
    with pytest.raises(ValueError, match="images"):
        tangent_vectors(np.zeros((5,)))
    assert TRANSFORMATIONS == ("translate_x", "translate_y", "rotate", "scale", "thicken")
