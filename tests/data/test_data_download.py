"""load_mnist / load_fashion_mnist: the search order and download=True, against a
local HTTP server on 127.0.0.1 only (no test reaches any other host)."""
import hashlib
import http.server
import threading
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from numreg.data import load_fashion_mnist, load_mnist, save_idx
from numreg.data import mnist as mnist_module
from numreg.data.mnist import FILES

N_TRAIN, N_TEST = 50, 20


def make_files(folder, seed=0, gz=True):
    """Write a tiny MNIST-format data set; return the arrays and the files' SHA-256."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, N_TRAIN, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, N_TEST, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    digests = {}
    for stem, a in arrays.items():
        name = stem + (".gz" if gz else "")
        save_idx(folder / name, a)
        digests[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return arrays, digests


class Server:
    """http.server on 127.0.0.1 (port chosen by the OS) serving ``folder``; counts requests."""

    def __init__(self, folder):
        requests = self.requests = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def do_GET(self):
                requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No NUMREG_DATA, a private cache, and no system folders: nothing outside tmp_path."""
    monkeypatch.delenv("NUMREG_DATA", raising=False)
    monkeypatch.delenv("NUMREG_MNIST_URL", raising=False)
    monkeypatch.delenv("NUMREG_FASHION_MNIST_URL", raising=False)
    monkeypatch.setenv("NUMREG_CACHE", str(tmp_path / "cache"))
    # Talk to the local server directly, never through a proxy from the environment.
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setattr(mnist_module, "SYSTEM_DIRS",
                        {"mnist": (str(tmp_path / "sys-mnist"),),
                         "fashion-mnist": (str(tmp_path / "sys-fashion"),)})
    return tmp_path


@pytest.fixture
def server(isolated):
    arrays, digests = make_files(isolated / "www")
    srv = Server(isolated / "www")
    srv.arrays, srv.digests = arrays, digests
    yield srv
    srv.close()


