"""Norm constraints (§7.2): MaxNorm on columns, NormBall, and the penalty/constraint duality."""
import numpy as np
import pytest

import numreg as nr
from numreg import analysis


def test_maxnorm_projects_each_column_the_incoming_weights_of_a_unit():
    # columns of W (in=2, out=2): (3, 4) of norm 5 and (0.1, 0.2) of norm 0.224; c = 2
    W = nr.Parameter(np.array([[3.0, 0.1], [4.0, 0.2]]), "W")
    b = nr.Parameter(np.array([10.0, -10.0]), "b", regularized=False)
    nr.MaxNorm(2.0).project([W, b])
    np.testing.assert_allclose(W.data[:, 0], [1.2, 1.6], rtol=1e-15)   # (3, 4) * 2/5
    np.testing.assert_array_equal(W.data[:, 1], [0.1, 0.2])               # inside: untouched, bit for bit
    np.testing.assert_array_equal(b.data, [10.0, -10.0])                  # biases never touched


def test_maxnorm_acts_on_columns_not_rows():
    # W of shape (in=1, out=4): one row of norm 2 > c, four columns of norm 1 < c: nothing to do
    W = nr.Parameter(np.array([[1.0, 1.0, 1.0, 1.0]]), "W")    # (in=1, out=4): row norm 2, column norms 1
    nr.MaxNorm(1.5).project([W])
    np.testing.assert_array_equal(W.data, [[1.0, 1.0, 1.0, 1.0]])
    V = nr.Parameter(np.array([[1.0], [1.0], [1.0], [1.0]]), "W")  # (in=4, out=1): one column of norm 2
    nr.MaxNorm(1.5).project([V])
    np.testing.assert_allclose(V.data, 0.75, rtol=1e-15)


def test_maxnorm_is_the_nearest_feasible_point():
    rng = np.random.default_rng(0)
    W = nr.Parameter(3 * rng.standard_normal((20, 8)), "W")
    W0 = W.data.copy()
    con = nr.MaxNorm(2.0)
    con.project([W])
    norms = np.linalg.norm(W.data, axis=0)
    assert np.all(norms <= 2.0 * (1 + 1e-12))
    d = np.linalg.norm(W.data - W0)
    for _ in range(200):                     # random feasible points are all farther from W0
        Z = rng.standard_normal((20, 8))
        Z *= rng.uniform(0, 2.0, 8) / np.linalg.norm(Z, axis=0)
        assert np.linalg.norm(Z - W0) >= d
    before = W.data.copy()
    con.project([W])                         # idempotent
    np.testing.assert_array_equal(W.data, before)


def test_normball_scales_the_selected_parameters_together():
    # w = (3 | 4) across two parameters: ||w|| = 5; k = 1 -> (0.6 | 0.8)
    a = nr.Parameter(np.array([3.0]), "W")
    b = nr.Parameter(np.array([4.0]), "W")
    bias = nr.Parameter(np.array([100.0]), "b", regularized=False)
    ball = nr.NormBall(1.0)
    assert ball.norm([a, b, bias]) == pytest.approx(5.0)
    ball.project([a, b, bias])
    np.testing.assert_allclose([a.data[0], b.data[0]], [0.6, 0.8], rtol=1e-15)
    assert bias.data[0] == 100.0
    nr.NormBall(1.0, include_biases=True).project([a, b, bias])
    assert np.sqrt(a.data[0] ** 2 + b.data[0] ** 2 + bias.data[0] ** 2) == pytest.approx(1.0, rel=1e-14)
    inside = nr.Parameter(np.array([0.1, 0.2]), "W")
    nr.NormBall(1.0).project([inside])
    np.testing.assert_array_equal(inside.data, [0.1, 0.2])


