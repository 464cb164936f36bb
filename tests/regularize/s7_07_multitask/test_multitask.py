"""MultiTask (§7.7): the weighted sum of the tasks' losses, each head's gradient into the trunk, training."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_model, numerical_gradient, rel_error, replay


def make(seed=0, weights=(1.0, 0.5), dropout=0.0):
    layers = [nr.Flatten(), nr.Linear(12, 7), nr.Tanh()]
    if dropout:
        layers.append(nr.Dropout(dropout))
    trunk = nr.Sequential(*layers)
    heads = [nr.Sequential(nr.Linear(7, 5), nr.ReLU(), nr.Linear(5, 3)), nr.Linear(7, 2)]
    return nr.MultiTask(trunk, heads, weights, criteria=[nr.SoftmaxCrossEntropy(), nr.MSELoss()], seed=seed)


def batch(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3, 4)), [rng.integers(0, 3, n), rng.standard_normal((n, 2))]


def test_gradient_check_of_the_weighted_sum():
    # check_model works unchanged: model.criterion has forward/backward, model.backward takes its output
    model = make(dropout=0.3)
    x, t = batch()
    err = check_model(model, model.criterion, x, t)
    assert err < 1e-7


def test_input_gradient_check():
    model = make().astype(np.float64)
    x, t = batch()
    with replay(model) as rewind:

        def L():
            rewind()
            return model.criterion(model(x), t)

        L()
        dx = model.backward(model.criterion.backward(), input_grad=True)
        num = numerical_gradient(L, x)
    # entries of dx near 3e-5 sit at the central difference's noise floor (~1e-16 / h = 1e-11
    # absolute), so elementwise relative errors reach ~2e-7 there; norm-wise they agree to ~1e-10
    assert rel_error(dx, num) < 1e-6
    assert np.linalg.norm(dx - num) / np.linalg.norm(num) < 1e-8


def trunk_grad(model, x, t, weights):
    model.criterion.weights = list(weights)
    for p in model.parameters():
        p.grad.fill(0)
    model.criterion(model(x), t)
    model.backward(model.criterion.backward(), input_grad=False)
    return model.trunk[1].W.grad.copy(), [p.grad.copy() for p in model.heads[1].parameters()]


def test_each_head_flows_into_the_trunk_with_its_weight():
    model = make().astype(np.float64)
    x, t = batch()
    g1, _ = trunk_grad(model, x, t, (1.0, 0.0))   # task 0 alone
    g2, h2 = trunk_grad(model, x, t, (0.0, 1.0))  # task 1 alone
    g, _ = trunk_grad(model, x, t, (1.0, 0.5))
    assert np.abs(g1).max() > 1e-3 and np.abs(g2).max() > 1e-3  # both tasks reach the trunk
    np.testing.assert_allclose(g, g1 + 0.5 * g2, rtol=1e-12, atol=1e-15)
    _, h0 = trunk_grad(model, x, t, (1.0, 0.0))
    assert all(np.all(h == 0) for h in h0)  # a task of weight 0 trains nothing
    assert any(np.any(h != 0) for h in h2)


def test_loss_is_the_weighted_sum():
    model = make(weights=(2.0, 3.0))
    x, t = batch()
    out = model(x)
    J = model.criterion(out, t)
    J0 = nr.SoftmaxCrossEntropy()(out[0], t[0])
    J1 = nr.MSELoss()(out[1], t[1])
    assert J == pytest.approx(2 * J0 + 3 * J1, rel=1e-12)
    assert model.criterion.task_losses == pytest.approx([J0, J1])


def test_state_dict_names_and_round_trip():
    model = make()
    names = [n for n, _ in model.named_parameters()]
    assert names == ["trunk.1.W", "trunk.1.b", "heads.0.0.W", "heads.0.0.b", "heads.0.2.W", "heads.0.2.b",
                     "heads.1.W", "heads.1.b"]
    s = model.state_dict()
    other = make(seed=1).load_state_dict(s)
    x, _ = batch()
    for a, b in zip(model.eval()(x), other.eval()(x)):
        np.testing.assert_array_equal(a, b)


def two_task_data(n, seed):
    """Task 0: which of 3 prototypes (plus noise); task 1: a linear read-out of the same latent."""
    rng = np.random.default_rng(seed)
    P = np.random.default_rng(100).standard_normal((3, 12))
    y = rng.integers(0, 3, n)
    X = (P[y] + 0.8 * rng.standard_normal((n, 12))).astype(np.float32)
    aux = (X @ np.random.default_rng(101).standard_normal((12, 2)) / 4).astype(np.float32)
    return X.reshape(n, 3, 4), [y, aux]


def test_fit_trains_both_tasks_and_is_deterministic():
    X, T = two_task_data(300, 0)
    Xv, Tv = two_task_data(200, 1)

    def run():
        m = make(seed=3)
        h = m.fit(nr.Adam(m.parameters(), lr=1e-2), X, T, epochs=8, batch_size=32, valid=(Xv, Tv), seed=0)
        return m, h

    m, h = run()
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.task_valid_loss[-1][1] < h.task_valid_loss[0][1]
    assert h.valid_accuracy[-1] > 0.9
    assert np.isnan(h.task_valid_accuracy[-1][1])  # regression task: no accuracy
    assert not m.training
    m2, h2 = run()
    assert h.train_loss == h2.train_loss
    np.testing.assert_array_equal(m.trunk[1].W.data, m2.trunk[1].W.data)


def test_bad_input():
    trunk = nr.Sequential(nr.Linear(4, 3))
    with pytest.raises(ValueError, match="weights must hold one number per head"):
        nr.MultiTask(trunk, [nr.Linear(3, 2)], weights=(1.0, 2.0))
    with pytest.raises(ValueError, match=r"weights\[1\]=-1.0"):
        nr.MultiTask(trunk, [nr.Linear(3, 2), nr.Linear(3, 2)], weights=(1.0, -1.0))
    with pytest.raises(ValueError, match="heads=\\[\\]"):
        nr.MultiTask(trunk, [])
    with pytest.raises(ValueError, match="criteria must hold one loss per head"):
        nr.MultiTask(trunk, [nr.Linear(3, 2)], criteria=[nr.MSELoss(), nr.MSELoss()])
    m = nr.MultiTask(trunk, [nr.Linear(3, 2), nr.Linear(3, 2)])
    with pytest.raises(ValueError, match="one target array per task"):
        m.fit(nr.SGD(m.parameters(), lr=0.1), np.zeros((4, 4)), [np.zeros(4, int)])
    with pytest.raises(ValueError, match="label 5"):
        m.fit(nr.SGD(m.parameters(), lr=0.1), np.zeros((4, 4)), [np.zeros(4, int), np.full(4, 5)])
    with pytest.raises(ValueError, match="epochs=0"):
        m.fit(nr.SGD(m.parameters(), lr=0.1), np.zeros((4, 4)), [np.zeros(4, int)] * 2, epochs=0)
