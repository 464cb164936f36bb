"""Norm penalties (§7.1): values by hand, gradients by central differences, selection, prox."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_model


def _params():
    """A weight W = [[1, -2], [3, 0]] and a bias b = [5], as in a Linear layer."""
    W = nr.Parameter(np.array([[1.0, -2.0], [3.0, 0.0]]), "W", regularized=True)
    b = nr.Parameter(np.array([5.0]), "b", regularized=False)
    return [W, b]


def _small_model(seed=0, act=nr.Tanh):
    return nr.Sequential(nr.Linear(5, 4), act(), nr.Linear(4, 3), seed=seed).astype(np.float64)


def _batch(seed=0, n=6):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 5)), rng.integers(0, 3, n)


# ---------------------------------------------------------------------------
# values and gradients by hand

def test_L2_value_and_gradient_by_hand():
    W, b = params = _params()
    pen = nr.L2(0.1)
    # alpha/2 ||W||^2 = 0.05 * (1 + 4 + 9 + 0) = 0.7; the bias is left out
    assert pen.value(params) == pytest.approx(0.7, rel=1e-15)
    pen.add_grad(params)
    np.testing.assert_array_equal(W.grad, 0.1 * W.data)     # + alpha w: descent shrinks w
    np.testing.assert_array_equal(b.grad, [0.0])
    # include_biases: + 0.05 * 25
    assert nr.L2(0.1, include_biases=True).value(params) == pytest.approx(1.95, rel=1e-15)


def test_L1_and_ElasticNet_values_and_gradients_by_hand():
    W, b = params = _params()
    assert nr.L1(0.1).value(params) == pytest.approx(0.6, rel=1e-15)              # 0.1 * (1+2+3+0)
    assert nr.ElasticNet(0.1, 0.2).value(params) == pytest.approx(0.6 + 1.4, rel=1e-15)
    nr.L1(0.1, method="prox").add_grad(params)                                    # prox: no gradient
    np.testing.assert_array_equal(W.grad, 0.0)
    nr.L1(0.1, method="subgradient").add_grad(params)
    np.testing.assert_allclose(W.grad, [[0.1, -0.1], [0.1, 0.0]])                 # alpha sign(w), sign(0) = 0
    W.grad[...] = 0
    nr.ElasticNet(0.1, 0.2, method="subgradient").add_grad(params)
    np.testing.assert_allclose(W.grad, [[0.1 + 0.2, -0.1 - 0.4], [0.1 + 0.6, 0.0]])
    np.testing.assert_array_equal(b.grad, [0.0])


def test_prox_is_the_soft_thresholding_of_eq_7_23():
    # t = lr * alpha = 0.5 * 0.2 = 0.1: 0.5 -> 0.4, -0.05 -> 0, 0.1 -> 0 (|w| == t), -0.3 -> -0.2
    p = nr.Parameter(np.array([0.5, -0.05, 0.1, -0.3, 0.0]), "W")
    nr.L1(0.2).prox([p], lr=0.5)
    np.testing.assert_allclose(p.data, [0.4, 0.0, 0.0, -0.2, 0.0], rtol=1e-15)
    assert np.count_nonzero(p.data == 0) == 3                                    # exact zeros
    # it is the minimizer of 1/(2 lr) (z - w)^2 + alpha |z|, checked on a fine grid
    w0, lr, alpha = 0.37, 0.5, 0.3
    q = nr.Parameter(np.array([w0]), "W")
    nr.L1(alpha).prox([q], lr)
    z = np.linspace(-1, 1, 200001)
    assert q.data[0] == pytest.approx(z[np.argmin((z - w0) ** 2 / (2 * lr) + alpha * np.abs(z))], abs=2e-5)
    # the subgradient method's prox does nothing; so does ElasticNet's
    r = nr.Parameter(np.array([0.05, -0.5]), "W")
    nr.L1(0.2, method="subgradient").prox([r], 0.5)
    nr.ElasticNet(0.2, 0.1, method="subgradient").prox([r], 0.5)
    np.testing.assert_array_equal(r.data, [0.05, -0.5])
    nr.ElasticNet(0.2, 0.1).prox([r], 0.5)
    np.testing.assert_allclose(r.data, [0.0, -0.4])


def test_float32_stays_float32():
    W = nr.Parameter(np.ones((3, 2), np.float32), "W")
    for pen in (nr.L2(0.1), nr.L1(0.1, method="subgradient"), nr.ElasticNet(0.1, 0.1)):
        pen.add_grad([W])
        assert isinstance(pen.value([W]), float)
    nr.L1(0.1).prox([W], 0.1)
    assert W.data.dtype == np.float32 and W.grad.dtype == np.float32


# ---------------------------------------------------------------------------
# central differences (float64)

@pytest.mark.parametrize("make", [
    lambda m: nr.L2(0.3),
    lambda m: nr.L2(0.3, include_biases=True),
    lambda m: nr.L1(0.2, method="subgradient"),
    lambda m: nr.ElasticNet(0.2, 0.5, method="subgradient"),
    lambda m: nr.ElasticNet(0.0, 0.5),                          # prox with l1 = 0: pure L2 part
    lambda m: nr.L2(0.7, layers=m[2]),
    lambda m: nr.L1(0.4, method="subgradient", params=[m[0].W]),
], ids=["L2", "L2+biases", "L1-subgradient", "ElasticNet-subgradient", "ElasticNet-l2", "L2-layer", "L1-param"])
def test_penalty_gradients_pass_central_differences(make):
    model = _small_model()
    x, y = _batch()
    pen = make(model)
    err = check_model(model, nr.SoftmaxCrossEntropy(), x, y, penalties=[pen])
    assert err < 1e-7


def test_the_gradient_check_would_catch_a_wrong_sign_or_a_missing_term():
    model = _small_model()
    x, y = _batch()

    class WrongSign(nr.L2):
        def add_grad(self, params):
            for p in self.selected(params):
                p.grad -= self.alpha * p.data

    class NoGrad(nr.L2):
        def add_grad(self, params):
            pass

    assert check_model(model, nr.SoftmaxCrossEntropy(), x, y, penalties=[WrongSign(0.3)]) > 1e-2
    assert check_model(model, nr.SoftmaxCrossEntropy(), x, y, penalties=[NoGrad(0.3)]) > 1e-2


# ---------------------------------------------------------------------------
# selection

def test_default_selection_is_the_weights_of_every_layer_never_the_biases():
    model = nr.mlp(6, (5, 4), 3, seed=0)
    sel = nr.L2(1.0).selected(model.parameters())
    assert [p.name for p in sel] == ["W", "W", "W"]
    # an explicit list of all parameters still leaves the biases out ...
    assert all(p.regularized for p in nr.L2(1.0, params=model.parameters()).selected([]))
    # ... unless asked
    assert len(nr.L2(1.0, params=model.parameters(), include_biases=True).selected([])) == 6


def test_different_layers_get_different_alpha():
    model = nr.mlp(6, (5,), 3, dropout=0.0, seed=0).astype(np.float64)
    first, last = model[1], model[3]
    pens = [nr.L2(0.1, layers=first), nr.L2(10.0, layers=[last])]
    params = model.parameters()
    for p in params:
        p.grad[...] = 0
    for pen in pens:
        pen.add_grad(params)
    np.testing.assert_allclose(first.W.grad, 0.1 * first.W.data)
    np.testing.assert_allclose(last.W.grad, 10.0 * last.W.data)
    assert np.all(first.b.grad == 0) and np.all(last.b.grad == 0)
    total = sum(pen.value(params) for pen in pens)
    assert total == pytest.approx(0.05 * np.sum(first.W.data ** 2) + 5.0 * np.sum(last.W.data ** 2))


@pytest.mark.parametrize("call, match", [
    (lambda: nr.L2(-0.1), "alpha"),
    (lambda: nr.L2(float("nan")), "alpha"),
    (lambda: nr.L2("0.1"), "alpha"),
    (lambda: nr.L1(-1.0), "alpha"),
    (lambda: nr.L1(0.1, method="lasso"), "method"),
    (lambda: nr.ElasticNet(-0.1, 0.1), "l1"),
    (lambda: nr.ElasticNet(0.1, float("inf")), "l2"),
    (lambda: nr.ElasticNet(0.1, 0.1, method="ista"), "method"),
    (lambda: nr.L2(0.1, params=[nr.Parameter(np.zeros(2), "b", regularized=False)]), "include_biases"),
    (lambda: nr.L2(0.1, params=[1, 2]), "params"),
    (lambda: nr.L2(0.1, layers=nr.ReLU()), "layers"),
    (lambda: nr.L2(0.1, layers=nr.Linear(2, 2), params=[]), "not both"),
    (lambda: nr.L1(0.1).prox(_params(), -1.0), "lr"),
])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------
# in nr.fit

def _regression(n=64, d=10, seed=0):
    """y depends on the first 3 features only; the other 7 are noise features."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = np.zeros(d)
    w[:3] = [2.0, -1.5, 1.0]
    return X, X @ w + 0.1 * rng.standard_normal(n)