def check_loaded(result, arrays):
    (X, y), (Xt, yt) = result
    assert X.shape == (N_TRAIN, 28, 28) and Xt.shape == (N_TEST, 28, 28)
    assert X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X, arrays["train-images-idx3-ubyte"] / np.float32(255))
    np.testing.assert_array_equal(y, arrays["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(Xt, arrays["t10k-images-idx3-ubyte"] / np.float32(255))
    np.testing.assert_array_equal(yt, arrays["t10k-labels-idx1-ubyte"])


def leftovers(folder):
    return sorted(p.name for p in Path(folder).iterdir()) if Path(folder).exists() else []


def test_download_then_reuse(server, isolated):
    root = isolated / "data"
    check_loaded(load_mnist(root=root, download=True, base_url=server.url,
                            checksums=server.digests), server.arrays)
    assert sorted(server.requests) == sorted(f"/{s}.gz" for s in FILES)
    assert leftovers(root) == sorted(s + ".gz" for s in FILES)          # no .part files
    # Second call: found in root, nothing fetched again.
    check_loaded(load_mnist(root=root, download=True, base_url=server.url,
                            checksums=server.digests), server.arrays)
    assert len(server.requests) == 4


def test_download_into_cache_with_env_url(server, isolated, monkeypatch):
    monkeypatch.setenv("NUMREG_FASHION_MNIST_URL", server.url.rstrip("/"))   # no trailing slash
    monkeypatch.setattr(mnist_module, "SHA256", {"fashion-mnist": server.digests})
    check_loaded(load_fashion_mnist(download=True), server.arrays)
    assert leftovers(isolated / "cache" / "fashion-mnist") == sorted(s + ".gz" for s in FILES)
    # Found in the cache without download=True.
    check_loaded(load_fashion_mnist(), server.arrays)
    assert len(server.requests) == 4


def test_only_missing_files_are_fetched(server, isolated):
    root = isolated / "data"
    root.mkdir()
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(
        (isolated / "www" / "t10k-labels-idx1-ubyte.gz").read_bytes())
    load_mnist(root=root, download=True, base_url=server.url, checksums=server.digests)
    assert "/t10k-labels-idx1-ubyte.gz" not in server.requests and len(server.requests) == 3


def test_checksum_mismatch_keeps_nothing(server, isolated):
    root = isolated / "data"
    digests = dict(server.digests)
    bad = "0" * 64
    digests["train-labels-idx1-ubyte.gz"] = bad
    with pytest.raises(ValueError) as info:
        load_mnist(root=root, download=True, base_url=server.url, checksums=digests)
    msg = str(info.value)
    assert "train-labels-idx1-ubyte.gz" in msg and bad in msg
    assert server.digests["train-labels-idx1-ubyte.gz"] in msg
    # The images before it are kept (they were verified); the bad file and any
    # temporary file are gone.
    assert leftovers(root) == ["train-images-idx3-ubyte.gz"]


def test_http_error_leaves_no_partial_file(server, isolated):
    (isolated / "www" / "t10k-images-idx3-ubyte.gz").unlink()          # -> 404
    root = isolated / "data"
    with pytest.raises(urllib.error.HTTPError) as info:
        load_mnist(root=root, download=True, base_url=server.url, checksums=server.digests)
    assert info.value.code == 404
    assert leftovers(root) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]


def test_published_checksums_are_used_by_default(server, isolated):
    # The test server's files are not the real MNIST: the built-in digests reject them.
    with pytest.raises(ValueError, match="SHA-256 mismatch for train-images-idx3-ubyte.gz"):
        load_mnist(root=isolated / "data", download=True, base_url=server.url)
    assert leftovers(isolated / "data") == []


def test_none_digest_skips_check(server, isolated):
    check_loaded(load_mnist(root=isolated / "d", download=True, base_url=server.url,
                            checksums={}), server.arrays)


def test_checksum_table_shape():
    for name in ("mnist", "fashion-mnist"):
        assert sorted(mnist_module.SHA256[name]) == sorted(s + ".gz" for s in FILES)
        assert sorted(mnist_module.RAW_SHA256[name]) == sorted(FILES)
        for table in (mnist_module.SHA256, mnist_module.RAW_SHA256):
            assert all(len(d) == 64 and int(d, 16) >= 0 for d in table[name].values())


# -- the search order ---------------------------------------------------------------

def test_not_found_lists_every_place(isolated, monkeypatch):
    monkeypatch.setenv("NUMREG_DATA", str(isolated / "env"))
    (isolated / "env").mkdir()
    save_idx(isolated / "env" / "train-images-idx3-ubyte", np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(root=isolated / "mine")
    msg = str(info.value)
    for place in [isolated / "mine" / "fashion-mnist", isolated / "mine",
                  isolated / "env" / "fashion-mnist", isolated / "env",
                  isolated / "cache" / "fashion-mnist", isolated / "sys-fashion"]:
        assert str(place) in msg
    assert "missing train-labels-idx1-ubyte" in msg          # the partial folder says what lacks
    assert "download=True" in msg and "apt-get install dataset-fashion-mnist" in msg
    assert "NUMREG_DATA" in msg


def test_search_order_and_raw_files(isolated, monkeypatch):
    env_arrays, _ = make_files(isolated / "env" / "mnist", seed=1, gz=False)   # raw, in subfolder
    sys_arrays, _ = make_files(isolated / "sys-mnist", seed=2)
    monkeypatch.setenv("NUMREG_DATA", str(isolated / "env"))
    check_loaded(load_mnist(), env_arrays)                     # $NUMREG_DATA/mnist before system
    monkeypatch.delenv("NUMREG_DATA")
    check_loaded(load_mnist(), sys_arrays)                     # system folder last
    root_arrays, _ = make_files(isolated / "root", seed=3)
    check_loaded(load_mnist(root=isolated / "root"), root_arrays)   # root first


def test_mismatched_images_and_labels(isolated):
    arrays, _ = make_files(isolated / "d")
    save_idx(isolated / "d" / "train-labels-idx1-ubyte.gz", np.zeros(N_TRAIN - 1, np.uint8))
    with pytest.raises(ValueError, match=f"{N_TRAIN} images .* but {N_TRAIN - 1} labels"):
        load_mnist(root=isolated / "d")
    save_idx(isolated / "d" / "train-labels-idx1-ubyte.gz", np.full(N_TRAIN, 10, np.uint8))
    with pytest.raises(ValueError, match="label 10"):
        load_mnist(root=isolated / "d")
