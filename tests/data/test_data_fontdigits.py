"""The embedded font-digit data set: format, determinism, cache, rasterizer, difficulty."""
import numpy as np
import pytest

from numreg.data import load_font_digits
from numreg.data import fontdigits as fd
from numreg.data import glyphs


@pytest.fixture(autouse=True)
def private_cache(monkeypatch, tmp_path):
    """Every test gets its own empty cache folder: nothing is written to ~/.cache."""
    monkeypatch.setenv("NUMREG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def small():
    return load_font_digits(1500, 400, seed=0, cache=False)


def test_format(small):
    (X, y), (Xt, yt) = small
    assert X.shape == (1500, 28, 28) and Xt.shape == (400, 28, 28)
    assert X.dtype == Xt.dtype == np.float32 and y.dtype == yt.dtype == np.int64
    assert X.min() >= 0 and X.max() <= 1 and X.max() == 1
    # Values are bytes / 255, as load_mnist gives.
    np.testing.assert_array_equal(np.round(X * 255) / np.float32(255), X)
    # Balanced: 100 of each digit per block of 1000; a partial block is near-balanced.
    assert np.bincount(y[:1000], minlength=10).tolist() == [100] * 10
    assert np.bincount(y, minlength=10).min() >= 130
    assert np.bincount(yt, minlength=10).min() >= 25 and yt.max() == 9


def test_looks_like_mnist(small):
    (X, _), _ = small
    # White digit on black: the border is dark, the middle is where the ink is.
    border = np.concatenate([X[:, :2].ravel(), X[:, -2:].ravel(), X[:, :, :2].ravel(),
                             X[:, :, -2:].ravel()])
    assert border.mean() < 0.05
    assert X[:, 8:20, 8:20].mean() > 4 * border.mean()
    # MNIST's mean pixel is 0.13; every image has ink.
    assert 0.08 < X.mean() < 0.25
    assert (X.reshape(len(X), -1).max(axis=1) > 0.5).all()


def test_deterministic_and_seeded(small):
    (X, y), (Xt, yt) = small
    (X2, y2), (Xt2, yt2) = load_font_digits(1500, 400, seed=0, cache=False)
    assert X.tobytes() == X2.tobytes() and y.tobytes() == y2.tobytes()
    assert Xt.tobytes() == Xt2.tobytes() and yt.tobytes() == yt2.tobytes()
    (X3, _), _ = load_font_digits(1500, 0, seed=1, cache=False)
    assert np.mean(X3 != X) > 0.1


def test_prefix_and_independent_test_stream(small):
    (X, y), (Xt, yt) = small
    # 1200 images = one full block and part of the next: the first 1200 of 1500.
    (Xa, ya), (Xta, yta) = load_font_digits(1200, 300, seed=0, cache=False)
    assert Xa.tobytes() == X[:1200].tobytes() and ya.tobytes() == y[:1200].tobytes()
    # The test set does not depend on n_train, and is not a copy of training images.
    assert Xta.tobytes() == Xt[:300].tobytes()
    (_, _), (Xtb, _) = load_font_digits(10, 300, seed=0, cache=False)
    assert Xtb.tobytes() == Xta.tobytes()
    assert not any(np.array_equal(Xt[0], x) for x in X)


def test_empty_sets():
    (X, y), (Xt, yt) = load_font_digits(0, 0, cache=False)
    assert X.shape == (0, 28, 28) and y.shape == (0,) and Xt.shape == (0, 28, 28)


@pytest.mark.parametrize("kwargs,match", [
    (dict(n_train=-1), "n_train=-1"),
    (dict(n_train=10.0), "n_train=10.0"),
    (dict(n_test=True), "n_test=True"),
    (dict(seed=-3), "seed=-3"),
    (dict(seed=None), "seed=None"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_font_digits(**{"n_train": 10, "n_test": 10, "cache": False, **kwargs})


# -- cache -------------------------------------------------------------------------

def test_cache_written_reused_and_repaired(private_cache, monkeypatch):
    first = load_font_digits(300, 100, seed=5)
    files = sorted(p.name for p in private_cache.iterdir())
    assert len(files) == 1 and files[0].endswith(".npz")
    assert f"v{fd.FONT_DIGITS_VERSION}-" in files[0] and "seed5-train300-test100" in files[0]
    path = private_cache / files[0]

    # Second call: read from the cache, the generator is not run.
    def no_generation(*args):
        raise AssertionError("generated again instead of using the cache")
    monkeypatch.setattr(fd, "_generate", no_generation)
    again = load_font_digits(300, 100, seed=5)
    for a, b in zip(first, again):
        assert a[0].tobytes() == b[0].tobytes() and a[1].tobytes() == b[1].tobytes()
    monkeypatch.undo()
    monkeypatch.setenv("NUMREG_CACHE", str(private_cache))

    # A corrupt file (cut in half) is regenerated and rewritten.
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    repaired = load_font_digits(300, 100, seed=5)
    assert repaired[0][0].tobytes() == first[0][0].tobytes()
    assert np.load(path, allow_pickle=False)["X_train"].shape == (300, 28, 28)
    # Garbage, and a valid npz with the wrong content, likewise.
    path.write_bytes(b"not a zip file")
    assert load_font_digits(300, 100, seed=5)[1][1].tobytes() == first[1][1].tobytes()
    np.savez(path, X_train=np.zeros((2, 28, 28), np.uint8))
    assert load_font_digits(300, 100, seed=5)[0][0].shape == (300, 28, 28)
    assert sorted(p.name for p in private_cache.iterdir()) == files      # no temporary files


def test_cache_false_writes_nothing(private_cache):
    load_font_digits(20, 20, cache=False)
    assert not private_cache.exists()


def test_unwritable_cache_warns_and_still_returns(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("NUMREG_CACHE", str(blocker / "sub"))   # cannot mkdir under a file
    with pytest.warns(RuntimeWarning, match="could not write the font-digit cache"):
        (X, y), _ = load_font_digits(20, 10, seed=0)
    assert X.shape == (20, 28, 28)


# -- rasterizer and templates --------------------------------------------------------

def square(x0, y0, side, clockwise=False):
    p = np.array([[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0 + side]], float)
    return p[::-1] if clockwise else p


def test_rasterize_square_and_holes():
    # A 10-unit square scaled to box=10 cells in a 20x20 grid covers cells 5..14: 100 cells.
    mask = glyphs._rasterize([square(0, 0, 10)], 20, 10)
    assert mask.sum() == 100 and mask[5:15, 5:15].all()
    # An inner square of the opposite orientation is a hole (winding 0): 100 - 16.
    with_hole = glyphs._rasterize([square(0, 0, 10), square(3, 3, 4, clockwise=True)], 20, 10)
    assert with_hole.sum() == 84 and not with_hole[8:12, 8:12].any()
    # The same orientation winds twice: nonzero rule keeps it filled (even-odd would not).
    assert glyphs._rasterize([square(0, 0, 10), square(3, 3, 4)], 20, 10).sum() == 100


def test_rasterize_triangle_area():
    # Right triangle with legs of 40 cells: about 40 * 40 / 2 = 800 cells.
    tri = np.array([[0, 0], [1, 0], [0, 1]], float)
    assert abs(int(glyphs._rasterize([tri], 64, 40).sum()) - 800) <= 40


def test_templates():
    templates, fonts = fd.font_templates()
    assert templates.shape == (len(fonts), 10, 4, 32, 32) and templates.dtype == np.float32
    assert len(fonts) == len(fd.FONTS)                 # matplotlib ships all of them
    assert templates.min() >= 0 and templates.max() == 1
    assert not templates.flags.writeable
    ink = templates.sum(axis=(3, 4))
    assert (ink > 10).all()                            # no empty glyph
    assert (np.diff(ink, axis=2) >= 0).all()           # stroke levels never get thinner
    # The larger side of each glyph spans 20 pixels (MNIST's box): 80 fine cells
    # from 24 to 104 of 128, i.e. exactly pixels 6..25 at the thinnest level.
    rows = (templates[:, :, 0] > 0).any(axis=3)
    cols = (templates[:, :, 0] > 0).any(axis=2)
    extent = np.maximum(rows.sum(axis=-1), cols.sum(axis=-1))
    assert (extent == 20).all()


# -- difficulty ----------------------------------------------------------------------

def test_learnable_and_overfits_small_training_sets():
    """A least-squares linear classifier (ridge regression on one-hot targets):
    on 1000 images it fits the training set almost perfectly but not the test set,
    and an L2 penalty (Eq. 7.17's alpha) visibly helps; measured for seed 0:
    alpha=1: train 0.99, test 0.45; alpha=10: train 0.95, test 0.58."""
    (X, y), (Xt, yt) = load_font_digits(1000, 1000, seed=0, cache=False)
    A = np.hstack([X.reshape(1000, -1), np.ones((1000, 1), np.float32)]).astype(np.float64)
    At = np.hstack([Xt.reshape(1000, -1), np.ones((1000, 1), np.float32)]).astype(np.float64)
    Y = np.eye(10)[y]

    def fit(alpha):
        W = np.linalg.solve(A.T @ A + alpha * np.eye(A.shape[1]), A.T @ Y)
        return np.mean((A @ W).argmax(1) == y), np.mean((At @ W).argmax(1) == yt)

    train1, test1 = fit(1.0)
    train10, test10 = fit(10.0)
    assert train1 > 0.95 and test1 < train1 - 0.25          # overfits
    assert 0.3 < test1 < 0.9 and 0.45 < test10 < 0.9         # learnable, not trivial
    assert test10 > test1 + 0.05                             # regularization helps