def test_explicit_selection_and_float32():
    model = nr.mlp(6, (5,), 3, dropout=0.0, seed=0)
    for p in model.parameters():
        p.data *= 100
    last = model[3].W.data.copy()
    nr.MaxNorm(1.0, layers=model[1]).project(model.parameters())
    assert np.all(np.linalg.norm(model[1].W.data, axis=0) <= 1.0 + 1e-6)
    np.testing.assert_array_equal(model[3].W.data, last)               # the other layer untouched
    assert model[1].W.data.dtype == np.float32
    nr.NormBall(2.0, params=[model[3].W]).project(model.parameters())
    assert np.linalg.norm(model[3].W.data) == pytest.approx(2.0, rel=1e-6)


@pytest.mark.parametrize("call, match", [
    (lambda: nr.MaxNorm(-1.0), "c"),
    (lambda: nr.MaxNorm(0.0), "c"),
    (lambda: nr.MaxNorm(float("nan")), "c"),
    (lambda: nr.NormBall(-2.0), "k"),
    (lambda: nr.NormBall(None), "k"),
    (lambda: nr.MaxNorm(2.0, params=[nr.Parameter(np.ones(3), "v")]), "2-D"),
    (lambda: nr.MaxNorm(2.0, params=[nr.Parameter(np.ones(3), "b", regularized=False)]), "include_biases"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_fit_keeps_every_unit_within_max_norm():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((128, 10)).astype(np.float32)
    y = rng.integers(0, 3, 128)
    model = nr.mlp(10, (16, 16), 3, dropout=0.2, seed=0)
    opt = nr.SGD(model.parameters(), lr=0.5, momentum=0.9)        # large steps: the constraint must bite
    con = nr.MaxNorm(0.8)
    nr.fit(model, nr.SoftmaxCrossEntropy(), opt, (X, y), epochs=5, batch_size=32, constraints=[con], seed=0,
           verbose=False)
    norms = np.concatenate(con.column_norms(model.parameters()))
    assert norms.max() <= 0.8 * (1 + 1e-6)
    assert norms.max() >= 0.8 * (1 - 1e-6)                          # and it was active


def test_projected_gradient_descent_with_normball_reaches_the_penalized_solution_at_alpha_star():
    """§7.2: min J s.t. ||w|| <= k has the solution of min J + alpha*/2 ||w||^2 (KKT)."""
    rng = np.random.default_rng(1)
    n, d = 64, 4
    X = rng.standard_normal((n, d)) * [1.0, 2.0, 0.5, 1.5]
    y = X @ np.array([2.0, -1.0, 3.0, 0.5]) + 0.1 * rng.standard_normal(n)
    H = 2 * X.T @ X / n                                  # nr.MSELoss: J = mean (xw - y)^2
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    k = 1.5
    a_star = analysis.constrained_alpha(H, w_star, k)
    assert a_star > 0                                    # w* lies outside the ball: the constraint is active
    w_pen = analysis.l2_shrinkage(H, w_star, a_star)
    lr = 1.0 / np.linalg.eigvalsh(H).max()
    results = {}
    for name, kw in (("constraint", dict(constraints=[nr.NormBall(k)])), ("penalty", dict(penalties=[nr.L2(a_star)]))):
        model = nr.Sequential(nr.Linear(d, 1, bias=False), seed=0).astype(np.float64)
        opt = nr.SGD(model.parameters(), lr=lr)
        nr.fit(model, nr.MSELoss(), opt, (X, y), epochs=3000, batch_size=n, seed=0, verbose=False, **kw)
        results[name] = model[0].W.data[:, 0].copy()
    np.testing.assert_allclose(results["penalty"], w_pen, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(results["constraint"], w_pen, rtol=1e-7, atol=1e-9)
    assert np.linalg.norm(results["constraint"]) == pytest.approx(k, rel=1e-12)
    # inside the ball the constraint is inactive: alpha* = 0 and the result is w*
    assert analysis.constrained_alpha(H, w_star, 2 * np.linalg.norm(w_star)) == 0.0
