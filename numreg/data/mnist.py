"""MNIST and Fashion-MNIST: find them on disk, or download and verify them.

Both data sets come as the same four IDX files (gzipped or not)::

    train-images-idx3-ubyte   60000 x 28 x 28 ubyte
    train-labels-idx1-ubyte   60000 ubyte, 0..9
    t10k-images-idx3-ubyte    10000 x 28 x 28 ubyte
    t10k-labels-idx1-ubyte    10000 ubyte, 0..9

Where the loaders look, in order (the first folder holding all four files
wins; a file may be ``name`` or ``name.gz``):

1. ``root`` (the argument) and ``root/<sub>``,
2. ``$NUMREG_DATA`` and ``$NUMREG_DATA/<sub>``,
3. the download cache ``~/.cache/numreg/<sub>`` (``$NUMREG_CACHE/<sub>`` if
   that variable is set),
4. system copies: ``/usr/share/datasets/<sub>``, where Debian's package
   ``dataset-fashion-mnist`` installs Fashion-MNIST.

with ``<sub>`` = ``mnist`` or ``fashion-mnist``. Because both data sets use
the same file names, a folder given as ``root`` or ``$NUMREG_DATA`` that
holds both should keep each in its own ``<sub>`` folder: the subfolder is
looked at first.

With ``download=True`` the missing files are fetched with ``urllib.request``
into ``root`` (or the cache folder), each checked against the SHA-256 digest
in ``SHA256`` and written atomically: nothing half-downloaded or corrupt is
ever left under the final name.
"""
import hashlib
import os
import urllib.request
from pathlib import Path

import numpy as np

from ..core import checks
from ..files import atomic_write
from .idx import load_idx

__all__ = ["load_mnist", "load_fashion_mnist", "SHA256", "RAW_SHA256", "BASE_URLS",
           "FILES", "SYSTEM_DIRS", "cache_dir"]

#: The four files of either data set, without the ``.gz``.
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

#: Default download locations (a base URL; the file name is appended).
#: MNIST: the mirror torchvision uses; Fashion-MNIST: Zalando Research's
#: repository on GitHub.
BASE_URLS = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion-mnist": "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
}

#: Environment variables that override ``BASE_URLS``.
URL_ENV = {"mnist": "NUMREG_MNIST_URL", "fashion-mnist": "NUMREG_FASHION_MNIST_URL"}

#: SHA-256 of the distributed ``.gz`` files (as listed in TensorFlow Datasets'
#: url_checksums for mnist and fashion_mnist). ``download=True`` checks these.
SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
}

