"""Font digits: an MNIST-shaped data set generated in code, needing no download.

Each image is a digit 0-9 drawn from one of the fonts matplotlib ships
(DejaVu Sans / Sans Mono / Serif and STIX in four styles each, and six
Computer Modern faces), white on black in 28 x 28 pixels like MNIST, and
varied enough that the chapter's experiments behave as on MNIST: the seed
network (784-128-128-10) overfits a small training set, and regularization
helps.

How an image is made (``_generate``), all vectorized over the images:

1. **Templates** (once per process, about half a second): the outline of
   each digit in each font (``matplotlib.textpath.TextPath``) is scaled so
   that its larger side is 20 pixels (MNIST's normalization), rasterized by
   our own scan-line fill (nonzero winding rule) on a 4x supersampled grid,
   and averaged down to a 32 x 32 coverage image. Each font's stroke width
   is measured (2 * area / perimeter) and the glyph is dilated to four
   stroke widths of about 1.6, 2.2, 2.8 and 3.4 pixels (fonts already
   heavier keep their own).
2. **Per image**: a balanced random label, a random font and stroke width;
   a random affine map (rotation U(-15, 15) degrees, scale log-U(0.85, 1.1),
   horizontal stretch log-U(-0.15, 0.15), shear U(-15, 15) degrees, shift
   U(-2, 2) pixels on each axis, the template's centre of mass going to the
   image centre as in MNIST); a smooth random distortion (a 4 x 4 grid of
   N(0, 1.2^2)-pixel displacements, interpolated bilinearly); all sampled in
   one pass with bilinear interpolation (``numreg.image.warp``).
3. **Appearance**: contrast gain U(0.7, 1.3) (strokes saturate above 1);
   with probability 0.15 a gap in the strokes (a disc of radius 1.5-3
   pixels erased near the middle); with probability 0.25 a stray pen
   stroke (a segment 4-12 pixels long); Gaussian noise with a per-image
   standard deviation U(0, 0.1); clipped to [0, 1] and rounded to 1/255
   steps, as MNIST's bytes.

Images come in blocks of 1000 with their own random stream (from
``np.random.SeedSequence(seed, spawn_key=(stream, block))``, stream 0 for
training, 1 for test), so the data is bit-identical for the same seed, the
test set does not depend on ``n_train``, and the first ``k`` images of a
larger set are the images of the smaller set of size ``k``.
"""
import functools
import hashlib
import os
import warnings
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import numpy as np

from ..core import checks
from ..image import inverse_matrix, warp
from ..files import atomic_write
from .glyphs import _CANVAS, FONTS, _available_fonts, font_templates
from .mnist import cache_dir

__all__ = ["load_font_digits", "font_templates", "FONT_DIGITS_VERSION", "FONTS"]

#: Version of the generator; part of the cache key. Bump it whenever a
#: change alters the images a seed gives.
FONT_DIGITS_VERSION = 2

SIZE = 28                     # output images are SIZE x SIZE, as MNIST
_BLOCK = 1000                 # images per random stream (a multiple of 10)

# Variation of the images (see the module docstring).
_ROTATION = 15.0              # degrees, uniform in +-
_SCALE = (0.85, 1.1)          # log-uniform
_STRETCH = 0.15               # log of the horizontal stretch, uniform in +-
_SHEAR = 15.0                 # degrees, uniform in +-
_SHIFT = 2.0                  # pixels, uniform in +- on each axis
_GRID = 4                     # control points per side of the smooth distortion
_DISTORTION = 1.2             # their standard deviation, pixels
_GAIN = (0.7, 1.3)            # contrast, uniform
_CLUTTER = 0.25               # probability of a stray stroke
_GAP = 0.15                   # probability of a gap in the strokes
_NOISE = 0.1                  # largest noise standard deviation


