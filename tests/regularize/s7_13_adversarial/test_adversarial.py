"""Adversarial examples and training (§7.13): the input gradient by finite differences, FGSM by hand,
and the gradient FGSM.train_step leaves for fit: that of alpha J(x) + (1 - alpha) J(x_adv)."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import numerical_gradient, rel_error, replay
from numreg.regularize.s7_13_adversarial.fgsm import input_gradient


def net(seed=0, dropout=0.3):
    return nr.mlp(12, (9, 7), 3, dropout=dropout, activation="tanh", seed=seed).astype(np.float64)


def data(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3, 4)), rng.integers(0, 3, n)


def close(a, b):
    """Elementwise relative error <= 1e-6 and norm-wise <= 1e-8 (small entries sit at the noise floor
    of central differences, ~1e-11 absolute)."""
    return rel_error(a, b) < 1e-6 and np.linalg.norm(a - b) / np.linalg.norm(b) < 1e-8


@pytest.mark.parametrize("mode", ["eval", "train"])
def test_input_gradient_against_finite_differences(mode):
    model = net()
    model.train(mode == "train")  # in training mode the dropout masks are replayed
    X, y = data()
    crit = nr.SoftmaxCrossEntropy()
    with replay(model) as rewind:
        _, _, dx = input_gradient(model, crit, X, y)

        def J():
            rewind()
            return crit(model(X), y)

        num = numerical_gradient(J, X)
    assert dx.shape == X.shape
    assert close(dx, num)


def test_fgsm_by_hand():
    # Softmax regression, x = 0, W = [[1, -1], [2, 0]], b = 0, y = 0: p = [.5, .5],
    # dJ/dz = p - onehot = [-.5, .5], dJ/dx = dJ/dz W^T = [-.5 - .5, -1 + 0] = [-1, -1]:
    # x_adv = 0 + eps * sign([-1, -1]) = [-eps, -eps].
    lin = nr.Linear(2, 2, dtype=np.float64)
    lin.W.data[...] = [[1, -1], [2, 0]]
    lin.b.data[...] = 0
    model = nr.Sequential(lin).eval()
    x_adv = nr.fgsm(model, nr.SoftmaxCrossEntropy(), np.zeros((1, 2)), np.array([0]), epsilon=0.1)
    np.testing.assert_array_equal(x_adv, [[-0.1, -0.1]])


def test_fgsm_is_the_sign_of_the_numerical_gradient_and_restores_grads():
    model = net().eval()
    X, y = data(8)
    crit = nr.SoftmaxCrossEntropy()
    for p in model.parameters():
        p.grad[...] = 7.0  # as if in the middle of a step
    X_adv = nr.fgsm(model, crit, X, y, epsilon=0.05)
    assert all(np.all(p.grad == 7.0) for p in model.parameters())
    Xc = X.copy()
    num = numerical_gradient(lambda: crit(model(Xc), y), Xc)
    np.testing.assert_array_equal(X_adv, X + 0.05 * np.sign(num))
    assert np.abs(X_adv - X).max() == pytest.approx(0.05)
    # the step increases the loss, more than a random step of the same max-norm
    J0, Jadv = crit(model(X), y), crit(model(X_adv), y)
    rand = X + 0.05 * np.sign(np.random.default_rng(0).standard_normal(X.shape))
    assert Jadv > J0 and Jadv - J0 > 5 * abs(crit(model(rand), y) - J0)
    np.testing.assert_array_equal(nr.fgsm(model, crit, X, y, 0.0), X)
    clipped = nr.fgsm(model, crit, np.clip(X, 0, 1), y, 0.5, clip=(0, 1))
    assert clipped.min() >= 0 and clipped.max() <= 1
    assert nr.fgsm(model, crit, X.astype(np.float32), y, 0.1).dtype == np.float32


@pytest.mark.parametrize("alpha", [0.5, 0.2, 0.0, 1.0])
def test_train_step_leaves_the_gradient_of_the_combined_objective(alpha):
    # J~(theta) = alpha J(theta, x) + (1 - alpha) J(theta, x + eps sign(grad_x J(theta, x))), both terms on
    # the same dropout masks (same_noise=True). x_adv depends on theta only through a sign, whose
    # derivative is 0 wherever it is defined: the finite differences recompute it and must agree.
    model = net(seed=1)
    X, y = data(6, seed=1)
    crit = nr.SoftmaxCrossEntropy()
    adv = nr.FGSM(0.1, alpha=alpha, same_noise=True)
    params = model.parameters()
    model.train()
    with replay(model) as rewind:
        for p in params:
            p.grad.fill(0)
        out, loss = adv.train_step(model, crit, X, y)
        grads = [p.grad.copy() for p in params]

        def objective():
            rewind()
            _, j_clean, dx = input_gradient(model, crit, X, y)
            rewind()
            x_adv = X + 0.1 * np.sign(dx)
            return alpha * j_clean + (1 - alpha) * crit(model(x_adv), y)

        assert loss == pytest.approx(objective(), rel=1e-12)
        rewind()
        np.testing.assert_array_equal(out, model(X))  # the clean output is returned
        for g, p in zip(grads, params):
            assert close(g, numerical_gradient(objective, p.data))


def test_alpha_one_is_plain_training_bit_for_bit():
    X, y = data(64, seed=2)
    X = X.astype(np.float32)

    def run(adversarial):
        model = nr.mlp(12, (9,), 3, dropout=0.5, seed=0)
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=0.1), (X, y), epochs=3,
                   batch_size=16, seed=0, verbose=False, adversarial=adversarial)
        return model, h

    m1, h1 = run(None)
    m2, h2 = run(nr.FGSM(0.3, alpha=1.0))
    assert h1.train_loss == h2.train_loss
    for a, b in zip(m1.parameters(), m2.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_adversarial_fit_same_seed_is_bit_identical():
    X, y = data(64, seed=3)
    X = X.astype(np.float32)

    def run():
        model = nr.mlp(12, (9,), 3, dropout=0.5, seed=0)
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X, y), epochs=2, batch_size=16,
                   seed=0, verbose=False, adversarial=nr.FGSM(0.1))
        return model.state_dict(), h.train_loss

    (s1, l1), (s2, l2) = run(), run()
    assert l1 == l2
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k])


def test_dropout_draws_between_the_two_passes():
    X, y = data(4)
    crit = nr.SoftmaxCrossEntropy()
    one = net(seed=2).train()
    one(X)  # one forward pass
    after_one = [g.bit_generator.state for g in one.generators()]
    same = net(seed=2).train()
    nr.FGSM(0.1, same_noise=True).train_step(same, crit, X, y)
    assert [g.bit_generator.state for g in same.generators()] == after_one  # replayed, then left as one pass
    fresh = net(seed=2).train()
    nr.FGSM(0.1).train_step(fresh, crit, X, y)
    assert [g.bit_generator.state for g in fresh.generators()] != after_one  # a second, independent draw


def robust_and_brittle_features(n, seed, d=50, eta=0.3, s0=0.6):
    """Feature 0 is robust (class mean +-1, noise 0.6); features 1..49 are brittle (class mean +-eta = 0.3,
    noise 1): together informative, but a step of epsilon = eta erases their class signal (Tsipras et al. 2019)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = 2 * y - 1
    X = np.empty((n, d), np.float32)
    X[:, 0] = s + s0 * rng.standard_normal(n)
    X[:, 1:] = eta * s[:, None] + rng.standard_normal((n, d - 1))
    return X, y