#: SHA-256 of the *decompressed* IDX files. Repackaged copies (e.g. Debian's,
#: whose gzip headers differ from the originals) have other ``.gz`` digests
#: but the same content; these digests identify the content itself.
RAW_SHA256 = {
    "mnist": {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
    "fashion-mnist": {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
}

#: System folders searched last.
SYSTEM_DIRS = {
    "mnist": ("/usr/share/datasets/mnist",),
    "fashion-mnist": ("/usr/share/datasets/fashion-mnist",),
}

_TITLES = {"mnist": "MNIST", "fashion-mnist": "Fashion-MNIST"}
_CHUNK = 1 << 16


def cache_dir():
    """numreg's cache folder: ``$NUMREG_CACHE`` if set, else ``~/.cache/numreg``."""
    env = os.environ.get("NUMREG_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "numreg"


def load_mnist(root=None, download=False, base_url=None, checksums=None, timeout=60.0):
    """Load MNIST (LeCun et al.): handwritten digits, 60,000 train + 10,000 test.

    Parameters
    ----------
    root : str, os.PathLike or None, default None
        Folder to look in first (and ``root/mnist``); with ``download=True``,
        where missing files are downloaded. None: search only the standard
        places (see the module docstring) and download into
        ``~/.cache/numreg/mnist``.
    download : bool, default False
        Fetch the files that are not found. If False and the data is not
        found anywhere, raise ``FileNotFoundError``.
    base_url : str or None, default None
        Where to download from (the file name is appended). None means
        ``$NUMREG_MNIST_URL`` if set, else ``BASE_URLS["mnist"]``.
    checksums : dict or None, default None
        ``{file name (with .gz): SHA-256 hex digest or None}`` for the
        download check; a None digest skips the check of that file. None
        means the published digests, ``SHA256["mnist"]``.
    timeout : float, default 60.0
        Seconds to wait for the server on each connection.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        ``X``: float32, shape (n, 28, 28), values in [0, 1] (bytes / 255);
        ``y``: int64, shape (n,), class labels 0..9.

    Raises
    ------
    FileNotFoundError
        If the data is not found and ``download`` is False; the message
        lists every folder searched and how to get the data.
    ValueError
        If a file is corrupt (see ``load_idx``), the shapes of the images
        and labels disagree, or a download fails its SHA-256 check.
    urllib.error.URLError
        If a download fails (no network, HTTP error); nothing is left on disk.
    """
    return _load("mnist", root, download, base_url, checksums, timeout)


def load_fashion_mnist(root=None, download=False, base_url=None, checksums=None, timeout=60.0):
    """Load Fashion-MNIST (Xiao et al. 2017): 28x28 clothing images, 10 classes.

    Same format and sizes as MNIST, and harder; the classes are 0 T-shirt/top,
    1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
    8 Bag, 9 Ankle boot. On Debian and Ubuntu, ``apt-get install
    dataset-fashion-mnist`` puts it in ``/usr/share/datasets/fashion-mnist``,
    which is searched.

    Parameters
    ----------
    root : str, os.PathLike or None, default None
        Folder to look in first (and ``root/fashion-mnist``); with
        ``download=True``, where missing files are downloaded. None: search
        only the standard places and download into
        ``~/.cache/numreg/fashion-mnist``.
    download : bool, default False
        Fetch the files that are not found. If False and the data is not
        found anywhere, raise ``FileNotFoundError``.
    base_url : str or None, default None
        Where to download from (the file name is appended). None means
        ``$NUMREG_FASHION_MNIST_URL`` if set, else
        ``BASE_URLS["fashion-mnist"]``.
    checksums : dict or None, default None
        ``{file name (with .gz): SHA-256 hex digest or None}``; None means
        ``SHA256["fashion-mnist"]``.
    timeout : float, default 60.0
        Seconds to wait for the server on each connection.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        As ``load_mnist``.

    Raises
    ------
    FileNotFoundError, ValueError, urllib.error.URLError
        As ``load_mnist``.
    """
    return _load("fashion-mnist", root, download, base_url, checksums, timeout)


# -- finding the files -----------------------------------------------------------

def _candidates(name, root):
    """Folders to search, in order, without duplicates."""
    places = []
    for base in (root, os.environ.get("NUMREG_DATA") or None):
        if base is not None:
            base = Path(base).expanduser()
            places += [base / name, base]
    places.append(cache_dir() / name)
    places += [Path(p) for p in SYSTEM_DIRS[name]]
    seen, unique = set(), []
    for p in places:
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _file_in(folder, stem):
    """``folder/stem`` or ``folder/stem.gz``, whichever exists (raw first), else None."""
    for candidate in (folder / stem, folder / (stem + ".gz")):
        if candidate.is_file():
            return candidate
    return None


def _find(name, root):
    """``(dict stem -> path, None)`` for the first complete folder, else ``(None, report)``."""
    report = []
    for folder in _candidates(name, root):
        if not folder.is_dir():
            report.append(f"  {folder}  (no such folder)")
            continue
        found = {stem: _file_in(folder, stem) for stem in FILES}
        missing = [stem for stem, path in found.items() if path is None]
        if not missing:
            return found, None
        report.append(f"  {folder}  (missing {', '.join(missing)})")
    return None, report


# -- loading ---------------------------------------------------------------------

def _load(name, root, download, base_url, checksums, timeout):
    root = checks.optional(checks.path, "root", root)
    download = checks.flag("download", download)
    base_url = checks.optional(checks.instance, "base_url", base_url, str, "a URL (a str)")
    checksums = checks.optional(checks.instance, "checksums", checksums, dict, "a dict {file name: SHA-256}")
    timeout = checks.positive("timeout", timeout)
    paths, report = _find(name, root)
    if paths is None:
        if not download:
            raise FileNotFoundError(_not_found_message(name, report))
        target = Path(root).expanduser() if root is not None else cache_dir() / name
        paths = _download(name, target, base_url, checksums, timeout)
    X_train, y_train = _pair(paths["train-images-idx3-ubyte"], paths["train-labels-idx1-ubyte"])
    X_test, y_test = _pair(paths["t10k-images-idx3-ubyte"], paths["t10k-labels-idx1-ubyte"])
    return (X_train, y_train), (X_test, y_test)


def _pair(images_path, labels_path):
    images = load_idx(images_path)
    labels = load_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"expected uint8 images of shape (n, rows, cols) in {str(images_path)!r}, "
                         f"got {images.dtype} of shape {images.shape}")
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise ValueError(f"expected uint8 labels of shape (n,) in {str(labels_path)!r}, "
                         f"got {labels.dtype} of shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images in {str(images_path)!r} but {len(labels)} "
                         f"labels in {str(labels_path)!r}")
    if labels.size and labels.max() > 9:
        raise ValueError(f"labels must be 0..9, got label {int(labels.max())} in {str(labels_path)!r}")
    # One pass from bytes to float32, exactly rounded x / 255.
    X = np.divide(images, np.float32(255), dtype=np.float32)
    return X, labels.astype(np.int64)


def _not_found_message(name, report):
    title = _TITLES[name]
    func = "load_mnist" if name == "mnist" else "load_fashion_mnist"
    lines = [f"{title} not found. Looked for the four files {', '.join(FILES)} "
             f"(each raw or .gz) in:", *report, "To get the data:",
             f"  - download it: numreg.data.{func}(download=True) fetches it from "
             f"{_base_url(name, None)} into {cache_dir() / name} (or into root=...)"]
    if name == "fashion-mnist":
        lines.append("  - on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist "
                     "(installs it in /usr/share/datasets/fashion-mnist)")
    lines.append(f"  - or put the four files in a folder and set NUMREG_DATA to it "
                 f"(or to its parent, with the files in a '{name}' subfolder), or pass root=")
    return "\n".join(lines)


# -- downloading -----------------------------------------------------------------

def _base_url(name, base_url):
    url = base_url or os.environ.get(URL_ENV[name]) or BASE_URLS[name]
    return url if url.endswith("/") else url + "/"


def _download(name, target, base_url, checksums, timeout):
    """Fetch each missing file into ``target``; return the paths of all four."""
    target.mkdir(parents=True, exist_ok=True)
    base = _base_url(name, base_url)
    table = SHA256[name] if checksums is None else checksums
    paths = {}
    for stem in FILES:
        existing = _file_in(target, stem)
        if existing is not None:
            paths[stem] = existing
            continue
        fname = stem + ".gz"
        paths[stem] = fetch(base + fname, target / fname, table.get(fname), timeout=timeout)
    return paths


def fetch(url, path, sha256=None, timeout=60.0):
    """Download ``url`` to ``path`` atomically, checking its SHA-256.

    The bytes go to a temporary file in the same folder while their digest
    is computed; only if the download completes and the digest matches is
    the file renamed to ``path`` (``os.replace``). On any failure the
    temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    url : str
        What to fetch (any scheme ``urllib.request`` opens).
    path : str or os.PathLike
        Final location.
    sha256 : str or None, default None
        Expected hex digest (case-insensitive); None skips the check.
    timeout : float, default 60.0
        Seconds to wait for the server.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the digest does not match: the message names the file and both
        digests.
    urllib.error.URLError
        If the server cannot be reached or answers with an HTTP error.
    """
    path = Path(path)

    def download(out):
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                while chunk := response.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except OSError as e:
            e.add_note(f"while downloading {url} to {path}")
            raise
        got = digest.hexdigest()
        if sha256 is not None and got != sha256.lower():
            raise ValueError(f"SHA-256 mismatch for {path.name} downloaded from {url}: expected "
                             f"{sha256.lower()}, got {got}; the file was not kept")

    atomic_write(path, download)   # renamed to path only if download() returns
    return path
