"""TiedL2 (§7.9): value by hand, gradients on both sides by finite differences, use in fit's penalties."""
import numpy as np
import pytest

import numreg as nr
from numreg.gradcheck import check_model, numerical_gradient, rel_error


def test_value_and_gradient_by_hand():
    a = nr.Parameter(np.array([1.0, 2.0]))
    b = nr.Parameter(np.array([0.0, 0.0]))
    pen = nr.TiedL2([a], [b], alpha=2.0)
    # 2 * 1/2 * (1 + 4) = 5
    assert pen.value() == 5.0
    pen.add_grad()
    np.testing.assert_array_equal(a.grad, [2.0, 4.0])    # alpha (w_A - w_B)
    np.testing.assert_array_equal(b.grad, [-2.0, -4.0])  # -alpha (w_A - w_B)


def pair(seed_a=0, seed_b=1):
    A = nr.mlp(6, (5,), 3, dropout=0.0, seed=seed_a).astype(np.float64)
    B = nr.mlp(6, (5,), 3, dropout=0.0, seed=seed_b).astype(np.float64)
    return A, B


def test_gradient_check_both_sides():
    A, B = pair()
    pen = nr.TiedL2(A, B, alpha=0.3)
    assert len(pen.params_a) == 2  # the two weight matrices; biases are not tied
    for p in A.parameters() + B.parameters():
        p.grad.fill(0)
    pen.add_grad()
    worst = 0.0
    for p in pen.params_a + pen.params_b:
        worst = max(worst, rel_error(p.grad, numerical_gradient(pen.value, p.data)))
    assert worst < 1e-7  # a quadratic: central differences are exact up to rounding
    assert all(np.all(p.grad == 0) for p in A.parameters() if not p.regularized)


def test_gradient_check_with_the_data_loss():
    # fit's use: A trained, B fixed; check_model adds the penalty's value and gradient
    A, B = pair()
    x = np.random.default_rng(0).standard_normal((8, 6))
    y = np.arange(8) % 3
    assert check_model(A, nr.SoftmaxCrossEntropy(), x, y, penalties=[nr.TiedL2(A, B, 0.7)]) < 1e-7


def test_add_grad_only_touches_the_parameters_being_trained():
    A, B = pair()
    pen = nr.TiedL2(A, B, alpha=1.0)
    for p in A.parameters() + B.parameters():
        p.grad.fill(0)
    pen.add_grad(A.parameters())
    assert all(np.all(p.grad == 0) for p in B.parameters())
    np.testing.assert_allclose(A[1].W.grad, A[1].W.data - B[1].W.data)


def test_fit_pulls_a_toward_b_and_leaves_b_alone():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6)).astype(np.float32)
    y = rng.integers(0, 3, 200)

    def distance_after(alpha):
        A = nr.mlp(6, (5,), 3, dropout=0.0, seed=0)
        B = nr.mlp(6, (5,), 3, dropout=0.0, seed=1)
        before = B.state_dict()
        nr.fit(A, nr.SoftmaxCrossEntropy(), nr.SGD(A.parameters(), lr=0.1), (X, y), epochs=20, batch_size=50,
               penalties=[nr.TiedL2(A, B, alpha)], seed=0, verbose=False)
        for k, v in B.state_dict().items():
            np.testing.assert_array_equal(v, before[k])
        assert all(np.all(p.grad == 0) for p in B.parameters())
        return np.sqrt(sum(np.sum((a.data - b.data) ** 2) for a, b in zip(A.parameters(), B.parameters())
                           if a.regularized))

    free, tied = distance_after(0.0), distance_after(5.0)
    # with alpha * lr = 0.5 per step, 80 steps shrink w_A - w_B by (1 - 0.5)^80: A ends next to B
    assert tied < 0.1 * free


def test_bad_input():
    A, B = pair()
    with pytest.raises(ValueError, match="alpha=-1"):
        nr.TiedL2(A, B, alpha=-1)
    with pytest.raises(ValueError, match="shapes"):
        nr.TiedL2(A, nr.mlp(6, (4,), 3, dropout=0.0), alpha=1)
    with pytest.raises(ValueError, match="pair up"):
        nr.TiedL2(A, [B[1].W], alpha=1)
    with pytest.raises(ValueError, match="sharing, not tying"):
        nr.TiedL2([A[1].W], [A[1].W], alpha=1)
    with pytest.raises(ValueError, match="params_b\\[0\\] must be a Parameter"):
        nr.TiedL2([A[1].W], [np.zeros((6, 5))], alpha=1)
