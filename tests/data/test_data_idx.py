"""IDX reading and writing, every error case, and the real Fashion-MNIST on disk."""
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from numreg.data import load_idx, save_idx, load_fashion_mnist
from numreg.data.idx import IDX_TYPES
from numreg.data.mnist import FILES, RAW_SHA256

FASHION = Path("/usr/share/datasets/fashion-mnist")


def require_data(path):
    """Skip when ``path`` is missing, except in CI (``CI=true``), where it is a failure."""
    if Path(path).exists():
        return
    reason = (f"{path} not found: install the data (e.g. apt-get install "
              f"dataset-fashion-mnist) to run this test")
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def write(path, data, gz=False):
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# -- round trips -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path, dtype, suffix):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    path = tmp_path / f"a-idx3{suffix}"
    save_idx(path, a)
    b = load_idx(path)
    assert b.dtype == np.dtype(dtype) and b.dtype.isnative
    assert b.shape == (3, 4, 5)
    np.testing.assert_array_equal(a, b)
    # Gzip is detected from the content, not the name.
    if suffix:
        renamed = path.rename(tmp_path / "no-extension")
        np.testing.assert_array_equal(load_idx(renamed), a)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_header_layout_by_hand(tmp_path):
    # 0x0000 0B 02 = int16, 2 dims; dims 2, 3; values big-endian.
    data = bytes([0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + np.arange(6, dtype=">i2").tobytes()
    a = load_idx(write(tmp_path / "x", data))
    assert a.dtype == np.int16 and a.shape == (2, 3)
    np.testing.assert_array_equal(a, [[0, 1, 2], [3, 4, 5]])
    # save_idx writes exactly these bytes.
    save_idx(tmp_path / "y", np.arange(6, dtype=np.int16).reshape(2, 3))
    assert (tmp_path / "y").read_bytes() == data


def test_big_endian_input_and_zero_dims(tmp_path):
    save_idx(tmp_path / "be", np.arange(4, dtype=">f8"))
    np.testing.assert_array_equal(load_idx(tmp_path / "be"), [0, 1, 2, 3])
    save_idx(tmp_path / "empty", np.zeros((0, 28, 28), np.uint8))
    assert load_idx(tmp_path / "empty").shape == (0, 28, 28)


def test_save_idx_rejects_unsupported(tmp_path):
    with pytest.raises(ValueError, match="dtype int64"):
        save_idx(tmp_path / "x", np.zeros(3, np.int64))
    with pytest.raises(ValueError, match="ndim=0"):
        save_idx(tmp_path / "x", np.uint8(3))
    assert list(tmp_path.iterdir()) == []


def test_gzip_output_is_deterministic(tmp_path):
    a = np.arange(100, dtype=np.uint8)
    save_idx(tmp_path / "1.gz", a)
    save_idx(tmp_path / "2.gz", a)
    assert (tmp_path / "1.gz").read_bytes() == (tmp_path / "2.gz").read_bytes()


# -- errors ------------------------------------------------------------------------

GOOD = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6))   # 2x3 ubyte, 18 bytes


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("data,match", [
    (b"", "empty IDX file"),
    (b"\x00\x00", "truncated IDX file .*2 bytes"),
    (bytes([0, 0, 0x0A, 3]) + GOOD[4:], "bad magic number 0x00000a03"),      # unknown type 0x0A
    (bytes([1, 0, 8, 2]) + GOOD[4:], "bad magic number 0x01000802"),         # non-zero first byte
    (GOOD[:10], "truncated IDX file .*10 bytes.*12-byte header"),            # header cut short
    (GOOD[:-1], r"truncated: dimensions \(2, 3\) of uint8 need 18 bytes, the file has 17"),
    (GOOD + b"\x00", r"too long: dimensions \(2, 3\) of uint8 need 18 bytes, the file has more"),
    (bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + b"\x00" * 7,                      # 2 int32 need 8 bytes
     r"truncated: dimensions \(2,\) of int32 need 16 bytes, the file has 15"),
])
def test_errors_name_path_and_value(tmp_path, data, match, gz):
    path = write(tmp_path / "bad-file", data, gz=gz)
    with pytest.raises(ValueError, match=match) as info:
        load_idx(path)
    assert str(path) in str(info.value)


def test_corrupt_gzip(tmp_path):
    stream = gzip.compress(GOOD * 50)
    for cut in (stream[:len(stream) // 2], stream[:3]):               # truncated stream
        with pytest.raises(ValueError, match="corrupt gzip stream in .*bad.gz"):
            load_idx(write(tmp_path / "bad.gz", cut))
    broken = bytearray(stream)
    broken[15] ^= 0xFF                                                  # flipped deflate bits
    with pytest.raises(ValueError, match="bad.gz"):
        load_idx(write(tmp_path / "bad.gz", bytes(broken)))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_idx(tmp_path / "nope")


def test_type_table():
    assert sorted(IDX_TYPES) == [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]


# -- the real data -------------------------------------------------------------------

@pytest.mark.realdata
def test_real_fashion_mnist(monkeypatch):
    require_data(FASHION)
    monkeypatch.delenv("NUMREG_DATA", raising=False)
    # The files are Debian's copies of the originals: same content, other gzip header.
    for stem in FILES:
        with gzip.open(FASHION / (stem + ".gz"), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == RAW_SHA256["fashion-mnist"][stem], stem
    (X, y), (Xt, yt) = load_fashion_mnist(root=FASHION)
    assert X.shape == (60000, 28, 28) and Xt.shape == (10000, 28, 28)
    assert X.dtype == Xt.dtype == np.float32
    assert y.dtype == yt.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y, minlength=10).tolist() == [6000] * 10
    assert np.bincount(yt, minlength=10).tolist() == [1000] * 10
    # Exactly bytes / 255: the first training image, read directly.
    raw = load_idx(FASHION / "train-images-idx3-ubyte.gz")
    np.testing.assert_array_equal(X[0], raw[0].astype(np.float32) / np.float32(255))


def test_hostile_gzip_is_rejected_without_decompressing_it(tmp_path):
    # A 5-item header followed by 64 MiB of zeros (a few kB gzipped): only the declared
    # 5 bytes plus one are decompressed, so this is rejected at once as "too long".
    path = tmp_path / "bomb.gz"
    header = b"\x00\x00\x08\x01" + (5).to_bytes(4, "big")
    with gzip.open(path, "wb") as f:
        f.write(header)
        for _ in range(64):
            f.write(bytes(1 << 20))
    with pytest.raises(ValueError, match="bomb.gz.*too long"):
        load_idx(path)


def test_header_sizes_do_not_overflow(tmp_path):
    # Regression: 65536**4 elements wrapped to 0 in int64, passed the size check, and failed
    # in NumPy's reshape without naming the file. With Python integers it is just truncated.
    path = tmp_path / "huge.idx"
    path.write_bytes(b"\x00\x00\x08\x04" + (65536).to_bytes(4, "big") * 4)
    with pytest.raises(ValueError, match="huge.idx.*truncated"):
        load_idx(path)
