"""numreg.augment.affine: each convention of the docstring, checked on small examples."""
import numpy as np
import pytest

import numreg as nr
from numreg.image import affine, inverse_matrix


def dot(H, W, r, c, n=1, dtype=np.float32):
    img = np.zeros((n, H, W), dtype)
    img[:, r, c] = 1
    return img


def where_one(img):
    return [tuple(p) for p in np.argwhere(np.isclose(img, 1))]


@pytest.fixture
def batch():
    return np.random.default_rng(0).random((6, 9, 9)).astype(np.float32)


def test_top_level_name():
    assert nr.augment.affine is affine


def test_identity_is_exact(batch):
    out = affine(batch)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, batch)


# -- angle ----------------------------------------------------------------------

def test_angle_90_is_rot90(batch):
    # np.rot90 turns counter-clockwise as imshow shows the array (row 0 on top).
    np.testing.assert_array_equal(affine(batch, angle=90), np.rot90(batch, 1, axes=(1, 2)))
    np.testing.assert_array_equal(affine(batch, angle=180), np.rot90(batch, 2, axes=(1, 2)))
    np.testing.assert_array_equal(affine(batch, angle=-90), np.rot90(batch, -1, axes=(1, 2)))
    np.testing.assert_array_equal(affine(batch, angle=450), np.rot90(batch, 1, axes=(1, 2)))


def test_angle_90_even_size():
    # Even size: the centre (1.5, 1.5) is between pixels, rot90 still exact.
    img = np.arange(16, dtype=np.float64).reshape(1, 4, 4)
    np.testing.assert_array_equal(affine(img, angle=90), np.rot90(img, axes=(1, 2)))


def test_angle_counter_clockwise_small_example():
    # 5x5, centre (2, 2). The pixel right of the centre, (2, 4), turned 90 degrees
    # counter-clockwise ends up above the centre, (0, 2).
    assert where_one(affine(dot(5, 5, 2, 4), angle=90)[0]) == [(0, 2)]
    # 45 degrees: (4, 8) in a 9x9 image (4 px right of the centre) goes to
    # (4 - 4 sin 45, 4 + 4 cos 45) = (1.17, 6.83). The brightest output pixel is
    # (1, 7), whose source is (4, 4 + 3*sqrt(2)) = (4, 8.243): weight 1 - 0.243.
    out = affine(dot(9, 9, 4, 8), angle=45)[0]
    assert np.unravel_index(np.argmax(out), out.shape) == (1, 7)
    assert out[1, 7] == pytest.approx(1 - (3 * np.sqrt(2) - 4), abs=1e-6)


def test_angle_non_square_about_centre():
    # 3x5 image, centre (1, 2); 180 degrees maps (r, c) -> (2 - r, 4 - c): a flip of both axes.
    img = np.arange(15, dtype=np.float32).reshape(1, 3, 5)
    np.testing.assert_array_equal(affine(img, angle=180), img[:, ::-1, ::-1])


def test_angle_mass_rotates_like_a_vector():
    # Centre of mass of a blob at (+3 right, 0) rotated by 30 degrees ccw should sit
    # at 3*(cos 30, sin 30) right/up of the centre, i.e. row 15 - 1.5, col 15 + 2.598.
    img = np.zeros((1, 31, 31))
    img[0, 14:17, 17:20] = 1                     # 3x3 blob centred at (15, 18)
    out = affine(img, angle=30)[0]
    rr, cc = np.mgrid[:31, :31]
    m = out.sum()
    np.testing.assert_allclose([(rr * out).sum() / m, (cc * out).sum() / m],
                               [15 - 3 * 0.5, 15 + 3 * np.cos(np.pi / 6)], atol=0.02)


# -- scale ----------------------------------------------------------------------

def test_scale_enlarges_about_centre():
    # Point 2 px right of the centre of a 9x9 image; scale 2 puts it 4 px right.
    assert where_one(affine(dot(9, 9, 4, 6), scale=2)[0]) == [(4, 8)]
    # and scale 0.5 one pixel right of the centre: output (4, 5) samples the
    # input at (4, 4 + 1 / 0.5) = (4, 6), exactly the dot; its neighbours sample
    # (4, 4) and (4, 8), which are 0.
    out = affine(dot(9, 9, 4, 6), scale=0.5)[0]
    assert where_one(out) == [(4, 5)] and out.sum() == 1
    # Enlarging spreads the mass: sum grows by about scale^2 for an interior blob.
    img = np.zeros((1, 21, 21)); img[0, 8:13, 8:13] = 1
    assert affine(img, scale=1.5).sum() == pytest.approx(25 * 1.5 ** 2, rel=0.05)