def test_fit_reports_data_loss_and_total_and_alpha_is_not_divided_by_the_batch_size():
    X, y = _regression()
    gaps = []
    for batch_size in (8, 64):
        model = nr.Sequential(nr.Linear(10, 1), seed=0).astype(np.float64)
        omega = 0.5 * np.sum(model[0].W.data ** 2)
        opt = nr.SGD(model.parameters(), lr=1e-12)      # the weights do not move: Omega stays put
        h = nr.fit(model, nr.MSELoss(), opt, (X, y), epochs=1, batch_size=batch_size, penalties=[nr.L2(0.3)],
                   seed=0, verbose=False)
        gaps.append(h.train_loss[0] - h.train_data_loss[0])
        assert gaps[-1] == pytest.approx(0.3 * omega, rel=1e-9)
    assert gaps[0] == pytest.approx(gaps[1], rel=1e-9)


def test_prox_gives_exact_zeros_and_the_subgradient_small_nonzeros():
    """The teaching point of §7.1.2: the same penalty, two optimizers, two kinds of 'zero'."""
    X, y = _regression(n=200)
    results = {}
    for method in ("prox", "subgradient"):
        model = nr.Sequential(nr.Linear(10, 1), seed=0).astype(np.float64)
        opt = nr.SGD(model.parameters(), lr=0.05)
        nr.fit(model, nr.MSELoss(), opt, (X, y), epochs=300, batch_size=200,
               penalties=[nr.L1(0.1, method=method)], seed=0, verbose=False)
        results[method] = model[0].W.data[:, 0].copy()
    prox, sub = results["prox"], results["subgradient"]
    assert np.all(prox[3:] == 0.0)                     # the 7 noise features: exactly 0
    assert np.all(prox[:3] != 0.0)
    assert np.count_nonzero(sub == 0.0) == 0           # never exactly 0 ...
    assert np.max(np.abs(sub[3:])) < 0.05              # ... but small: they oscillate around 0
    np.testing.assert_allclose(sub[:3], prox[:3], atol=0.1)