def load_font_digits(n_train=60000, n_test=10000, seed=0, cache=True):
    """The embedded data set: digits from matplotlib's fonts, MNIST-shaped.

    Generated in code from ``seed`` (about 5 s of CPU time for the full
    70,000 images; blocks run in parallel threads on several cores), with no
    network and no data file: see the module docstring for how. Balanced classes: each block of 1000 images holds 100 of each
    digit.

    Parameters
    ----------
    n_train : int, default 60000
        Number of training images, >= 0.
    n_test : int, default 10000
        Number of test images, >= 0. Drawn from a separate random stream:
        independent of the training images and of ``n_train``.
    seed : int, default 0
        Seed (>= 0) of the whole data set: the same seed gives bit-identical
        arrays; the first ``k`` images for ``n_train=N`` are the images for
        ``n_train=k``.
    cache : bool, default True
        Keep the generated arrays in an uncompressed ``.npz`` file (uint8, 55 MB for 70,000 images) in
        ``$NUMREG_CACHE`` (default ``~/.cache/numreg``), named after the
        generator version, the matplotlib version and the arguments, and
        load them from there next time. The file is written atomically; a
        corrupt or unreadable one is regenerated; if the folder is not
        writable a warning is issued and the data is returned anyway.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X``: float32, shape (n, 28, 28), values in [0, 1] (multiples of
        1/255), white digit on black; ``y``: int64, shape (n,), 0..9.

    Raises
    ------
    ValueError
        If ``n_train``, ``n_test`` or ``seed`` is not an integer >= 0.
    RuntimeError
        If fewer than 4 of the fonts in ``FONTS`` are found in matplotlib's
        installation.

    Examples
    --------
    >>> (X, y), (Xt, yt) = load_font_digits(1000, 200, cache=False)
    >>> X.shape, X.dtype, y[:5]                 # doctest: +SKIP
    ((1000, 28, 28), dtype('float32'), array([...]))
    """
    n_train, n_test = checks.integer("n_train", n_train, low=0), checks.integer("n_test", n_test, low=0)
    seed = checks.integer("seed", seed, low=0)
    cache = checks.flag("cache", cache)
    for name, n in (("n_train", n_train), ("n_test", n_test)):
        checks.allocation(name, n, n, SIZE, SIZE, itemsize=4)
    fonts = _available_fonts()
    path = cache_dir() / _cache_name(n_train, n_test, seed, fonts) if cache else None
    arrays = _read_cache(path, n_train, n_test) if path is not None else None
    if arrays is None:
        Xtr, ytr = _generate(n_train, seed, 0)
        Xte, yte = _generate(n_test, seed, 1)
        arrays = Xtr, ytr, Xte, yte
        if path is not None:
            _write_cache(path, arrays)
    Xtr, ytr, Xte, yte = arrays
    scale = np.float32(255)
    return ((np.divide(Xtr, scale, dtype=np.float32), ytr.astype(np.int64)),
            (np.divide(Xte, scale, dtype=np.float32), yte.astype(np.int64)))


# -- the cache ---------------------------------------------------------------------

def _cache_name(n_train, n_test, seed, fonts):
    # The font list enters through a short digest, in case an installation
    # lacks some of the files.
    fonts_id = hashlib.sha256("\n".join(fonts).encode()).hexdigest()[:8]
    return (f"font_digits-v{FONT_DIGITS_VERSION}-mpl{matplotlib.__version__}-f{fonts_id}"
            f"-seed{seed}-train{n_train}-test{n_test}.npz")


_KEYS = ("X_train", "y_train", "X_test", "y_test")


