"""The templates of the embedded font digits: the ten digits of matplotlib's fonts, rasterized at several stroke widths.

Everything here is deterministic (no random numbers): the same fonts give
the same templates. :mod:`numreg.data.fontdigits` distorts them into a data set.
"""
import functools
from pathlib import Path

import matplotlib
import numpy as np

#: Font files from matplotlib's ``mpl-data/fonts/ttf``. All have the ten
#: digits; cmmi10's are old-style figures.
FONTS = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-BoldOblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf",
    "STIXGeneral.ttf", "STIXGeneralBol.ttf", "STIXGeneralItalic.ttf", "STIXGeneralBolIta.ttf",
    "cmr10.ttf", "cmb10.ttf", "cmss10.ttf", "cmti10.ttf", "cmtt10.ttf", "cmmi10.ttf",
)


_CANVAS = 32                  # template size, in output pixels
_SUPER = 4                    # supersampling of the glyph rasterization
_BOX = 20                     # larger side of a glyph, in pixels (MNIST's 20x20 box)
_STROKES = (1.6, 2.2, 2.8, 3.4)   # target stroke widths, pixels
_MIN_FONTS = 4


# -- templates ---------------------------------------------------------------------

def _font_dir():
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.lru_cache(maxsize=None)
def _available_fonts():
    from matplotlib.ft2font import FT2Font
    found = []
    for name in FONTS:
        path = _font_dir() / name
        if not path.is_file():
            continue
        font = FT2Font(str(path))
        if all(font.get_char_index(ord(str(d))) for d in range(10)):
            found.append(name)
    if len(found) < _MIN_FONTS:
        raise RuntimeError(f"only {len(found)} of the fonts numreg draws digits from were "
                           f"found in {_font_dir()} (need {_MIN_FONTS}): {', '.join(found)}")
    return tuple(found)


def _glyph_polygons(font_file, char):
    """The outline of ``char``: closed polygons (curves flattened), font units, y up."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    prop = FontProperties(fname=str(_font_dir() / font_file))
    return TextPath((0, 0), char, size=100, prop=prop).to_polygons(closed_only=True)


def _rasterize(polygons, size, box):
    """Fill ``polygons`` on a ``size`` x ``size`` grid: bool mask, nonzero winding rule.

    The glyph is scaled so its larger side spans ``box`` cells and centred.
    Scan-line fill: for each row, each edge crossing the row's centre line
    adds its direction (+1 going down, -1 going up) at the first cell whose
    centre lies right of the crossing; the running sum along the row is the
    winding number of each cell centre, nonzero inside.
    """
    verts = np.concatenate(polygons)
    lo, hi = verts.min(axis=0), verts.max(axis=0)
    s = box / (hi - lo).max()
    mid = (lo + hi) / 2
    starts, ends = [], []
    for p in polygons:
        q = np.empty_like(p, dtype=np.float64)
        q[:, 0] = (p[:, 0] - mid[0]) * s + size / 2      # x: column, right
        q[:, 1] = (mid[1] - p[:, 1]) * s + size / 2      # y up -> row down
        starts.append(q)
        ends.append(np.roll(q, -1, axis=0))
    a, b = np.concatenate(starts), np.concatenate(ends)
    x1, y1, x2, y2 = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    yc = np.arange(size)[:, None] + 0.5
    # Half-open [ymin, ymax) so a vertex on a scan line is counted once.
    row, edge = np.nonzero((np.minimum(y1, y2) <= yc) & (yc < np.maximum(y1, y2)))
    xc = x1[edge] + (yc[row, 0] - y1[edge]) * (x2[edge] - x1[edge]) / (y2[edge] - y1[edge])
    col = np.clip(np.ceil(xc - 0.5), 0, size).astype(np.intp)
    direction = np.where(y2[edge] > y1[edge], 1.0, -1.0)
    acc = np.bincount(row * (size + 1) + col, weights=direction, minlength=size * (size + 1))
    winding = np.cumsum(acc.reshape(size, size + 1), axis=1)[:, :size]
    return winding != 0


def _dilate(mask, r):
    """Binary dilation of the last two axes, ``r`` steps alternating a cross and a square
    (an octagon of radius about r)."""
    for i in range(r):
        m = mask.copy()
        m[..., 1:, :] |= mask[..., :-1, :]
        m[..., :-1, :] |= mask[..., 1:, :]
        m[..., :, 1:] |= mask[..., :, :-1]
        m[..., :, :-1] |= mask[..., :, 1:]
        if i % 2:
            m[..., 1:, 1:] |= mask[..., :-1, :-1]
            m[..., :-1, :-1] |= mask[..., 1:, 1:]
            m[..., 1:, :-1] |= mask[..., :-1, 1:]
            m[..., :-1, 1:] |= mask[..., 1:, :-1]
        mask = m
    return mask


@functools.lru_cache(maxsize=2)
def font_templates():
    """The digit templates the generator samples from.

    Returns
    -------
    templates : ndarray, float32, shape (n_fonts, 10, 4, 32, 32)
        Coverage in [0, 1] of digit ``d`` in font ``f`` at stroke level ``k``
        (about 1.6, 2.2, 2.8, 3.4 pixels wide, or the font's own width if it
        is heavier), the glyph's larger side 20 pixels, centred. Read-only
        (shared by all callers).
    fonts : tuple of str
        The font files, in the order of the first axis.
    """
    fonts = _available_fonts()
    R = _CANVAS * _SUPER
    masks = np.array([[_rasterize(_glyph_polygons(f, str(d)), R, _BOX * _SUPER)
                       for d in range(10)] for f in fonts])               # (F, 10, R, R)
    # Stroke width of each font: for a stroke of length L and width w,
    # area = L w and perimeter = 2 L, so w = 2 area / perimeter (median over digits).
    inner = masks.copy()
    inner[..., 1:, :] &= masks[..., :-1, :]
    inner[..., :-1, :] &= masks[..., 1:, :]
    inner[..., :, 1:] &= masks[..., :, :-1]
    inner[..., :, :-1] &= masks[..., :, 1:]
    area = masks.sum(axis=(2, 3))
    perimeter = (masks & ~inner).sum(axis=(2, 3))
    width = np.median(2 * area / perimeter, axis=1) / _SUPER              # output pixels
    out = np.empty((len(fonts), 10, len(_STROKES), _CANVAS, _CANVAS), np.float32)
    for f in range(len(fonts)):
        for k, target in enumerate(_STROKES):
            # Dilating by r fine cells thickens a stroke by 2 r / _SUPER pixels.
            r = max(0, int(round((target - width[f]) / 2 * _SUPER)))
            fine = _dilate(masks[f], r).reshape(10, _CANVAS, _SUPER, _CANVAS, _SUPER)
            out[f, :, k] = fine.mean(axis=(2, 4), dtype=np.float32)
    out.flags.writeable = False
    return out, fonts
