"""nr.corrupt: occlude, gaussian, salt, border -- statistics with fixed seeds, determinism, no in-place change."""
import numpy as np
import pytest

import numreg as nr
from numreg.robust import corrupt

LEVELS = {"occlude": 5, "gaussian": 0.3, "salt": 0.1, "border": 3}


def fn(name):
    return getattr(nr.corrupt, name)


@pytest.fixture
def X():
    return np.random.default_rng(0).random((20, 12, 12)).astype(np.float32)


@pytest.mark.parametrize("name", list(LEVELS))
def test_never_in_place_and_deterministic(name, X):
    keep = X.copy()
    a = fn(name)(X, LEVELS[name], seed=1)
    np.testing.assert_array_equal(X, keep)
    assert a.shape == X.shape and a.dtype == np.float32
    assert not np.shares_memory(a, X)
    np.testing.assert_array_equal(a, fn(name)(X, LEVELS[name], seed=1))
    assert not np.array_equal(a, fn(name)(X, LEVELS[name], seed=2))
    assert not np.array_equal(a, X)
    # flat rows give the same result, flat
    flat = X.reshape(20, -1)
    b = fn(name)(flat, LEVELS[name], seed=1)
    assert b.shape == flat.shape
    np.testing.assert_array_equal(b.reshape(X.shape), a)
    np.testing.assert_array_equal(flat, keep.reshape(20, -1))


@pytest.mark.parametrize("name", list(LEVELS))
def test_level_zero_is_an_unchanged_copy(name, X):
    out = fn(name)(X, 0, seed=0)
    np.testing.assert_array_equal(out, X)
    assert not np.shares_memory(out, X)


def test_integer_images_give_float32():
    X = np.zeros((2, 4, 4), np.uint8)
    assert nr.corrupt.salt(X, 0.5, seed=0).dtype == np.float32


# -- occlude ----------------------------------------------------------------------

def test_occlude_is_one_square_block_inside_the_image():
    X = np.ones((500, 10, 10), np.float32)
    out = nr.corrupt.occlude(X, 4, seed=0)
    zero = out == 0
    assert np.all(zero.sum(axis=(1, 2)) == 16)              # 4 x 4 pixels in every image
    rows, cols = zero.any(axis=2), zero.any(axis=1)
    assert np.all(rows.sum(axis=1) == 4) and np.all(cols.sum(axis=1) == 4)   # a square, not scattered
    assert set(np.unique(out)) == {0.0, 1.0}
    assert nr.corrupt.occlude(X[:3], 10, seed=0).max() == 0   # the block may cover it all
    np.testing.assert_array_equal(nr.corrupt.occlude(X[:3], 2, seed=0, value=0.5).min(), 0.5)


def test_occlude_positions_are_uniform():
    # 8x8 image, size 3: the top row of the block is uniform on {0..5}.
    n = 30000
    out = nr.corrupt.occlude(np.ones((n, 8, 8)), 3, seed=1)
    top = np.argmax((out == 0).any(axis=2), axis=1)
    left = np.argmax((out == 0).any(axis=1), axis=1)
    for pos in (top, left):
        counts = np.bincount(pos, minlength=6)
        assert len(counts) == 6
        # chi-square with 5 degrees of freedom: P(> 20.5) = 0.001
        expected = n / 6
        assert np.sum((counts - expected) ** 2 / expected) < 20.5
    # independent: the pair (top, left) is uniform on 36 cells too (35 dof, P(> 66.6) = 0.001)
    counts = np.bincount(top * 6 + left, minlength=36)
    assert np.sum((counts - n / 36) ** 2 / (n / 36)) < 66.6


def test_occlude_non_square_flat():
    X = np.ones((50, 12), np.float32)                         # 3 x 4 images, flat
    out = nr.corrupt.occlude(X, 3, seed=0, image_shape=(3, 4))
    assert out.shape == (50, 12)
    img = out.reshape(50, 3, 4) == 0
    assert np.all(img.sum(axis=(1, 2)) == 9) and np.all(img.all(axis=2).sum(axis=1) == 0)
    assert np.all(img.any(axis=2).all(axis=1))                # 3 rows: every row is hit


# -- gaussian ---------------------------------------------------------------------

def test_gaussian_statistics():
    X = np.full((200, 25, 20), 0.5, np.float32)               # 100,000 pixels
    z = nr.corrupt.gaussian(X, 0.1, seed=0).astype(np.float64) - 0.5
    n = z.size                                                # clipping 5 std away: negligible
    assert abs(z.mean()) < 4 * 0.1 / np.sqrt(n)
    assert abs(z.var() - 0.01) < 4 * 0.01 * np.sqrt(2 / n)


