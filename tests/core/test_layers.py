"""Every layer's backward against central differences in float64 (random draws replayed)."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_layer

TOL = 1e-7


def test_linear_forward_is_x_at_W_plus_b():
    lin = nr.Linear(2, 3)
    lin.W.data[...] = [[1, 2, 3], [4, 5, 6]]
    lin.b.data[...] = [10, 20, 30]
    x = np.array([[1, 1], [0, 2]], dtype=np.float32)
    # row 0: [1+4, 2+5, 3+6] + b = [15, 27, 39]; row 1: 2*[4, 5, 6] + b = [18, 30, 42]
    np.testing.assert_array_equal(lin(x), [[15, 27, 39], [18, 30, 42]])


def test_linear_backward_by_hand():
    lin = nr.Linear(2, 1).astype(np.float64)
    lin.W.data[...] = [[2.0], [3.0]]
    lin.b.data[...] = [0.0]
    x = np.array([[1.0, 4.0], [2.0, 5.0]])
    lin(x)
    dx = lin.backward(np.array([[1.0], [10.0]]))
    # dW = x^T dy = [[1*1 + 2*10], [4*1 + 5*10]] = [[21], [54]]; db = 1 + 10 = 11; dx = dy W^T
    np.testing.assert_array_equal(lin.W.grad, [[21.0], [54.0]])
    np.testing.assert_array_equal(lin.b.grad, [11.0])
    np.testing.assert_array_equal(dx, [[2.0, 3.0], [20.0, 30.0]])


def test_linear_gradients_accumulate_and_can_skip_dx():
    lin = nr.Linear(3, 2, seed=0).astype(np.float64)
    x = np.ones((4, 3))
    lin(x)
    lin.backward(np.ones((4, 2)))
    once = lin.W.grad.copy()
    lin(x)
    assert lin.backward(np.ones((4, 2)), input_grad=False) is None
    np.testing.assert_allclose(lin.W.grad, 2 * once)


@pytest.mark.parametrize("layer", [nr.Linear(5, 4, seed=1), nr.Linear(5, 4, bias=False, seed=2),
                                   nr.Linear(5, 4, init="he", seed=3), nr.Linear(5, 4, init="glorot", seed=4)],
                         ids=["linear", "no-bias", "he", "glorot"])
def test_linear_gradcheck(layer, rng):
    assert check_layer(layer, rng.standard_normal((6, 5))) < TOL


@pytest.mark.parametrize("layer", [nr.ReLU(), nr.Tanh(), nr.Sigmoid()], ids=["relu", "tanh", "sigmoid"])
def test_activation_gradcheck(layer, rng):
    x = rng.standard_normal((6, 7))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from ReLU's kink, where no derivative exists
    assert check_layer(layer, x) < TOL


def test_flatten_shapes_and_gradcheck(rng):
    f = nr.Flatten()
    x = rng.standard_normal((3, 4, 5))
    assert f(x).shape == (3, 20)
    assert f.backward(np.ones((3, 20))).shape == (3, 4, 5)
    assert check_layer(nr.Flatten(), x) < TOL


def test_dropout_gradcheck_replays_the_mask(rng):
    d = nr.Dropout(0.5, seed=3)
    assert check_layer(d, rng.standard_normal((8, 9))) < TOL


def test_gaussian_noise_gradcheck_replays_the_noise(rng):
    assert check_layer(nr.GaussianNoise(0.7, seed=3), rng.standard_normal((8, 9))) < TOL


def test_gradcheck_catches_a_missing_term(rng):
    class BrokenTanh(nr.Tanh):
        def backward(self, dy):  # forgets the chain rule factor (1 - y^2)
            return dy

    assert check_layer(BrokenTanh(), rng.standard_normal((4, 5))) > 1e-2


def test_linear_rejects_wrong_width():
    with pytest.raises(ValueError, match="in_features=4"):
        nr.Linear(4, 2)(np.zeros((3, 5), np.float32))
    with pytest.raises(ValueError, match="in_features"):
        nr.Linear(0, 2)


def test_sigmoid_does_not_overflow():
    y = nr.Sigmoid()(np.array([[-1e4, 0.0, 1e4]], dtype=np.float32))
    np.testing.assert_array_equal(y, [[0.0, 0.5, 1.0]])


def test_pytorch_like_init_bounds():
    lin = nr.Linear(100, 50, seed=0)
    bound = 1 / np.sqrt(100)
    assert np.abs(lin.W.data).max() <= bound and np.abs(lin.b.data).max() <= bound
    # U(-a, a) has standard deviation a/sqrt(3)
    assert abs(lin.W.data.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert lin.W.data.dtype == np.float32
    assert lin.W.regularized and not lin.b.regularized


def test_he_init_std():
    lin = nr.Linear(400, 300, init="he", seed=0)
    assert abs(lin.W.data.std() - np.sqrt(2 / 400)) < 0.02 * np.sqrt(2 / 400)
    assert not lin.b.data.any()
