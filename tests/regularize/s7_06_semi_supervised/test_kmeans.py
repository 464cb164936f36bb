"""KMeans (§7.6): the distance identity, k-means++ draws, Lloyd's step by hand, determinism, bad input."""
import numpy as np
import pytest

import numreg as nr
from numreg.regularize.s7_06_semi_supervised.kmeans import kmeans_plusplus, lloyd_step, squared_distances


def blobs(n_per=50, centers=((0, 0), (10, 0), (0, 10)), std=0.5, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    C = np.asarray(centers, dtype=np.float64)
    X = np.concatenate([c + std * rng.standard_normal((n_per, C.shape[1])) for c in C])
    y = np.repeat(np.arange(len(C)), n_per)
    return X.astype(dtype), y


def test_squared_distances_match_brute_force():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((7, 5)), rng.standard_normal((3, 5))
    brute = ((A[:, None, :] - B[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_allclose(squared_distances(A, B), brute, rtol=1e-12, atol=1e-12)
    # by hand: (0,0)-(3,4) is 25
    assert squared_distances(np.array([[3.0, 4.0]]), np.zeros((1, 2)))[0, 0] == 25.0


def test_squared_distances_never_negative_in_float32():
    # a point against itself: ||a||^2 - 2 a.a + ||a||^2 cancels to ~0 and may round below 0
    A = (1000 + np.random.default_rng(1).random((200, 30))).astype(np.float32)
    D = squared_distances(A, A)
    assert D.min() >= 0


def test_lloyd_step_by_hand():
    # points 0, 2 | 10, 12 with centres 0 and 10: labels 0 0 1 1, new centres 1 and 11,
    # inertia of the old centres 0 + 4 + 0 + 4 = 8
    X = np.array([[0.0], [2.0], [10.0], [12.0]])
    labels, C, inertia, counts = lloyd_step(X, np.array([[0.0], [10.0]]))
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    np.testing.assert_array_equal(C, [[1.0], [11.0]])
    assert inertia == 8.0
    np.testing.assert_array_equal(counts, [2, 2])


def naive_lloyd(X, C):
    """Loop version, for comparison only."""
    labels = np.array([int(np.argmin([np.sum((x - c) ** 2) for c in C])) for x in X])
    new = np.array([X[labels == j].mean(axis=0) if np.any(labels == j) else C[j] for j in range(len(C))])
    return labels, new


def test_lloyd_step_equals_the_loop_version():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 4))
    C = X[rng.choice(60, 5, replace=False)]
    labels, new, _, _ = lloyd_step(X, C)
    nl, nn = naive_lloyd(X, C)
    np.testing.assert_array_equal(labels, nl)
    np.testing.assert_allclose(new, nn, rtol=1e-12)


def test_kmeans_plusplus_draws_proportional_to_d2():
    # 1-D points 0, 1, 3. When the first centre is 0, D^2 = [0, 1, 9]: the second is
    # the point 1 with probability 1/10 and the point 3 with probability 9/10.
    X = np.array([[0.0], [1.0], [3.0]])
    second = []
    for s in range(4000):
        _, idx = kmeans_plusplus(X, 2, np.random.default_rng(s))
        if idx[0] == 0:
            second.append(idx[1])
    second = np.array(second)
    assert len(second) > 1000  # the first centre is uniform: about 1/3 of 4000
    assert not np.any(second == 0)  # a chosen point has D^2 = 0: never drawn again
    p = np.mean(second == 2)
    se = np.sqrt(0.9 * 0.1 / len(second))
    assert abs(p - 0.9) < 5 * se


def test_kmeans_plusplus_spreads_over_separated_blobs():
    # Uniform seeding hits 3 blobs with 3 draws with probability 3!/27 = 0.22;
    # D^2 seeding nearly always (a second draw in the first blob has weight ~ std^2 / 100).
    X, y = blobs()
    hits = [len(set(y[kmeans_plusplus(X, 3, np.random.default_rng(s))[1]])) == 3 for s in range(100)]
    assert np.mean(hits) >= 0.98


def test_fit_recovers_blobs_and_inertia_is_consistent():
    X, y = blobs()
    km = nr.KMeans(3, seed=0).fit(X)
    assert km.cluster_centers_.dtype == np.float32
    # each cluster is one blob: the contingency table is a permutation
    table = np.zeros((3, 3), int)
    np.add.at(table, (km.labels_, y), 1)
    assert sorted(table.max(axis=1)) == [50, 50, 50]
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    recomputed = np.sum((X.astype(np.float64) - km.cluster_centers_[km.labels_]) ** 2)
    assert km.inertia_ == pytest.approx(recomputed, rel=1e-5)
    assert km.n_iter_ >= 1


def test_inertia_never_increases_along_lloyd():
    X = np.random.default_rng(5).standard_normal((300, 6)).astype(np.float32)
    C, _ = kmeans_plusplus(X, 8, np.random.default_rng(0))
    inertias = []
    for _ in range(15):
        _, C, inertia, _ = lloyd_step(X, C)
        inertias.append(inertia)
    assert all(b <= a * (1 + 1e-6) for a, b in zip(inertias, inertias[1:]))
    assert inertias[-1] < inertias[0]


def test_empty_cluster_is_reseeded():
    X, _ = blobs(n_per=20)
    # centre 2 far from every point: no point goes to it
    C = np.array([[0, 0], [10, 0], [1000, 1000]], np.float32)
    _, _, _, counts = lloyd_step(X, C)
    assert counts[2] == 0
    labels, new, _, counts = lloyd_step(X, C)
    reseeded = nr.KMeans._reseed(X, np.einsum("ij,ij->i", X, X), new, labels, np.array([2]))
    assert np.any(np.all(X == reseeded[2], axis=1))  # moved onto a data point
    km = nr.KMeans(3, seed=0).fit(X)
    assert np.all(np.bincount(km.labels_, minlength=3) > 0)


def test_images_are_flattened_and_same_seed_is_bit_identical():
    X = np.random.default_rng(2).random((120, 6, 6)).astype(np.float32)
    a = nr.KMeans(4, seed=7).fit(X)
    b = nr.KMeans(4, seed=7).fit(X)
    assert a.cluster_centers_.shape == (4, 36)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.inertia_ == b.inertia_
    c = nr.KMeans(4, seed=8, n_init=3).fit(X)
    assert c.inertia_ <= nr.KMeans(4, seed=8).fit(X).inertia_ + 1e-6  # best of 3 includes the first


def test_k_equal_n_gives_zero_inertia():
    X = np.arange(10, dtype=np.float64).reshape(5, 2)
    assert nr.KMeans(5, seed=0).fit(X).inertia_ == 0.0


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k(k):
    with pytest.raises(ValueError, match=f"k={k!r}"):
        nr.KMeans(k)


def test_more_clusters_than_points():
    with pytest.raises(ValueError, match="k=6"):
        nr.KMeans(6).fit(np.zeros((5, 2)))


def test_bad_input_and_unfitted():
    with pytest.raises(ValueError, match="max_iter=0"):
        nr.KMeans(2, max_iter=0)
    with pytest.raises(ValueError, match="tol=-1"):
        nr.KMeans(2, tol=-1)
    with pytest.raises(ValueError, match="non-finite"):
        nr.KMeans(2).fit(np.array([[0.0], [np.nan], [1.0]]))
    with pytest.raises(RuntimeError, match="not fitted"):
        nr.KMeans(2).predict(np.zeros((3, 2)))
    km = nr.KMeans(2, seed=0).fit(np.random.default_rng(0).random((10, 3)))
    with pytest.raises(ValueError, match="3 features"):
        km.predict(np.zeros((2, 4)))


def test_cluster_centers_figure_renders(tmp_path):
    from matplotlib.figure import Figure
    X = np.random.default_rng(0).random((60, 4, 4)).astype(np.float32)
    km = nr.KMeans(6, seed=0).fit(X)
    fig = nr.plots.cluster_centers(km.cluster_centers_, shape=(4, 4), labels=np.array([0, 1, -1, 3, 4, 5]),
                                   ncols=4, title="centres")
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert "?" in titles and "3" in titles
    fig.savefig(tmp_path / "centers.png")
    assert (tmp_path / "centers.png").stat().st_size > 1000