def test_fit_with_penalties_is_deterministic():
    X, y = _regression()
    runs = []
    for _ in range(2):
        model = nr.mlp(10, (8,), 1, dropout=0.5, seed=3)
        opt = nr.Adam(model.parameters(), lr=1e-2)
        pens = [nr.L2(1e-2, layers=model[1]), nr.L1(1e-3), nr.ElasticNet(1e-3, 1e-3, method="subgradient")]
        h = nr.fit(model, nr.MSELoss(), opt, (X.astype(np.float32), y.astype(np.float32)), epochs=3,
                   batch_size=16, penalties=pens, seed=1, verbose=False)
        runs.append((h.train_loss, [p.data.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


def test_zero_alpha_is_exactly_no_penalty():
    X, y = _regression()
    outs = []
    for pens in ([], [nr.L2(0.0), nr.L1(0.0), nr.ElasticNet(0.0, 0.0, method="subgradient")]):
        model = nr.Sequential(nr.Linear(10, 1), seed=0)
        opt = nr.SGD(model.parameters(), lr=0.01)
        nr.fit(model, nr.MSELoss(), opt, (X, y), epochs=2, batch_size=16, penalties=pens, seed=0, verbose=False)
        outs.append(model[0].W.data.copy())
    assert np.array_equal(outs[0], outs[1])
