"""Dropout masks from raw bits (``numreg.regularize.s7_12_dropout.dropout.bernoulli``): exact keep probability, replay, cost."""
import types

import numpy as np
import pytest

import numreg as nr
from numreg.regularize.s7_12_dropout.dropout import bernoulli


def fixed_bits(words):
    """A stand-in generator whose bit generator returns the given 64-bit words, in order."""
    words = np.asarray(words, dtype=np.uint64)
    pos = [0]

    def random_raw(size):
        out = words[pos[0]:pos[0] + size]
        pos[0] += size
        assert len(out) == size, "the stub ran out of words"
        return out

    return types.SimpleNamespace(bit_generator=types.SimpleNamespace(random_raw=random_raw))


def test_one_bit_per_entry_for_p_one_half_worked_by_hand():
    # q = 0.5: one bit per entry, kept where the bit is 0. Word 0x...0005 = bits 1,0,1,0,0,... from bit 0 up
    # (entry i takes bit i of the little-endian word), so entries 0 and 2 are dropped, the rest of the 64 kept.
    m = bernoulli(fixed_bits([0b101]), 0.5, (2, 32))
    expected = np.ones(64, bool)
    expected[[0, 2]] = False
    np.testing.assert_array_equal(m.ravel(), expected)


def test_eight_bits_give_exactly_three_quarters():
    # q = 0.75 = 192/256: one byte per entry, kept where byte < 192. Words holding every byte 0..255 once
    # keep exactly 192 of the 256 entries: the probability is 0.75 exactly, not a rounding of it.
    words = np.arange(256, dtype=np.uint8).view(np.uint64)
    m = bernoulli(fixed_bits(words), 0.75, (256,))
    assert m.sum() == 192
    np.testing.assert_array_equal(m, np.arange(256) < 192)


def test_thirty_two_bits_threshold_is_within_two_to_the_minus_32():
    # q = 0.7 is not a multiple of 2^-16: 32-bit entries, kept where k < ceil(0.7 * 2^32) = 3006477108.
    T = 3006477108
    assert 0 <= T / 2**32 - 0.7 < 2.0**-32
    words = np.array([T - 1, T, 0, 2**32 - 1], dtype=np.uint32).view(np.uint64)
    m = bernoulli(fixed_bits(words), 0.7, (4,))
    np.testing.assert_array_equal(m, [True, False, True, False])


@pytest.mark.parametrize("q, words_used", [(0.5, 512), (0.75, 4096), (0.7, 16384)])
def test_draws_only_the_bits_it_needs(q, words_used):
    # (256, 128) = 32,768 entries: 1 bit each for q = 0.5, 8 for 0.75, 32 for 0.7 (64-bit words)
    a, b = np.random.default_rng(0), np.random.default_rng(0)
    bernoulli(a, q, (256, 128))
    b.bit_generator.random_raw(words_used)
    assert a.bit_generator.state == b.bit_generator.state


@pytest.mark.parametrize("p", [0.5, 0.25, 0.3, 0.9, 0.01])
def test_keep_rate_in_float32_and_float64(p):
    # 10^6 Bernoulli(1 - p) draws: standard error sqrt(p (1 - p) / 1e6) <= 0.0005; 5 sigma <= 0.0025
    for dtype in (np.float32, np.float64):
        y = nr.Dropout(p, seed=7)(np.ones((1000, 1000), dtype))
        kept = y != 0
        assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / 1e6)
        assert y.dtype == dtype
        np.testing.assert_array_equal(y[kept], dtype(1 / (1 - p)))


def test_units_are_independent():
    # neighbouring entries share a word: their masks must still be uncorrelated (and not all equal)
    m = nr.Dropout(0.5, seed=3).sample_mask((1000, 256)).astype(float)
    corr = np.corrcoef(m[:, :-1].ravel(), m[:, 1:].ravel())[0, 1]
    assert abs(corr) < 5 / np.sqrt(m.size)                       # 5 sigma of a zero correlation
    assert 0.4 < m.mean(axis=0).min() and m.mean(axis=0).max() < 0.6  # every column kept about half the time


def test_restoring_the_generator_replays_the_mask():
    d = nr.Dropout(0.5, seed=1)
    x = np.ones((8, 100), np.float32)
    state = d.rng.bit_generator.state
    y1 = d(x)
    d.rng.bit_generator.state = state
    np.testing.assert_array_equal(d(x), y1)
    assert not np.array_equal(d(x), y1)  # a new draw differs
