"""One entry point for the three data sets by name, at a chosen size."""
from ..core import checks
from .fontdigits import load_font_digits
from .mnist import load_fashion_mnist, load_mnist
from .split import subsample

NAMES = ("font-digits", "mnist", "fashion-mnist")


def load_dataset(name="font-digits", n_train=None, n_test=None, seed=0, root=None, download=False):
    """``((X_train, y_train), (X_test, y_test))`` of a data set named on a command line.

    Parameters
    ----------
    name : {"font-digits", "mnist", "fashion-mnist"}, default "font-digits"
        ``"font-digits"`` is generated in code (no file, no network); the
        others are read from their IDX files (see ``load_mnist``).
    n_train, n_test : int or None, default None
        Sizes wanted; None: the whole set (60,000 and 10,000). The font
        digits are generated at that size; the real sets are sub-sampled
        with balanced classes (``subsample``).
    seed : int, default 0
        Seed of the generated images, or of the sub-sampling.
    root, download
        Passed to ``load_mnist`` / ``load_fashion_mnist``.
    """
    name = checks.choice("name", name, NAMES)
    n_train = checks.optional(checks.count, "n_train", n_train)
    n_test = checks.optional(checks.count, "n_test", n_test)
    root = checks.optional(checks.path, "root", root)
    download = checks.flag("download", download)
    if name == "font-digits":
        return load_font_digits(n_train=n_train or 60000, n_test=n_test or 10000, seed=seed)
    loader = load_mnist if name == "mnist" else load_fashion_mnist
    (X, y), (Xt, yt) = loader(root=root, download=download)
    if n_train and n_train < len(X):
        X, y = subsample(X, y, n_train, seed=seed)
    if n_test and n_test < len(Xt):
        Xt, yt = subsample(Xt, yt, n_test, seed=seed)
    return (X, y), (Xt, yt)
