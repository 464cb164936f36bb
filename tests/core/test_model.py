"""Sequential: the whole seed network's gradient, state, modes, dtypes, determinism."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_model


def seed_net(seed=0):
    return nr.mlp(seed=seed)


def test_seed_network_shape_and_repr():
    m = seed_net()
    assert [type(l).__name__ for l in m] == ["Flatten", "Linear", "ReLU", "Dropout", "Linear", "ReLU",
                                              "Dropout", "Linear"]
    assert "Linear(in_features=784, out_features=128, bias=True)" in repr(m)
    assert sum(p.size for p in m.parameters()) == 784 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10


def test_whole_seed_network_gradient_by_directional_derivatives(rng):
    # dropout on, masks replayed; 20 random directions through all 118,282 parameters
    m = seed_net()
    x = rng.random((16, 28, 28))
    y = rng.integers(0, 10, 16)
    assert check_model(m, nr.SoftmaxCrossEntropy(0.1), x, y, directions=20) < 1e-7


def test_small_network_every_coordinate(rng):
    m = nr.Sequential(nr.Linear(4, 5), nr.Tanh(), nr.Dropout(0.3), nr.Linear(5, 3), nr.Sigmoid(), nr.Linear(3, 2),
                      seed=1)
    assert check_model(m, nr.MSELoss(), rng.standard_normal((7, 4)), rng.standard_normal((7, 2))) < 1e-7


def test_directional_check_catches_a_wrong_gradient(rng):
    m = nr.Sequential(nr.Linear(4, 3), nr.ReLU(), nr.Linear(3, 2), seed=0)
    orig = m[0].backward_params

    def wrong(dy):  # doubles W's gradient of the first layer
        orig(dy)
        m[0].W.grad *= 2

    m[0].backward_params = wrong
    assert check_model(m, nr.MSELoss(), rng.standard_normal((5, 4)), rng.standard_normal((5, 2)),
                       directions=5) > 1e-3


def test_input_gradient(rng):
    from numreg.gradcheck import numerical_gradient, rel_error
    m = nr.Sequential(nr.Flatten(), nr.Linear(6, 4), nr.ReLU(), nr.Linear(4, 3), seed=0).astype(np.float64)
    x = rng.standard_normal((2, 2, 3))
    y = np.array([0, 2])
    loss = nr.SoftmaxCrossEntropy()
    loss(m(x), y)
    dx = m.backward(loss.backward())
    assert dx.shape == x.shape
    assert rel_error(dx, numerical_gradient(lambda: loss(m(x), y), x)) < 1e-7


def test_backward_without_input_grad_returns_none():
    m = seed_net()
    out = m(np.zeros((2, 784), np.float32))
    assert m.backward(np.ones_like(out), input_grad=False) is None


def test_same_seed_bit_identical_and_different_seed_differs():
    a, b, c = seed_net(7), seed_net(7), seed_net(8)
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    np.testing.assert_array_equal(a(x), b(x))  # dropout masks too
    assert not np.array_equal(a.parameters()[0].data, c.parameters()[0].data)


def test_train_eval_modes():
    m = seed_net()
    x = np.ones((3, 784), np.float32)
    m.eval()
    assert not m.training and not m[3].training
    np.testing.assert_array_equal(m(x), m(x))  # no dropout in evaluation
    m.train()
    assert m.training and m[6].training


def test_state_dict_round_trip_and_errors():
    a, b = seed_net(1), seed_net(2)
    sd = a.state_dict()
    assert list(sd) == ["1.W", "1.b", "4.W", "4.b", "7.W", "7.b"]
    sd["1.W"][0, 0] = 99  # a copy: the model is not changed
    assert a[1].W.data[0, 0] != 99
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(b[1].W.data, a[1].W.data)
    with pytest.raises(ValueError, match="missing keys"):
        b.load_state_dict({"1.W": sd["1.W"]})
    other = nr.mlp(hidden=(64, 64), seed=0).state_dict()
    with pytest.raises(ValueError, match=r"state\['1.W'\] has shape \(784, 64\)"):
        b.load_state_dict(other)


def test_astype_float64():
    m = seed_net().astype(np.float64)
    assert all(p.data.dtype == np.float64 and p.grad.dtype == np.float64 for p in m.parameters())
    assert m(np.zeros((2, 784))).dtype == np.float64


def test_float32_by_default_end_to_end():
    m = seed_net()
    out = m(np.zeros((2, 784), np.float32))
    assert out.dtype == np.float32
    loss = nr.SoftmaxCrossEntropy()
    loss(out, [1, 2])
    m.backward(loss.backward(), input_grad=False)
    assert all(p.grad.dtype == np.float32 for p in m.parameters())


def test_sequential_rejects_non_layers():
    with pytest.raises(ValueError, match="layer 1"):
        nr.Sequential(nr.ReLU(), "relu")