def _read_cache(path, n_train, n_test):
    """The cached arrays, or None if absent, unreadable or not as expected."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = tuple(f[k] for k in _KEYS)
    except Exception:                       # truncated, not a zip, missing key, ...
        return None
    Xtr, ytr, Xte, yte = arrays
    ok = (Xtr.shape == (n_train, SIZE, SIZE) and Xte.shape == (n_test, SIZE, SIZE)
          and ytr.shape == (n_train,) and yte.shape == (n_test,)
          and all(a.dtype == np.uint8 for a in arrays)
          and (ytr.size == 0 or ytr.max() <= 9) and (yte.size == 0 or yte.max() <= 9))
    return arrays if ok else None


def _write_cache(path, arrays):
    try:
        # uncompressed: the noisy images shrink by only a third, and compressing
        # them took as long as generating them again
        atomic_write(path, lambda f: np.savez(f, **dict(zip(_KEYS, arrays))))
    except OSError as e:
        warnings.warn(f"could not write the font-digit cache {path}: {e}", RuntimeWarning,
                      stacklevel=3)


# -- the generator -------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _distortion_basis():
    """(GRID*GRID, SIZE*SIZE): bilinear interpolation from the control grid to the pixels."""
    pos = np.linspace(0, _GRID - 1, SIZE)
    i0 = np.minimum(np.floor(pos).astype(np.intp), _GRID - 2)
    frac = pos - i0
    W = np.zeros((SIZE, _GRID))
    W[np.arange(SIZE), i0] = 1 - frac
    W[np.arange(SIZE), i0 + 1] = frac
    return np.einsum("ra,cb->abrc", W, W).reshape(_GRID * _GRID, SIZE * SIZE).astype(np.float32)


def _generate(n, seed, stream):
    """``n`` images (uint8, (n, 28, 28)) and labels (uint8, (n,)) of random stream ``stream``."""
    templates, _ = font_templates()
    F, _, K = templates.shape[:3]
    flat = templates.reshape(-1, _CANVAS, _CANVAS)
    # Centre of mass of each template (row, col): it goes to the image centre.
    rr, cc = np.mgrid[:_CANVAS, :_CANVAS]
    mass = flat.sum(axis=(1, 2), dtype=np.float64)
    com = np.stack([(flat * rr).sum(axis=(1, 2)) / mass, (flat * cc).sum(axis=(1, 2)) / mass], 1)
    X = np.empty((n, SIZE, SIZE), np.uint8)
    y = np.empty(n, np.uint8)

    def make(block):
        start = block * _BLOCK
        m = min(_BLOCK, n - start)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream, block)))
        X[start:start + m], y[start:start + m] = _block(rng, m, flat, com, F, K)

    # Blocks are independent (own random stream, own slice of the output), so
    # threads give the same bytes as a loop; NumPy releases the GIL in the
    # heavy parts.
    n_blocks = -(-n // _BLOCK)
    workers = max(1, min(os.cpu_count() or 1, 4, n_blocks))
    if workers == 1:
        for block in range(n_blocks):
            make(block)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(make, range(n_blocks)))
    return X, y


def _block(rng, m, templates, com, F, K):
    """One block: every random draw is made for the full block, then the first m kept,
    so a block's images do not depend on how many of them are used."""
    B = _BLOCK
    label = rng.permutation(np.repeat(np.arange(10), B // 10))
    font = rng.integers(0, F, B)
    stroke = rng.integers(0, K, B)
    angle = rng.uniform(-_ROTATION, _ROTATION, B)
    scale = np.exp(rng.uniform(np.log(_SCALE[0]), np.log(_SCALE[1]), B))
    stretch = np.exp(rng.uniform(-_STRETCH, _STRETCH, B))
    shear = rng.uniform(-_SHEAR, _SHEAR, B)
    shift = rng.uniform(-_SHIFT, _SHIFT, (B, 2))
    control = rng.standard_normal((B, 2, _GRID * _GRID), dtype=np.float32)
    gain = rng.uniform(_GAIN[0], _GAIN[1], B).astype(np.float32)
    clutter = rng.random(B) < _CLUTTER
    seg_start = rng.uniform(0, SIZE, (B, 2))
    seg_length = rng.uniform(4, 12, B)
    seg_angle = rng.uniform(0, 2 * np.pi, B)
    seg_width = rng.uniform(0.6, 1.4, B)
    seg_level = rng.uniform(0.5, 1.0, B)
    noise_std = rng.uniform(0, _NOISE, B).astype(np.float32)
    noise_seed = rng.integers(2**63)
    gap = rng.random(B) < _GAP
    gap_centre = rng.uniform(8, 20, (B, 2))
    gap_radius = rng.uniform(1.5, 3.0, B)

    sl = slice(0, m)
    index = (font[sl] * 10 + label[sl]) * K + stroke[sl]
    # Source position = A (p - centre - shift) + template's centre of mass.
    A = inverse_matrix(angle[sl], scale[sl], shear[sl], m)
    A[:, 1, :] /= stretch[sl, None]               # content stretched horizontally
    centre = np.full(2, (SIZE - 1) / 2)
    offset = com[index] - np.einsum("nij,nj->ni", A, centre + shift[sl])
    field = (control[sl].reshape(2 * m, -1) @ _distortion_basis()).reshape(m, 2, SIZE, SIZE)
    field *= np.float32(_DISTORTION)
    img = warp(templates, A, offset, (SIZE, SIZE), src_index=index, displacement=field)
    img *= gain[sl, None, None]

    hit = np.flatnonzero(gap[sl])
    if hit.size:
        img[hit] *= _erasers(gap_centre[hit], gap_radius[hit])
    hit = np.flatnonzero(clutter[sl])
    if hit.size:
        img[hit] = np.maximum(img[hit], _segments(seg_start[hit], seg_length[hit],
                                                  seg_angle[hit], seg_width[hit],
                                                  seg_level[hit]))
    noise = np.random.default_rng(noise_seed).standard_normal((m, SIZE, SIZE), dtype=np.float32)
    noise *= noise_std[sl, None, None]
    img += noise
    np.clip(img, 0, 1, out=img)
    img *= np.float32(255)
    return np.rint(img).astype(np.uint8), label[sl].astype(np.uint8)


def _erasers(centre, radius):
    """Multipliers that erase a disc (soft edge of one pixel): (k, SIZE, SIZE) float32."""
    rr, cc = np.mgrid[:SIZE, :SIZE].astype(np.float32)
    c = centre.astype(np.float32)[:, :, None, None]
    dist = np.hypot(rr - c[:, 0], cc - c[:, 1])
    return np.clip(dist - radius.astype(np.float32)[:, None, None] + 0.5, 0, 1)


def _segments(start, length, angle, width, level):
    """Anti-aliased line segments, one per image: (k, SIZE, SIZE) float32."""
    rr, cc = np.mgrid[:SIZE, :SIZE].astype(np.float32)
    d = np.stack([np.sin(angle), np.cos(angle)], 1) * length[:, None]      # (k, 2)
    p0 = start.astype(np.float32)[:, :, None, None]
    d = d.astype(np.float32)[:, :, None, None]
    # Distance from each pixel to the segment p0 + t d, t in [0, 1].
    t = ((rr - p0[:, 0]) * d[:, 0] + (cc - p0[:, 1]) * d[:, 1]) / (d[:, 0] ** 2 + d[:, 1] ** 2)
    np.clip(t, 0, 1, out=t)
    dist = np.hypot(rr - p0[:, 0] - t * d[:, 0], cc - p0[:, 1] - t * d[:, 1])
    ink = np.clip(width.astype(np.float32)[:, None, None] + 0.5 - dist, 0, 1)
    return ink * level.astype(np.float32)[:, None, None]