# -- shear ----------------------------------------------------------------------

def test_shear_leans_forward_like_italics():
    # A vertical bar through the centre column of a 9x9 image. With shear 45 deg
    # (tan = 1), the pixel h rows above the centre moves h pixels right.
    img = np.zeros((1, 9, 9), np.float32)
    img[0, :, 4] = 1
    out = affine(img, shear=45)[0]
    for r in range(9):
        h = 4 - r                                 # height above the centre row
        assert out[r, 4 + h] == pytest.approx(1.0), r
    # Rows keep their height: each row still holds exactly one unit of mass.
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def test_shear_is_applied_before_rotation():
    # With angle=90 and shear=45: shear first (horizontal slant), then rotate.
    # Point 2 above the centre (2, 4) of a 9x9: shear -> (2, 6); rot90 ccw about
    # (4, 4): (r, c) -> (4 - (c - 4), 4 + (r - 4)) = (2, 2).
    out = affine(dot(9, 9, 2, 4), angle=90, shear=45)[0]
    assert where_one(out) == [(2, 2)]


# -- shift ----------------------------------------------------------------------

@pytest.mark.parametrize("dy,dx", [(2, -3), (0, 1), (-1, 0), (5, 5), (0, 0)])
def test_integer_shift_is_zero_filled_roll(batch, dy, dx):
    expected = np.roll(batch, (dy, dx), axis=(1, 2))
    if dy > 0: expected[:, :dy] = 0
    if dy < 0: expected[:, dy:] = 0
    if dx > 0: expected[:, :, :dx] = 0
    if dx < 0: expected[:, :, dx:] = 0
    np.testing.assert_array_equal(affine(batch, shift=(dy, dx)), expected)


def test_half_pixel_shift_bilinear_and_nearest():
    img = np.array([[[0, 0, 4, 0]]], np.float32)     # 1x4
    # Half a pixel right: bilinear splits 4 into 2 + 2.
    np.testing.assert_allclose(affine(img, shift=(0, 0.5)), [[[0, 0, 2, 2]]])
    # Nearest rounds the source position c - 0.5 half up: col 3 reads col 3, col 2 reads col 2.
    np.testing.assert_array_equal(affine(img, shift=(0, 0.5), order=0), [[[0, 0, 4, 0]]])
    np.testing.assert_array_equal(affine(img, shift=(0, 0.6), order=0), [[[0, 0, 0, 4]]])


def test_outside_is_zero_and_edges_blend_with_zero():
    img = np.ones((1, 3, 3))
    np.testing.assert_array_equal(affine(img, shift=(0, 10)), 0)
    # Shift right by 0.25: column 0 samples x = -0.25, between the zero border and
    # column 0: 0.25 * 0 + 0.75 * 1.
    np.testing.assert_allclose(affine(img, shift=(0, 0.25))[0, :, 0], 0.75)


# -- per-image parameters, shapes, dtypes ----------------------------------------

def test_per_image_parameters_match_one_at_a_time(batch):
    n = len(batch)
    rng = np.random.default_rng(1)
    angle, scale, shear = rng.uniform(-40, 40, n), rng.uniform(0.7, 1.3, n), rng.uniform(-20, 20, n)
    shift = rng.uniform(-2, 2, (n, 2))
    out = affine(batch, angle=angle, scale=scale, shift=shift, shear=shear)
    for i in range(n):
        one = affine(batch[i:i + 1], angle=angle[i], scale=scale[i], shift=tuple(shift[i]),
                     shear=shear[i])
        np.testing.assert_allclose(out[i], one[0], atol=1e-6)
    # Mixing scalars and arrays broadcasts the scalar.
    np.testing.assert_allclose(affine(batch, angle=angle, scale=1.1),
                               affine(batch, angle=angle, scale=np.full(n, 1.1)), atol=0)


