"""The tangent distance (§7.14; Simard et al. 1993) and nearest neighbour on it."""
import numpy as np
import pytest

import numreg as nr
from numreg.regularize.s7_14_tangent.distance import (TangentNearestNeighbour, pairwise_tangent_distance,
                                                      tangent_distance)


def smooth_images(n, seed, H=16, W=16):
    rng = np.random.default_rng(seed)
    r, c = np.mgrid[:H, :W]
    out = np.zeros((n, H, W))
    for _ in range(3):
        cy, cx = rng.uniform(5, 11, (2, n, 1, 1))
        out += np.exp(-((r - cy) ** 2 + (c - cx) ** 2) / (2 * 2.0 ** 2))
    return out


def lstsq_distance(x, y, Tx, Ty, two_sided=True):
    L = np.concatenate([Tx, -Ty]).T if two_sided else Tx.T
    c = np.linalg.lstsq(L, y - x, rcond=None)[0]
    return np.linalg.norm(x + L @ c - y)


def test_exact_on_a_constructed_case():
    # x = 0 with tangent e1, y = (1, 2, 3, 4) with tangent e2: the best points are (1,0,0,0) and (1,0,3,4)
    x, y = np.zeros((1, 4)), np.array([[1.0, 2, 3, 4]])
    e = np.eye(4)
    Tx, Ty = e[None, [0]], e[None, [1]]
    assert tangent_distance(x, y, Tx, Ty)[0] == pytest.approx(5.0, abs=1e-12)
    assert tangent_distance(x, y, Tx, Ty, two_sided=False)[0] == pytest.approx(np.sqrt(29.0), abs=1e-12)
    assert tangent_distance(x, y, Tx, Ty, squared=True)[0] == pytest.approx(25.0, abs=1e-12)


def test_agrees_with_least_squares_on_random_tangents():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 6, 20))
    Tx, Ty = rng.standard_normal((2, 6, 3, 20))
    d = tangent_distance(x, y, Tx, Ty)
    ref = [lstsq_distance(x[i], y[i], Tx[i], Ty[i]) for i in range(6)]
    assert np.allclose(d, ref, rtol=1e-9)
    d1 = tangent_distance(x, y, Tx, Ty, two_sided=False)
    assert np.allclose(d1, [lstsq_distance(x[i], y[i], Tx[i], Ty[i], False) for i in range(6)], rtol=1e-9)


def test_spring_lies_between_tangent_and_euclidean():
    x, y = smooth_images(4, 1), smooth_images(4, 2)
    td, eu = tangent_distance(x, y), np.linalg.norm((x - y).reshape(4, -1), axis=1)
    sp = tangent_distance(x, y, spring=10.0)
    assert np.all(td <= sp + 1e-12) and np.all(sp <= eu + 1e-12)
    assert np.all(td < eu - 1e-3)


def test_at_most_euclidean_and_symmetric():
    x, y = smooth_images(8, 3), smooth_images(8, 4)
    d = tangent_distance(x, y)
    assert np.all(d <= np.linalg.norm((x - y).reshape(8, -1), axis=1) + 1e-12)
    assert np.allclose(d, tangent_distance(y, x), rtol=1e-10)
    # the one-sided distance is not symmetric in general
    assert not np.allclose(tangent_distance(x, y, two_sided=False), tangent_distance(y, x, two_sided=False))


def render(params, dy=0.0, dx=0.0, angle=0.0, scale=1.0, H=20, W=20, width=2.5):
    """Sums of Gaussian blobs at ``params`` (n, k, 2), drawn exactly after a similarity transform."""
    r, c = np.mgrid[:H, :W]
    centre = np.array([(H - 1) / 2, (W - 1) / 2])
    th = np.deg2rad(angle)
    R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    p = scale * (params - centre) @ R.T + centre + (dy, dx)
    return np.exp(-((r - p[..., 0, None, None]) ** 2 + (c - p[..., 1, None, None]) ** 2)
                  / (2 * (width * scale) ** 2)).sum(axis=1)


BLOBS = np.random.default_rng(5).uniform(7, 13, (3, 3, 2))


@pytest.mark.parametrize("kw", [{"dx": 0.3}, {"dy": -0.2, "dx": 0.1}, {"angle": 3.0}, {"scale": 1.03}])
def test_small_for_a_transformed_copy(kw):
    # the copy is drawn exactly (no interpolation); the tangents are central differences on the grid,
    # whose own error (a few % for these blobs) is all that remains: the first-order change is gone
    x, y = render(BLOBS), render(BLOBS, **kw)
    eu = np.linalg.norm((x - y).reshape(3, -1), axis=1)
    assert np.all(tangent_distance(x, y) < 0.06 * eu)


