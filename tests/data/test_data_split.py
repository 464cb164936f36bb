"""train_valid_split, batches, subsample."""
import numpy as np
import pytest

import numreg as nr
from numreg.data import batches, subsample, train_valid_split


@pytest.fixture
def data():
    X = np.arange(100 * 3, dtype=np.float32).reshape(100, 3)
    y = np.arange(100) % 10
    return X, y


# -- train_valid_split ------------------------------------------------------------

def test_split_sizes_and_partition(data):
    X, y = data
    (Xt, yt), (Xv, yv) = train_valid_split(X, y, valid_fraction=0.25, seed=0)
    assert len(Xt) == len(yt) == 75 and len(Xv) == len(yv) == 25
    # Every example in exactly one part, rows kept with their labels.
    rows = np.concatenate([Xt[:, 0], Xv[:, 0]]) / 3
    assert sorted(rows.astype(int)) == list(range(100))
    np.testing.assert_array_equal((Xv[:, 0] / 3).astype(int) % 10, yv)


def test_split_deterministic_and_seed_dependent(data):
    X, y = data
    a = train_valid_split(X, y, seed=3)
    b = train_valid_split(X, y, seed=3)
    c = train_valid_split(X, y, seed=4)
    assert a[1][0].tobytes() == b[1][0].tobytes() and a[0][1].tobytes() == b[0][1].tobytes()
    assert a[1][0].tobytes() != c[1][0].tobytes()


def test_split_rounding_keeps_both_parts_non_empty():
    X, y = np.zeros((3, 2)), np.zeros(3)
    (Xt, _), (Xv, _) = train_valid_split(X, y, valid_fraction=0.01, seed=0)
    assert (len(Xt), len(Xv)) == (2, 1)               # round(0.03) = 0 -> at least 1
    (Xt, _), (Xv, _) = train_valid_split(X, y, valid_fraction=0.99, seed=0)
    assert (len(Xt), len(Xv)) == (1, 2)


@pytest.mark.parametrize("frac", [0, 1, -0.1, 1.5, float("nan"), "0.2", True])
def test_split_bad_fraction(data, frac):
    with pytest.raises(ValueError, match="valid_fraction"):
        train_valid_split(*data, valid_fraction=frac)


def test_split_length_mismatch(data):
    X, y = data
    with pytest.raises(ValueError, match=r"len\(X\)=100 and len\(y\)=99"):
        train_valid_split(X, y[:-1])


# -- batches ----------------------------------------------------------------------

def test_batches_cover_once_in_order_without_shuffle(data):
    X, y = data
    out = list(batches(X, y, 32, shuffle=False))
    assert [len(b[0]) for b in out] == [32, 32, 32, 4]       # 100 = 3*32 + 4
    np.testing.assert_array_equal(np.concatenate([b[0] for b in out]), X)
    assert np.shares_memory(out[0][0], X)                     # views, no copy


def test_batches_shuffle_is_a_permutation_and_reproducible(data):
    X, y = data
    first = np.concatenate([b[1] for b in batches(X, y, 7, rng=0)])
    again = np.concatenate([b[1] for b in batches(X, y, 7, rng=0)])
    assert np.bincount(first).tolist() == [10] * 10
    np.testing.assert_array_equal(first, again)
    # One Generator reused over epochs gives a different order each epoch.
    g = np.random.default_rng(0)
    e1 = np.concatenate([b[0][:, 0] for b in batches(X, y, 7, rng=g)])
    e2 = np.concatenate([b[0][:, 0] for b in batches(X, y, 7, rng=g)])
    assert not np.array_equal(e1, e2) and sorted(e1) == sorted(e2)


@pytest.mark.parametrize("bs", [0, -1, 2.5, "8", None])
def test_batches_bad_size(data, bs):
    with pytest.raises(ValueError, match="batch_size"):
        batches(*data, bs)                 # raised at the call, not at the first next()


def test_batches_length_mismatch(data):
    with pytest.raises(ValueError, match="same length"):
        batches(data[0], data[1][:5], 4)


# -- subsample --------------------------------------------------------------------

def test_subsample_balanced(data):
    X, y = data
    Xs, ys = subsample(X, y, 25, seed=0)
    counts = np.bincount(ys, minlength=10)
    # 25 over 10 classes: five classes get 3, five get 2.
    assert sorted(counts.tolist()) == [2] * 5 + [3] * 5
    # Rows stay with their labels and are distinct.
    np.testing.assert_array_equal((Xs[:, 0] / 3).astype(int) % 10, ys)
    assert len(np.unique(Xs[:, 0])) == 25


def test_subsample_with_a_small_class():
    # Class 0 has 2 examples, classes 1 and 2 have 20: n=12 -> 2 + 5 + 5.
    y = np.array([0] * 2 + [1] * 20 + [2] * 20)
    X = np.arange(len(y))
    _, ys = subsample(X, y, 12, seed=1)
    assert np.bincount(ys).tolist() == [2, 5, 5]
    # n = N takes everything.
    Xs, _ = subsample(X, y, len(y), seed=1)
    assert sorted(Xs.tolist()) == X.tolist()


def test_subsample_deterministic_and_unstratified(data):
    X, y = data
    a = subsample(X, y, 30, seed=5)
    b = subsample(X, y, 30, seed=5)
    assert a[0].tobytes() == b[0].tobytes()
    Xs, ys = subsample(X, y, 30, seed=5, stratified=False)
    assert len(Xs) == 30 and len(np.unique(Xs[:, 0])) == 30
    assert subsample(X, y, 0, seed=0)[0].shape == (0, 3)


@pytest.mark.parametrize("n", [-1, 101, 2.0, True])
def test_subsample_bad_n(data, n):
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 100\]"):
        subsample(*data, n)


def test_subsample_needs_1d_labels_when_stratified():
    with pytest.raises(ValueError, match="1-D class labels"):
        subsample(np.zeros((4, 2)), np.zeros((4, 2)), 2)


def test_load_dataset_by_name_at_a_size():
    (X, y), (Xt, yt) = nr.data.load_dataset("font-digits", n_train=300, n_test=50, seed=1)
    assert X.shape == (300, 28, 28) and Xt.shape == (50, 28, 28) and X.dtype == np.float32
    # the same seed generates the same images as the loader itself
    (X2, _), _ = nr.data.load_font_digits(n_train=300, n_test=50, seed=1)
    np.testing.assert_array_equal(X, X2)
    with pytest.raises(ValueError, match="name='cifar'"):
        nr.data.load_dataset("cifar")
