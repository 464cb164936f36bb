"""Tangent prop (Eq. 7.67): the forward-mode J v, and the penalty's parameter gradient, by central differences."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import numerical_gradient, rel_error, replay
from numreg.regularize.s7_14_tangent.forward_mode import jvp
from numreg.regularize.s7_14_tangent.tangent_prop import TangentProp, tangent_prop_penalty


def net(act, seed=0, dropout=False):
    layers = [nr.Flatten(), nr.Linear(16, 7), act(), nr.Linear(7, 6), act()]
    if dropout:
        layers.append(nr.Dropout(0.3))
    layers.append(nr.Linear(6, 3))
    return nr.Sequential(*layers, seed=seed).astype(np.float64)


def data(seed=1, n=5):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 4, 4)), rng.integers(0, 3, n), rng.standard_normal((n, 2, 4, 4))


@pytest.mark.parametrize("act", [nr.Tanh, nr.Sigmoid, nr.ReLU])
def test_jvp_is_the_directional_derivative(act):
    model = net(act)
    x, _, V = data()
    model.forward(x)
    Jv, _ = jvp(model, V)
    h = 1e-6
    for t in range(2):
        fd = (model.forward(x + h * V[:, t]) - model.forward(x - h * V[:, t])) / (2 * h)
        assert rel_error(Jv[:, t], fd) < 1e-6


@pytest.mark.parametrize("act", [nr.Tanh, nr.Sigmoid, nr.ReLU])
@pytest.mark.parametrize("dropout", [False, True])
def test_penalty_gradient_by_central_differences(act, dropout):
    model = net(act, dropout=dropout)
    x, _, V = data()
    params = model.parameters()
    with replay(model) as rewind:
        def omega():
            rewind()
            model.forward(x)
            return tangent_prop_penalty(model, V, alpha=0.7, grad=False)

        for p in params:
            p.grad[...] = 0
        rewind()
        model.forward(x)
        tangent_prop_penalty(model, V, alpha=0.7)
        for p in params:
            num = numerical_gradient(omega, p.data)
            assert rel_error(p.grad, num) < 1e-6, (p.name, rel_error(p.grad, num))


def test_the_second_order_term_matters():
    # dropping the g'' term of tanh (the dependence of the slope on z) must fail the check above
    from numreg.regularize.s7_14_tangent import forward_mode as fm
    model = net(nr.Tanh)
    x, _, V = data()
    W = model.parameters()[0]
    def omega():
        model.forward(x)
        return tangent_prop_penalty(model, V, grad=False)
    num = numerical_gradient(omega, W.data)
    original = fm._slopes
    try:
        fm._slopes = lambda layer: (original(layer)[0], None)
        W.grad[...] = 0
        model.forward(x)
        tangent_prop_penalty(model, V)
    finally:
        fm._slopes = original
    assert rel_error(W.grad, num) > 1e-2


def test_train_step_adds_the_supervised_and_the_penalty_gradients():
    model = net(nr.Tanh)
    x, y, V = data()
    crit = nr.SoftmaxCrossEntropy()
    tp = TangentProp(0.5, tangents=lambda d: V)
    params = model.parameters()

    def objective():
        out = model.forward(x)
        return crit.forward(out, y) + tangent_prop_penalty(model, V, 0.5, grad=False)

    for p in params:
        p.grad[...] = 0
    out, loss = tp.train_step(model, crit, x, y)
    assert loss == pytest.approx(objective(), rel=1e-12)
    assert tp.last_penalty > 0
    for p in params:
        assert rel_error(p.grad, numerical_gradient(objective, p.data)) < 1e-6


def test_known_transformation_tangents_and_fit():
    (X, y), _ = nr.data.load_dataset("font-digits", 64, 10, seed=0)
    model = nr.Sequential(nr.Flatten(), nr.Linear(784, 32), nr.ReLU(), nr.Linear(32, 10), seed=0)
    tp = TangentProp(0.01, ("translate_x", "rotate"))
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters(), 1e-3), (X, y), epochs=3,
               batch_size=32, adversarial=tp, seed=0, verbose=False)
    assert len(h.train_loss) == 3 and np.isfinite(h.train_loss).all()
    assert tp.vectors(X[:4]).shape == (4, 2, 784)
    # the penalty shrinks when alpha is large: the network becomes invariant along the tangents
    strong = nr.Sequential(nr.Flatten(), nr.Linear(784, 32), nr.ReLU(), nr.Linear(32, 10), seed=0)
    tps = TangentProp(10.0, ("translate_x", "rotate"))
    nr.fit(strong, nr.SoftmaxCrossEntropy(), nr.Adam(strong.parameters(), 1e-3), (X, y), epochs=3,
           batch_size=32, adversarial=tps, seed=0, verbose=False)
    for m in (model, strong):
        m.eval(); m.forward(X.astype(np.float32))
    V = tp.vectors(X)
    model.forward(X.astype(np.float32))
    weak_omega = tangent_prop_penalty(model, V, grad=False)
    strong.forward(X.astype(np.float32))
    assert tangent_prop_penalty(strong, V, grad=False) < 0.5 * weak_omega


def test_bad_arguments():
    with pytest.raises(ValueError, match="alpha"):
        TangentProp(-1.0)
    with pytest.raises(ValueError, match="'warp'"):
        TangentProp(1.0, ("warp",))
    with pytest.raises(TypeError, match="tangents"):
        TangentProp(1.0, tangents=3)
    model = net(nr.Tanh)
    x, _, V = data()
    model.forward(x)
    with pytest.raises(ValueError, match="V.shape"):
        tangent_prop_penalty(model, V[:, :, :3])
    conv = nr.Sequential(nr.Conv2d(1, 2, 3), nr.Flatten(), nr.Linear(8, 3))
    with pytest.raises(TypeError, match="Conv2d"):
        TangentProp(1.0, tangents=lambda d: d[:, None]).train_step(conv, nr.SoftmaxCrossEntropy(),
                                                                   np.zeros((2, 1, 4, 4), np.float32), [0, 1])


def test_tangent_table_finds_each_rows_tangents_and_refuses_strangers():
    rng = np.random.default_rng(3)
    X = rng.random((50, 4, 4)).astype(np.float32)
    V = rng.standard_normal((50, 2, 16))
    table = nr.TangentTable(X, V)
    idx = rng.permutation(50)[:20]
    assert np.array_equal(table(X[idx]), V[idx])
    with pytest.raises(ValueError, match="not in the TangentTable"):
        table(X[idx] + 0.5)
    with pytest.raises(ValueError, match="V.shape"):
        nr.TangentTable(X, V[:3])
    with pytest.raises(ValueError, match="V.shape"):                   # tangents of another size than an example
        nr.TangentTable(X, V[:, :, :9])
    with pytest.raises(ValueError, match="data.shape"):
        table(X[:2].reshape(2, 2, 8)[:, :1])


def test_tangent_backward_without_input_adjoints_adds_the_same_parameter_gradients():
    from numreg.regularize.s7_14_tangent.forward_mode import tangent_backward
    model = net(nr.Sigmoid)
    x, _, V = data()
    grads = []
    for input_grad in (True, False):
        for p in model.parameters():
            p.grad[...] = 0
        model.forward(x)
        Jv, trace = jvp(model, V)
        out = tangent_backward(model, trace, None, Jv, input_grad=input_grad)
        assert (out[1] is None) == (not input_grad)
        grads.append([p.grad.copy() for p in model.parameters()])
    assert all(np.array_equal(a, b) for a, b in zip(*grads))