def test_flat_design_matrix_round_trip(batch):
    n = len(batch)
    flat = batch.reshape(n, -1)
    out = affine(flat, angle=90, image_shape=(9, 9))
    assert out.shape == (n, 81)
    np.testing.assert_array_equal(out.reshape(n, 9, 9), np.rot90(batch, axes=(1, 2)))
    # 3-D input with a matching image_shape is fine too.
    assert affine(batch, image_shape=(9, 9)).shape == batch.shape


def test_dtypes():
    img = np.random.default_rng(0).random((2, 5, 5))
    assert affine(img, angle=10).dtype == np.float64
    assert affine(img.astype(np.float32), angle=10).dtype == np.float32
    assert affine(img.astype(np.float16), angle=10).dtype == np.float16
    assert affine((img * 255).astype(np.uint8), angle=10).dtype == np.float32
    np.testing.assert_allclose(affine(img.astype(np.float32), angle=10),
                               affine(img, angle=10), atol=1e-6)


def test_deterministic(batch):
    a = affine(batch, angle=np.arange(6) * 7.0, shear=3)
    b = affine(batch, angle=np.arange(6) * 7.0, shear=3)
    assert a.tobytes() == b.tobytes()


def test_empty_batch():
    assert affine(np.zeros((0, 4, 4), np.float32), angle=5).shape == (0, 4, 4)


# -- bad input ------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,match", [
    (dict(order=2), "order=2"),
    (dict(order=True), "order=True"),
    (dict(scale=0), "scale=0"),
    (dict(scale=-1.5), "scale=-1.5"),
    (dict(scale=[1, 1, 0, 1, 1, 1]), "scale=0"),
    (dict(angle=[1, 2, 3]), "angle must have one value per image \\(6\\), got 3"),
    (dict(shear=np.zeros(7)), "shear must have one value per image \\(6\\), got 7"),
    (dict(shear=90), "shear=90"),
    (dict(angle=np.nan), "angle must hold finite numbers"),
    (dict(angle="ten"), "angle="),
    (dict(shift=(1, 2, 3)), "shift of shape \\(3,\\)"),
    (dict(shift=np.zeros((5, 2))), "shift of shape \\(5, 2\\)"),
    (dict(image_shape=(3, 3)), "image_shape=\\(3, 3\\)"),
])
def test_bad_arguments(batch, kwargs, match):
    with pytest.raises(ValueError, match=match):
        affine(batch, **kwargs)


def test_bad_rank_and_flat_shape():
    with pytest.raises(ValueError, match=r"images .*shape \(4, 4\)"):
        affine(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"images of shape \(2, 80\).*image_shape=\(9, 9\)"):
        affine(np.zeros((2, 80)), image_shape=(9, 9))
    with pytest.raises(ValueError, match="image_shape"):
        affine(np.zeros((2, 81)), image_shape=9)


# -- against scipy ---------------------------------------------------------------

@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_scipy_affine_transform(order, dtype):
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(2)
    n, H, W = 40, 28, 28
    X = rng.random((n, H, W)).astype(dtype)
    angle, scale = rng.uniform(-60, 60, n), rng.uniform(0.6, 1.6, n)
    shear, shift = rng.uniform(-30, 30, n), rng.uniform(-5, 5, (n, 2))
    out = affine(X, angle=angle, scale=scale, shift=shift, shear=shear, order=order)
    A = inverse_matrix(angle, scale, shear, n)
    c = np.array([(H - 1) / 2, (W - 1) / 2])
    for i in range(n):
        offset = c - A[i] @ (c + shift[i])
        # 'grid-constant': zeros outside, and interpolation with them at the edge.
        ref = ndimage.affine_transform(X[i].astype(np.float64), A[i], offset, order=order,
                                       mode="grid-constant", cval=0.0)
        np.testing.assert_allclose(out[i], ref, atol=1e-5, rtol=0)
        # 'constant' agrees wherever the source lies inside [0, H-1] x [0, W-1].
        ref_c = ndimage.affine_transform(X[i].astype(np.float64), A[i], offset, order=order,
                                         mode="constant", cval=0.0)
        rr, cc = np.mgrid[:H, :W]
        src = np.einsum("ij,jrc->irc", A[i], np.stack([rr, cc])) + offset[:, None, None]
        inside = (src[0] >= 0) & (src[0] <= H - 1) & (src[1] >= 0) & (src[1] <= W - 1)
        np.testing.assert_allclose(out[i][inside], ref_c[inside], atol=1e-5, rtol=0)
