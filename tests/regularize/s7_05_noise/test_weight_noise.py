"""nr.WeightNoise (§7.5, Eq. 7.30-7.31): perturb/restore, statistics, gradient with the draw fixed,
and the noisy objective against J + eta E||grad_W yhat||^2 (nr.analysis.weight_noise_penalty)."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import numerical_gradient, rel_error


def small_model(seed=0):
    return nr.Sequential(nr.Linear(5, 4), nr.Tanh(), nr.Linear(4, 3), seed=seed).astype(np.float64)


def test_top_level_name():
    assert nr.WeightNoise is nr.regularize.s7_05_noise.noise.WeightNoise


@pytest.mark.parametrize("eta", [-1e-3, float("nan"), float("inf")])
def test_bad_eta(eta):
    with pytest.raises(ValueError, match="eta"):
        nr.WeightNoise(eta)


def test_weights_only_by_default_biases_on_request():
    model = small_model()
    params = model.parameters()
    before = [p.data.copy() for p in params]
    wn = nr.WeightNoise(0.01, seed=0)
    wn.perturb(params)
    changed = [not np.array_equal(b, p.data) for b, p in zip(before, params)]
    assert changed == [p.regularized for p in params] == [True, False, True, False]
    wn.restore(params)
    wn = nr.WeightNoise(0.01, seed=0, biases=True)
    wn.perturb(params)
    assert all(not np.array_equal(b, p.data) for b, p in zip(before, params))
    wn.restore(params)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_restore_is_bit_exact(dtype):
    # Subtracting the noise again would not be exact: in float32,
    # (0.1 + 1000.3) - 1000.3 = 0.099975586 != 0.1. restore copies the originals back.
    w, e = dtype(0.1), dtype(1000.3)
    assert (w + e) - e != w
    model = nr.Sequential(nr.Linear(30, 20), nr.ReLU(), nr.Linear(20, 5), seed=1).astype(dtype)
    params = model.parameters()
    before = [p.data.copy() for p in params]
    wn = nr.WeightNoise(1e6, seed=2, biases=True)       # noise of std 1000, where rounding shows
    for _ in range(5):
        wn.perturb(params)
        assert all(p.data.dtype == dtype for p in params)
        wn.restore(params)
    for b, p in zip(before, params):
        np.testing.assert_array_equal(p.data, b)
    # the arrays are the same objects (optimizers keep references to them)
    assert all(p.data is q.data for p, q in zip(params, model.parameters()))


def test_misuse_raises():
    params = small_model().parameters()
    wn = nr.WeightNoise(0.1)
    with pytest.raises(RuntimeError, match="perturb"):
        wn.restore(params)
    wn.perturb(params)
    with pytest.raises(RuntimeError, match="restore"):
        wn.perturb(params)


def test_noise_statistics_eta_is_a_variance():
    # eta = 0.04 is the variance: the standard deviation is 0.2 (not 0.04, not 0.2^2).
    eta = 0.04
    W = nr.Parameter(np.zeros((400, 250), np.float32), "W")
    wn = nr.WeightNoise(eta, seed=3)
    wn.perturb([W])
    eps = W.data.astype(np.float64)
    n = eps.size
    assert np.array_equal(eps, wn.noise[0])
    assert abs(eps.mean()) < 4 * np.sqrt(eta / n)                    # SE 6.3e-4
    assert abs(eps.var() - eta) < 4 * eta * np.sqrt(2 / n)          # SE 1.8e-4
    assert abs(np.mean(np.abs(eps) < np.sqrt(eta)) - 0.6827) < 0.006
    # each presentation gets a new draw
    wn.restore([W])
    wn.perturb([W])
    assert not np.array_equal(W.data, eps.astype(np.float32))
    wn.restore([W])
    np.testing.assert_array_equal(W.data, 0)


def test_same_seed_same_draws():
    p1, p2 = small_model().parameters(), small_model().parameters()
    a, b = nr.WeightNoise(0.1, seed=7), nr.WeightNoise(0.1, seed=7)
    for _ in range(3):
        a.perturb(p1)
        b.perturb(p2)
        for x, y in zip(p1, p2):
            np.testing.assert_array_equal(x.data, y.data)
        a.restore(p1)
        b.restore(p2)


def test_eta_zero_is_the_identity():
    params = small_model().parameters()
    before = [p.data.copy() for p in params]
    wn = nr.WeightNoise(0.0, seed=0)
    wn.perturb(params)
    for b, p in zip(before, params):
        np.testing.assert_array_equal(p.data, b)
    wn.restore(params)


def test_gradient_check_with_the_perturbation_fixed():
    # The step uses grad J at W + eps (eps fixed). Check it by central differences of
    # f(W) = J(W + eps), with the generator rewound so that every call draws the same eps.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5))
    y = np.array([0, 1, 2, 2, 1, 0])
    model, crit = small_model(), nr.SoftmaxCrossEntropy()
    params = model.parameters()
    wn = nr.WeightNoise(0.05, seed=11, biases=True)
    state = wn.rng.bit_generator.state

    def J():
        wn.rng.bit_generator.state = state
        wn.perturb(params)
        loss = crit(model(x), y)
        wn.restore(params)
        return loss

    J()                                  # as fit: perturb, forward, backward, restore
    wn.rng.bit_generator.state = state
    for p in params:
        p.zero_grad()
    wn.perturb(params)
    crit(model(x), y)
    model.backward(crit.backward())
    wn.restore(params)
    analytic = [p.grad.copy() for p in params]
    numeric = [numerical_gradient(J, p.data) for p in params]
    assert max(rel_error(a, n) for a, n in zip(analytic, numeric)) < 1e-7
    # The check can fail: the gradient at the unperturbed weights is a different thing.
    for p in params:
        p.zero_grad()
    crit(model(x), y)
    model.backward(crit.backward())
    assert max(rel_error(p.grad, n) for p, n in zip(params, numeric)) > 1e-3


def per_example_grad_sq(model, x):
    """||grad_W yhat(x)||^2 for each example (scalar output), over the regularized weights."""
    out = []
    for i in range(len(x)):                     # a test helper: a few examples
        for p in model.parameters():
            p.zero_grad()
        model(x[i:i + 1])
        model.backward(np.ones((1, 1)))
        out.append(sum(float(np.sum(p.grad ** 2)) for p in model.parameters() if p.regularized))
    return np.array(out)


def noisy_losses(model, x, y, wn, draws):
    crit, params = nr.MSELoss(), model.parameters()
    losses = np.empty(draws)
    for k in range(draws):
        wn.perturb(params)
        losses[k] = crit(model(x), y)
        wn.restore(params)
    return losses


def test_noisy_objective_linear_model_equals_J_plus_eta_grad_norm():
    # yhat = x.w + b is linear in w, grad_w yhat = x: the identity is exact for every eta,
    # E[(x.(w + eps) + b - y)^2] = (yhat - y)^2 + eta ||x||^2. Worked case: x = (1, 2),
    # eta = 0.1 -> the penalty is 0.1 * 5 = 0.5 on top of the squared residual.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 3))
    y = rng.standard_normal((20, 1))
    model = nr.Sequential(nr.Linear(3, 1), seed=0).astype(np.float64)
    eta = 0.1
    J = nr.MSELoss()(model(x), y)
    penalty = nr.analysis.weight_noise_penalty(model, x, eta)
    np.testing.assert_allclose(penalty, eta * np.mean(np.sum(x ** 2, axis=1)), rtol=1e-12)
    np.testing.assert_allclose(per_example_grad_sq(model, x), np.sum(x ** 2, axis=1))
    losses = noisy_losses(model, x, y, nr.WeightNoise(eta, seed=1), 20000)
    se = losses.std() / np.sqrt(len(losses))
    assert abs(losses.mean() - (J + penalty)) < 4 * se
    assert penalty > 20 * se                 # without the term the test would fail


def test_noisy_objective_mlp_small_eta():
    # A tanh network is not linear in W: the Taylor expansion also leaves
    # eta E[(yhat - y) tr(Hessian)] + O(eta^2). With targets y = yhat(x) the residual
    # is 0, J = 0, and the averaged noisy objective is eta E||grad_W yhat||^2 to O(eta^2).
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 4))
    model = nr.Sequential(nr.Linear(4, 6), nr.Tanh(), nr.Linear(6, 1), seed=2).astype(np.float64)
    y = model(x).copy()
    eta = 1e-4
    penalty = nr.analysis.weight_noise_penalty(model, x, eta)
    assert penalty == pytest.approx(eta * per_example_grad_sq(model, x).mean(), rel=1e-10)
    losses = noisy_losses(model, x, y, nr.WeightNoise(eta, seed=3), 20000)
    se = losses.std() / np.sqrt(len(losses))
    assert abs(losses.mean() - penalty) < 4 * se + 0.02 * penalty     # SE is ~1% of it
    assert penalty > 20 * se


class Frozen:
    """An optimizer that never moves the weights (SGD refuses lr=0)."""
    lr = 0.0

    def __init__(self, params):
        self.params = params

    def zero_grad(self):
        for p in self.params:
            p.zero_grad()

    def step(self):
        pass


def test_fit_restores_the_weights_every_step():
    # With an optimizer that never steps the weights never move: after training with weight noise they are
    # bit-identical to the start, so every perturbation was undone exactly.
    rng = np.random.default_rng(0)
    X = rng.random((64, 5)).astype(np.float32)
    y = rng.integers(0, 3, 64)
    model = nr.Sequential(nr.Linear(5, 4), nr.ReLU(), nr.Linear(4, 3), seed=0)
    before = model.state_dict()
    wn = nr.WeightNoise(0.5, seed=0)
    hist = nr.fit(model, nr.SoftmaxCrossEntropy(), Frozen(model.parameters()), (X, y),
                  epochs=2, batch_size=16, seed=0, verbose=False, weight_noise=wn)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
    # and the loss was computed at perturbed weights (eta = 0.5 is big): it differs from J(W)
    J = nr.evaluate(model, nr.SoftmaxCrossEntropy(), X, y)[0]
    assert abs(hist.train_loss[-1] - J) > 1e-3


def test_fit_with_weight_noise_is_deterministic_and_differs_from_without():
    rng = np.random.default_rng(0)
    X = rng.random((64, 5)).astype(np.float32)
    y = rng.integers(0, 3, 64)

    def run(wn):
        model = nr.Sequential(nr.Linear(5, 4), nr.ReLU(), nr.Linear(4, 3), seed=0)
        nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y),
               epochs=2, batch_size=16, seed=0, verbose=False, weight_noise=wn)
        return model.state_dict()

    a, b, c = run(nr.WeightNoise(0.01, seed=4)), run(nr.WeightNoise(0.01, seed=4)), run(None)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert any(not np.array_equal(a[k], c[k]) for k in a)
