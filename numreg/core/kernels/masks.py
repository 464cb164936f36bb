"""Dropout masks from raw generator bits: ``u < q`` with ``u = k / 2^b``, drawing only the bits needed."""
import math

import numpy as np


_UINT = {8: np.uint8, 16: np.uint16, 32: np.uint32}


def bernoulli_bits(rng, q, shape):
    """A boolean array that is True with probability ``q``, independently per entry, from raw bits.

    The mask ``u < q`` for ``u`` uniform, with ``u = k / 2^b`` a ``b``-bit
    binary fraction (``k`` uniform in ``{0, ..., 2^b - 1}``), computed as
    ``k < ceil(q 2^b)``. ``P(u < q) = ceil(q 2^b) / 2^b``: exactly ``q``
    when ``q 2^b`` is an integer, so ``b`` is the fewest of 1, 8 or 16 bits
    for which it is (``q = 0.5``: one bit per entry; ``q = 0.75``: 8 bits),
    and otherwise ``b = 32``, where ``P`` exceeds ``q`` by less than
    ``2^-32`` (finer than the ``2^-24`` of a float32 uniform). The bits are
    the raw 64-bit words of ``rng``'s bit generator, little-endian: entry
    ``i`` takes bits ``[i b, (i + 1) b)`` of the word stream, so restoring
    ``rng.bit_generator.state`` replays the draw.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the bits.
    q : float
        Probability of True, in [0, 1].
    shape : tuple of int
        Shape of the result.

    Returns
    -------
    ndarray of bool, ``shape``

    Notes
    -----
    Only the bits needed are drawn: with ``q = 0.5`` a (256, 128) mask
    takes 512 words of the generator, where 32,768 float32 uniforms
    (``rng.random(shape) < q``) take 16,384 words and ten times as long.
    ``tests/core/test_kernels.py`` checks that the mask equals ``k / 2^b < q``
    computed from the same words.
    """
    n = math.prod(shape)
    bits = bits_per_entry(q)
    threshold = math.ceil(q * 2**bits)                         # keep where k < q 2^b
    words = rng.bit_generator.random_raw(-(-n * bits // 64))   # ceil(n b / 64) words of 64 bits
    if bits == 1:
        k = np.unpackbits(words.view(np.uint8), count=n, bitorder="little")  # one bit per entry
    else:
        k = words.view(_UINT[bits])[:n]                        # 64/b entries per word
    return (k < threshold).reshape(shape)


def bits_per_entry(q):
    """The ``b`` that :func:`bernoulli_bits` uses for probability ``q``: 1, 8, 16 or 32.

    Parameters
    ----------
    q : float
        Probability of True, in [0, 1]: the fewest of 1, 8, 16 bits for which ``q 2^b`` is an
        integer, else 32.
    """
    return next((b for b in (1, 8, 16) if (q * 2**b).is_integer()), 32)
