"""Bagging (§7.11): bootstrap resamples, averaged probabilities, and v/k + (k-1)c/k worked by hand."""
import numpy as np
import pytest

import numreg as nr
from numreg.regularize.s7_11_bagging.bagging import bootstrap_indices


def constant_model(p):
    """A model predicting the class distribution p for every input: logits log p, weights 0."""
    lin = nr.Linear(2, len(p), dtype=np.float64)
    lin.W.data[...] = 0
    lin.b.data[...] = np.log(p)
    return nr.Sequential(lin)


def test_bootstrap_keeps_about_two_thirds_distinct():
    # E[distinct]/n = 1 - (1 - 1/n)^n -> 1 - 1/e = 0.632; for n = 1000 its sd is about 0.0099
    rng = np.random.default_rng(0)
    n = 1000
    fr = [len(np.unique(bootstrap_indices(n, rng))) / n for _ in range(100)]
    expected = 1 - (1 - 1 / n) ** n
    assert abs(np.mean(fr) - expected) < 5 * 0.0099 / np.sqrt(100)


def test_report_worked_by_hand():
    # One example of class 0. Member 1 predicts [0.8, 0.2], member 2 [0.4, 0.6]:
    # eps_1 = [-0.2, 0.2], eps_2 = [-0.6, 0.6]; v = (0.08 + 0.72)/2 = 0.4, c = 0.12 + 0.12 = 0.24,
    # v/k + (k-1)c/k = 0.2 + 0.12 = 0.32 = ||mean eps||^2 = ||[-0.4, 0.4]||^2.
    bag = nr.Bagging(lambda s: None, k=2)
    bag.members = [constant_model([0.8, 0.2]), constant_model([0.4, 0.6])]
    r = bag.report(np.zeros((1, 2)), np.array([0]))
    assert r.v == pytest.approx(0.4)
    assert r.c == pytest.approx(0.24)
    assert r.rho == pytest.approx(0.6)
    assert r.member_sq_error == pytest.approx([0.08, 0.72])
    assert r.predicted_sq_error == pytest.approx(0.32)
    assert r.ensemble_sq_error == pytest.approx(0.32)
    assert r.member_error == [0.0, 1.0]
    assert r.ensemble_error == 0.0
    np.testing.assert_allclose(bag.predict_proba(np.zeros((1, 2))), [[0.6, 0.4]])


def blobs(n_per, seed, std=2.0):
    rng = np.random.default_rng(seed)
    C = np.array([[0, 0], [4, 0], [0, 4]], float)
    X = np.concatenate([c + std * rng.standard_normal((n_per, 2)) for c in C]).astype(np.float32)
    return X, np.repeat(np.arange(3), n_per)


def make(seed):
    return nr.mlp(2, (32,), 3, dropout=0.0, seed=seed)


@pytest.fixture(scope="module")
def fitted():
    X, y = blobs(40, 0)
    bag = nr.Bagging(make, k=5, seed=0, make_optimizer=lambda m: nr.Adam(m.parameters(), lr=1e-2))
    bag.fit(X, y, epochs=30, batch_size=20)
    return bag, X, y


def test_members_see_different_resamples(fitted):
    bag, X, y = fitted
    assert len(bag.members) == 5
    assert len({tuple(r) for r in bag.resamples}) == 5
    Xt, yt = blobs(300, 1)
    r = bag.report(Xt, yt)
    assert all(0.5 < f < 0.75 for f in r.distinct_fraction)
    assert r.c < r.v  # members' errors are not perfectly correlated ...
    assert r.ensemble_sq_error < r.v  # ... so the average beats a typical member
    assert r.ensemble_sq_error == pytest.approx(r.predicted_sq_error, rel=1e-12)  # the identity of §7.11
    assert 0 < r.error_correlation < 1
    assert r.ensemble_error <= np.mean(r.member_error) + 0.01
    assert "v/k + (k-1)c/k" in str(r)


def test_same_seed_same_ensemble(fitted):
    bag, X, y = fitted
    again = nr.Bagging(make, k=5, seed=0, make_optimizer=lambda m: nr.Adam(m.parameters(), lr=1e-2))
    again.fit(X, y, epochs=30, batch_size=20)
    np.testing.assert_array_equal(again.predict_proba(X), bag.predict_proba(X))


def test_one_member():
    bag = nr.Bagging(lambda s: None, k=1)
    bag.members = [constant_model([0.7, 0.3])]
    r = bag.report(np.zeros((3, 2)), np.array([0, 1, 0]))
    assert r.c == 0.0 and r.predicted_sq_error == pytest.approx(r.v)


def test_bad_input():
    with pytest.raises(ValueError, match="k=0"):
        nr.Bagging(make, k=0)
    with pytest.raises(ValueError, match="make_model"):
        nr.Bagging(3, k=2)
    with pytest.raises(RuntimeError, match="not fitted"):
        nr.Bagging(make, k=2).predict(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="one target per example"):
        nr.Bagging(make, k=2).fit(np.zeros((4, 2)), np.zeros(3, int))


def test_bagging_curve_figure_renders(tmp_path):
    # v = 0.4, c = 0.24: the curve starts at v and tends to c
    fig = nr.plots.bagging_curve([1, 2, 3], [0.4, 0.32, 0.2933], v=0.4, c=0.24, member_sq_error=[0.38, 0.42],
                                 title="bagging")
    ax = fig.axes[0]
    curve = ax.lines[0].get_ydata()
    assert curve[0] == pytest.approx(0.4) and curve[-1] == pytest.approx(0.4 / 3 + 2 * 0.24 / 3)
    assert len(ax.get_legend().get_texts()) == 4
    fig.savefig(tmp_path / "bagging.png")
    assert (tmp_path / "bagging.png").stat().st_size > 1000