@pytest.mark.parametrize("name", ["dx", "angle", "scale"])
def test_zero_up_to_second_order_with_exact_tangents(name):
    # with the exact tangent (the derivative of the drawing), d_T is O(t^2) while ||x - y|| is O(t)
    one = {"dx": 1.0, "angle": 1.0, "scale": 0.2}[name]
    at = lambda t: render(BLOBS, **{name: (1.0 + t if name == "scale" else t)}).reshape(3, -1)
    h = 1e-5
    T = ((at(h) - at(-h)) / (2 * h))[:, None]
    x = at(0.0)
    ratios = []
    for t in (0.2 * one, 0.1 * one):
        d = tangent_distance(x, at(t), T, T, two_sided=False)
        ratios.append(d / np.linalg.norm(x - at(t), axis=1))
        assert np.all(d <= np.linalg.norm(x - at(t), axis=1))
    assert np.all(ratios[0] < 0.1)
    assert np.all(ratios[1] < 0.6 * ratios[0])      # d_T / ||x - y|| = O(t): halves with t


def test_pairwise_matches_pairs_and_single_images():
    X, Y = smooth_images(5, 6), smooth_images(7, 7)
    P = pairwise_tangent_distance(X, Y, chunk=2)
    ref = np.array([tangent_distance(np.repeat(X[i:i + 1], 7, 0), Y) for i in range(5)])
    assert np.allclose(P, ref, rtol=1e-10)
    assert np.allclose(pairwise_tangent_distance(X, Y, two_sided=False),
                       [tangent_distance(np.repeat(X[i:i + 1], 7, 0), Y, two_sided=False) for i in range(5)])
    assert tangent_distance(X[0], Y[0]) == pytest.approx(P[0, 0])


def test_nearest_neighbour_beats_euclidean_on_shifted_digits():
    (X, y), _ = nr.data.load_dataset("font-digits", 300, 10, seed=0)
    X = X.reshape(len(X), 28, 28).astype(np.float64)
    train, test = slice(0, 200), slice(200, 300)
    rng = np.random.default_rng(0)
    Xt = nr.image.affine(X[test], shift=rng.uniform(-1.5, 1.5, (100, 2)), angle=rng.uniform(-8, 8, 100))
    knn = TangentNearestNeighbour(("translate_x", "translate_y", "rotate"), sigma=1.0).fit(X[train], y[train])
    acc_td = np.mean(knn.predict(Xt) == y[test])
    d_eu = ((Xt.reshape(100, -1)[:, None] - X[train].reshape(200, -1)[None]) ** 2).sum(-1)
    acc_eu = np.mean(y[train][d_eu.argmin(1)] == y[test])
    assert acc_td > acc_eu + 0.05, (acc_td, acc_eu)


def test_bad_arguments():
    x = np.zeros((2, 5, 5))
    with pytest.raises(ValueError, match="spring"):
        tangent_distance(x, x, spring=-1)
    with pytest.raises(ValueError, match="same number"):
        tangent_distance(x, x[:1])
    with pytest.raises(ValueError, match="tangents_x"):
        tangent_distance(x.reshape(2, -1), x.reshape(2, -1), np.zeros((2, 3, 7)), np.zeros((2, 3, 25)))
    with pytest.raises(ValueError, match="chunk"):
        pairwise_tangent_distance(x, x, chunk=0)
    with pytest.raises(ValueError, match="'bend'"):
        TangentNearestNeighbour(("bend",)).fit(x, [0, 1])
    with pytest.raises(ValueError, match="y must be one image"):       # one image x against a batch y
        tangent_distance(x[0], x[:1])
    with pytest.raises(ValueError, match="x must hold finite"):
        tangent_distance(np.full((5, 5), np.nan), x[0])
    with pytest.raises(TypeError, match="two_sided"):
        pairwise_tangent_distance(x, x, two_sided="no")
    with pytest.raises(ValueError, match="y must have shape"):
        TangentNearestNeighbour().fit(x, [0, 1, 2])


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), t=st.integers(1, 4), D=st.integers(6, 30), spring=st.sampled_from([0.0, 0.1]))
def test_properties_on_random_tangents(seed, t, D, spring):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((2, 3, D))
    Tx, Ty = rng.standard_normal((2, 3, t, D))
    eu = np.linalg.norm(x - y, axis=1)
    two = tangent_distance(x, y, Tx, Ty, spring=spring)
    one = tangent_distance(x, y, Tx, Ty, two_sided=False, spring=spring)
    assert np.all(two <= one + 1e-9 * eu) and np.all(one <= eu * (1 + 1e-12))
    tol = 1e-7 * eu.max()
    assert np.allclose(two, tangent_distance(y, x, Ty, Tx, spring=spring), rtol=1e-7, atol=tol)
    # moving x along its own tangent plane does not change the (spring-free) distance
    if spring == 0.0:
        moved = x + np.einsum("ntd,nt->nd", Tx, rng.standard_normal((3, t)))
        assert np.allclose(tangent_distance(moved, y, Tx, Ty), two, rtol=1e-6, atol=tol)
