"""IDX files: the format MNIST and Fashion-MNIST are distributed in.

An IDX file is a header followed by the array's values in C order::

    bytes 0-1   two zero bytes
    byte  2     type code: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int,
                0x0D float, 0x0E double
    byte  3     number of dimensions, ndim
    then        ndim big-endian 32-bit unsigned sizes
    then        prod(sizes) values, big-endian, of the type above

For example, MNIST's training images start ``00 00 08 03  00 00 ea 60
00 00 00 1c  00 00 00 1c`` (ubyte, 3 dimensions: 60000 x 28 x 28), and the
file is then exactly 16 + 60000*28*28 bytes long. The files are usually
distributed gzipped.
"""
import gzip
import math
import os
import zlib

import numpy as np

from ..core import checks
from ..files import atomic_write

__all__ = ["load_idx", "save_idx", "IDX_TYPES"]

#: Type code -> big-endian numpy dtype of the values in the file.
IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in IDX_TYPES.items()}

_GZIP_MAGIC = b"\x1f\x8b"


_CHUNK = 1 << 20


def _open(path):
    """The file opened for reading, through gzip if it starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        compressed = f.read(2) == _GZIP_MAGIC
    return gzip.open(path, "rb") if compressed else open(path, "rb")


def _read_at_most(f, n, name):
    """Up to ``n`` bytes of ``f`` (fewer at its end), in chunks: nothing beyond ``n`` is decompressed."""
    out = bytearray()
    try:
        while len(out) < n:
            chunk = f.read(min(_CHUNK, n - len(out)))
            if not chunk:
                break
            out += chunk
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"corrupt gzip stream in {name!r}: {e}") from e
    return bytes(out)


def load_idx(path):
    """Read an IDX file (gzipped or raw) into a NumPy array.

    Gzip compression is recognised by the file's first two bytes (1f 8b),
    not by its name. The header is checked completely: the magic number
    (two zero bytes, a known type code, the number of dimensions), and the
    file size, which must be exactly the header plus ``prod(sizes)`` values.
    The header is read first and only the payload it declares (plus one
    byte, to detect trailing data) is read or decompressed, so a small
    hostile file cannot make it decompress gigabytes; sizes are computed
    with Python integers, so no header overflows them.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.

    Returns
    -------
    ndarray
        Of shape ``sizes`` and native byte order: ``uint8`` for type 0x08
        (MNIST's images and labels), ``int8``, ``int16``, ``int32``,
        ``float32`` or ``float64`` for the other type codes; a fresh,
        writable array.

    Raises
    ------
    ValueError
        If the file is empty, truncated or too long, has a bad magic number
        or type code, or is a corrupt gzip stream. The message names the
        path and the offending value.
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> images = load_idx("train-images-idx3-ubyte.gz")   # doctest: +SKIP
    >>> images.shape, images.dtype                         # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    name = checks.path("path", path)
    with _open(path) as f:
        start = _read_at_most(f, 4, name)
        if len(start) == 0:
            raise ValueError(f"empty IDX file {name!r}")
        if len(start) < 4:
            raise ValueError(f"truncated IDX file {name!r}: {len(start)} bytes, "
                             f"shorter than the 4-byte magic number")
        magic = int.from_bytes(start, "big")
        code, ndim = start[2], start[3]
        if start[0] != 0 or start[1] != 0 or code not in IDX_TYPES:
            raise ValueError(f"bad magic number 0x{magic:08x} in {name!r}: expected "
                             f"0x0000TTDD with type code TT in "
                             f"{{{', '.join(f'0x{c:02x}' for c in IDX_TYPES)}}}")
        header = 4 + 4 * ndim
        dims = _read_at_most(f, 4 * ndim, name)
        if len(dims) < 4 * ndim:
            raise ValueError(f"truncated IDX file {name!r}: {4 + len(dims)} bytes, shorter "
                             f"than the {header}-byte header of a {ndim}-dimensional "
                             f"array (magic number 0x{magic:08x})")
        shape = tuple(int.from_bytes(dims[4 * i:4 * i + 4], "big") for i in range(ndim))
        dtype = IDX_TYPES[code]
        count = math.prod(shape)                 # Python integers: no overflow, whatever the header says
        expected = header + count * dtype.itemsize
        # the declared payload and one byte more (to see trailing data), never the rest of the stream
        payload = _read_at_most(f, expected - header + 1, name)
    size = header + len(payload)
    if size != expected:
        what = "truncated" if size < expected else "too long"
        have = f"the file has {size}" if size < expected else "the file has more"
        raise ValueError(f"IDX file {name!r} is {what}: dimensions {shape} of "
                         f"{dtype.newbyteorder('=').name} need {expected} bytes, {have}")
    arr = np.frombuffer(payload, dtype=dtype, count=count).reshape(shape)
    # big-endian -> native (and a writable array) in one conversion
    return arr.astype(dtype.newbyteorder("="))


def save_idx(path, array):
    """Write an array to an IDX file, atomically.

    The file is written to a temporary file in the same directory and then
    renamed over ``path`` with ``os.replace``, so a reader never sees a
    half-written file and a failure leaves nothing behind.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write. If it ends with ``.gz`` the file is gzip-compressed.
    array : array_like
        Values of dtype uint8, int8, int16, int32, float32 or float64 (type
        codes 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E), with 1 to 255 dimensions.

    Raises
    ------
    ValueError
        If ``array`` has another dtype, no dimension or more than 255, or a
        dimension that does not fit in 32 bits.
    """
    path = checks.path("path", path)
    arr = checks.numbers_array("array", array)
    native = arr.dtype.newbyteorder("=")
    if native not in _CODES:
        raise ValueError(f"array of dtype {arr.dtype} cannot be stored in IDX; use one of "
                         f"{', '.join(dt.newbyteorder('=').name for dt in IDX_TYPES.values())}")
    if not 1 <= arr.ndim <= 255:
        raise ValueError(f"array must have 1 to 255 dimensions for IDX, got ndim={arr.ndim}")
    if any(d >= 2**32 for d in arr.shape):
        raise ValueError(f"array shape {arr.shape} has a dimension too large for IDX (>= 2**32)")
    code = _CODES[native]
    header = bytes([0, 0, code, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    payload = header + np.ascontiguousarray(arr, dtype=IDX_TYPES[code]).tobytes()
    path = os.fspath(path)
    if str(path).endswith(".gz"):
        # mtime=0: the same array always gives the same bytes (and the same SHA-256).
        payload = gzip.compress(payload, mtime=0)
    atomic_write(path, lambda f: f.write(payload))