def test_gaussian_is_clipped_to_the_pixel_range():
    X = np.zeros((200, 25, 20))
    out = nr.corrupt.gaussian(X, 1.0, seed=0)
    assert out.min() == 0.0 and out.max() == 1.0
    # P(z <= 0) = 0.5 clipped to 0; P(z >= 1) = 0.1587 clipped to 1 (binomial SE ~ 0.0016)
    assert abs(np.mean(out == 0) - 0.5) < 0.007
    assert abs(np.mean(out == 1) - 0.1587) < 0.006
    assert nr.corrupt.gaussian(X, 1.0, seed=0, value_range=(-2, 2)).min() < 0


# -- salt -------------------------------------------------------------------------

def test_salt_exact_fraction_and_uniform_pixels():
    n = 4000
    X = np.zeros((n, 5, 5), np.float32)
    out = nr.corrupt.salt(X, 0.2, seed=0)
    assert set(np.unique(out)) == {0.0, 1.0}
    assert np.all((out == 1).sum(axis=(1, 2)) == 5)          # round(0.2 * 25) = 5 per image
    # each of the 25 pixels is salted with probability 0.2: chi-square, 24 dof, P(> 51.2) = 0.001
    counts = (out == 1).sum(axis=0).ravel()
    assert np.sum((counts - n * 0.2) ** 2 / (n * 0.2)) < 51.2
    np.testing.assert_array_equal(nr.corrupt.salt(X[:2], 1.0, seed=0), 1)
    assert nr.corrupt.salt(X[:2], 0.2, seed=0, value_range=(0, 255)).max() == 255


# -- border -----------------------------------------------------------------------

def test_border_frame_only():
    X = np.full((300, 28, 28), 0.25, np.float32)
    out = nr.corrupt.border(X, 2, seed=0)
    inner = out[:, 2:-2, 2:-2]
    np.testing.assert_array_equal(inner, 0.25)              # the digit is untouched
    frame = np.ones((28, 28), bool)
    frame[2:-2, 2:-2] = False
    assert frame.sum() == 784 - 24 * 24 == 208
    v = out[:, frame].astype(np.float64)                      # 62,400 uniform draws
    assert v.min() >= 0 and v.max() <= 1
    assert abs(v.mean() - 0.5) < 4 * np.sqrt(1 / 12 / v.size)
    assert abs(v.var() - 1 / 12) < 0.003
    assert nr.corrupt.border(X[:2], 14, seed=0)[:, 13, 13].min() != 0.25   # width 14 covers it all


# -- bad input --------------------------------------------------------------------

@pytest.mark.parametrize("name", list(LEVELS))
def test_wrong_rank_and_shape(name):
    with pytest.raises(ValueError, match="X"):
        fn(name)(np.zeros(16), LEVELS[name])
    with pytest.raises(ValueError, match="X"):
        fn(name)(np.zeros((2, 1, 4, 4)), LEVELS[name])
    with pytest.raises(ValueError, match="image_shape"):
        fn(name)(np.zeros((2, 16)), LEVELS[name], image_shape=(3, 5))
    with pytest.raises(ValueError, match="image_shape"):
        fn(name)(np.zeros((2, 4, 4)), LEVELS[name], image_shape=(2, 8))
    with pytest.raises(ValueError, match="image_shape"):
        fn(name)(np.zeros((2, 12)), LEVELS[name])           # 12 pixels: not a square


@pytest.mark.parametrize("call, arg", [
    (lambda X: nr.corrupt.occlude(X, -1), "size=-1"),
    (lambda X: nr.corrupt.occlude(X, 13), "size=13"),
    (lambda X: nr.corrupt.occlude(X, 2.5), "size=2.5"),
    (lambda X: nr.corrupt.gaussian(X, -0.1), "std=-0.1"),
    (lambda X: nr.corrupt.gaussian(X, float("nan")), "std=nan"),
    (lambda X: nr.corrupt.salt(X, -0.1), "fraction=-0.1"),
    (lambda X: nr.corrupt.salt(X, 1.5), "fraction=1.5"),
    (lambda X: nr.corrupt.border(X, 7), "width=7"),
    (lambda X: nr.corrupt.border(X, -2), "width=-2"),
    (lambda X: nr.corrupt.gaussian(X, 0.1, value_range=(1, 0)), "value_range"),
])
def test_bad_levels_name_the_argument(call, arg, X):
    with pytest.raises(ValueError, match=arg.replace("(", r"\(")):
        call(X)


def test_default_table_levels_are_valid():
    X = np.zeros((2, 28, 28), np.float32)
    for name, (f, levels) in corrupt.CORRUPTIONS.items():
        for level in levels:
            assert f(X, level, seed=0).shape == X.shape