def test_adversarial_training_lowers_the_error_under_attack():
    X, y = robust_and_brittle_features(1000, 0)
    Xt, yt = robust_and_brittle_features(1000, 1)
    crit = nr.SoftmaxCrossEntropy()

    def errors(adversarial):
        model = nr.mlp(50, (32,), 2, dropout=0.0, seed=0)
        nr.fit(model, crit, nr.Adam(model.parameters(), lr=3e-3), (X, y), epochs=15, batch_size=50, seed=0,
               verbose=False, adversarial=adversarial)
        model.eval()
        Xa = nr.fgsm(model, crit, Xt, yt, 0.3)
        return np.mean(nr.predict(model, Xt).argmax(1) != yt), np.mean(nr.predict(model, Xa).argmax(1) != yt)

    clean_plain, attacked_plain = errors(None)
    clean_adv, attacked_adv = errors(nr.FGSM(0.3))
    # measured 0.006 / 0.414 without and 0.012 / 0.169 with adversarial training
    assert clean_plain < 0.03 and clean_adv < 0.03
    assert attacked_plain > 0.3
    assert attacked_adv < attacked_plain - 0.15


def test_bad_input():
    with pytest.raises(ValueError, match="epsilon=-0.1"):
        nr.FGSM(-0.1)
    with pytest.raises(ValueError, match="alpha=1.5"):
        nr.FGSM(0.1, alpha=1.5)
    with pytest.raises(ValueError, match="alpha=-0.5"):
        nr.FGSM(0.1, alpha=-0.5)
    model = net()
    X, y = data()
    with pytest.raises(ValueError, match="epsilon=-1"):
        nr.fgsm(model, nr.SoftmaxCrossEntropy(), X, y, -1)
    with pytest.raises(ValueError, match="epsilon=nan"):
        nr.fgsm(model, nr.SoftmaxCrossEntropy(), X, y, float("nan"))
    with pytest.raises(ValueError, match="clip"):
        nr.fgsm(model, nr.SoftmaxCrossEntropy(), X, y, 0.1, clip=(1, 0))
    with pytest.raises(TypeError, match="X must be an array of real numbers"):
        nr.fgsm(model, nr.SoftmaxCrossEntropy(), X.astype(object), y, 0.1)
    with pytest.raises(ValueError, match="X must hold finite numbers"):
        nr.fgsm(model, nr.SoftmaxCrossEntropy(), np.full_like(X, np.nan), y, 0.1)


