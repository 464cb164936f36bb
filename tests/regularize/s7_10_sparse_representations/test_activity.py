"""ActivityL1 (§7.10): L1 penalty on a layer's outputs, a Module with a checked gradient."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_model, numerical_gradient, rel_error


def test_value_and_backward_by_hand():
    act = nr.ActivityL1(0.5)
    h = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert act.forward(h) is h                        # identity, no copy
    # alpha * (1/n) sum_i ||h_i||_1 = 0.5 * (3 + 3) / 2 = 1.5  (a batch mean, like the data loss)
    assert act.value() == pytest.approx(1.5, rel=1e-15)
    # dh = dy + alpha sign(h) / n = dy + 0.25 sign(h), sign(0) = 0
    dx = act.backward(np.ones((2, 2)))
    np.testing.assert_array_equal(dx, [[1.25, 0.75], [1.0, 1.25]])
    assert act.add_grad([]) is None                   # the gradient lives in backward only
    assert act.sparsity() == 0.25


def test_layer_gradient_by_central_differences():
    rng = np.random.default_rng(0)
    act = nr.ActivityL1(0.3)
    h = rng.standard_normal((5, 4))
    r = rng.standard_normal((5, 4))

    def L(x):                                         # sum(h * r) + alpha * Omega(h)
        return float(np.sum(act.forward(x) * r)) + act.value()

    L(h)
    analytic = act.backward(r.copy())
    assert rel_error(analytic, numerical_gradient(L, h)) < 1e-7
    assert rel_error(r, numerical_gradient(L, h)) > 1e-3    # the penalty's term is really there


@pytest.mark.parametrize("where", ["after Linear", "after ReLU", "after Tanh, with dropout"])
def test_model_gradient_with_activity_l1_passes_central_differences(where):
    act = nr.ActivityL1(0.2)
    if where == "after Linear":
        layers = [nr.Linear(5, 6), act, nr.Tanh(), nr.Linear(6, 3)]
    elif where == "after ReLU":
        layers = [nr.Linear(5, 6), nr.ReLU(), act, nr.Linear(6, 3)]
    else:
        layers = [nr.Linear(5, 6), nr.Tanh(), act, nr.Dropout(0.3), nr.Linear(6, 3)]
    model = nr.Sequential(*layers, seed=1)
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    assert check_model(model, nr.SoftmaxCrossEntropy(), x, y, penalties=[act]) < 1e-7
    # without its value in the objective, the check fails: the backward term is real
    assert check_model(model, nr.SoftmaxCrossEntropy(), x, y) > 1e-3


def test_value_before_forward_and_bad_alpha():
    with pytest.raises(RuntimeError, match="forward"):
        nr.ActivityL1(0.1).value([])
    for bad in (-0.1, float("nan"), "1"):
        with pytest.raises(ValueError, match="alpha"):
            nr.ActivityL1(bad)


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 10)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 0.5)
    return X, y


def _train(alpha, seed=0):
    act = nr.ActivityL1(alpha)
    model = nr.Sequential(nr.Linear(10, 32), nr.ReLU(), act, nr.Linear(32, 3), seed=seed)
    opt = nr.SGD(model.parameters(), lr=0.1)
    h = nr.fit(model, nr.SoftmaxCrossEntropy(), opt, _data(), epochs=15, batch_size=32, penalties=[act],
               seed=seed, verbose=False)
    X, _ = _data(seed=1)
    model.eval().forward(X)
    return act.sparsity(), h


def test_training_with_activity_l1_makes_the_representation_sparser_and_reports_its_value():
    dense, h0 = _train(0.0)
    sparse, h1 = _train(0.1)
    # ReLU alone zeroes about half the units (0.47 here); alpha = 0.1, about 80 % (fixed seeds)
    assert sparse > dense + 0.2
    assert h0.train_loss == h0.train_data_loss                         # alpha = 0: nothing added
    assert all(t > d for t, d in zip(h1.train_loss, h1.train_data_loss))


def test_float32_and_determinism():
    a, h_a = _train(0.01, seed=3)
    b, h_b = _train(0.01, seed=3)
    assert a == b and h_a.train_loss == h_b.train_loss
    act = nr.ActivityL1(0.1)
    act.forward(np.ones((2, 3), np.float32))
    assert act.backward(np.ones((2, 3), np.float32)).dtype == np.float32
