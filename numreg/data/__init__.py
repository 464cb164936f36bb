"""Data: IDX files, MNIST / Fashion-MNIST, the embedded font-digit set, splitting and batching.

- ``load_idx`` / ``save_idx``: the IDX file format MNIST is distributed in.
- ``load_mnist`` / ``load_fashion_mnist``: the real data sets, found on disk
  (``root``, ``$NUMREG_DATA``, ``~/.cache/numreg``, ``/usr/share/datasets``)
  or downloaded with ``download=True`` and checked against SHA-256 digests.
- ``load_font_digits``: an MNIST-shaped data set of digits rendered from the
  fonts matplotlib ships, generated in code from a seed: no network, no file.
- ``train_valid_split``, ``batches``, ``subsample``: validation sets,
  mini-batches, and balanced small training sets.
"""
from .idx import load_idx, save_idx
from .mnist import load_mnist, load_fashion_mnist
from .fontdigits import load_font_digits
from .split import train_valid_split, batches, subsample
from .datasets import load_dataset

__all__ = ["load_idx", "save_idx", "load_mnist", "load_fashion_mnist", "load_font_digits",
           "train_valid_split", "batches", "subsample", "load_dataset"]