def test_adversarial_curves_figure_renders(tmp_path):
    eps = [0.0, 0.05, 0.1]
    fig = nr.plots.adversarial_curves(eps, {"plain": [0.1, 0.5, 0.9], "FGSM training": [0.12, 0.2, 0.35]},
                                      title="FGSM")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["plain", "FGSM training"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.12, 0.2, 0.35])
    fig.savefig(tmp_path / "fgsm.png")
    assert (tmp_path / "fgsm.png").stat().st_size > 1000


def _plain_grad(model, crit, X, y):
    """The gradient of one plain forward/backward pass, from zeroed .grad."""
    for p in model.parameters():
        p.grad[...] = 0
    crit.forward(model.forward(X), y)
    model.backward(crit.backward())
    return [p.grad.copy() for p in model.parameters()]


def test_activity_penalty_counts_once_under_fgsm():
    # Regression: ActivityL1 added alpha*sign(h)/n in both FGSM passes at full weight,
    # so at epsilon = 0 (x_adv = x) the gradient was J' + 2*Omega' instead of J' + Omega'.
    # With each pass weighted as its data term: a*(J'+Omega') + (1-a)*(J'+Omega') = J' + Omega'.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 5))
    y = rng.integers(0, 3, size=16)
    act = nr.ActivityL1(0.5)
    model = nr.Sequential(nr.Linear(5, 7), nr.ReLU(), act, nr.Linear(7, 3), seed=1).astype(np.float64)
    crit = nr.SoftmaxCrossEntropy()
    plain = _plain_grad(model, crit, X, y)
    for p in model.parameters():
        p.grad[...] = 0
    nr.FGSM(epsilon=0.0, alpha=0.5).train_step(model, crit, X, y)
    for g_plain, p in zip(plain, model.parameters()):
        np.testing.assert_allclose(p.grad, g_plain, rtol=1e-12, atol=1e-14)
    assert act.pass_weight == 1.0
    # The penalty does change the gradient, so counting it twice would be seen above.
    act.alpha = 0.0
    unpenalized = _plain_grad(model, crit, X, y)
    assert max(np.abs(g - u).max() for g, u in zip(plain, unpenalized)) > 1e-3
