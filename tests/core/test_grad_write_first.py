"""``zero_grad`` marks gradients as zero; a Linear layer then writes ``x^T dy`` straight into ``.grad``.

Reading ``.grad`` must always give what eager zeroing and accumulation give.
"""
import numpy as np

import numreg as nr


def test_zero_grad_reads_as_zeros_and_accumulation_resumes():
    p = nr.Parameter(np.ones((2, 3), np.float32))
    p.grad += 5
    p.zero_grad()
    np.testing.assert_array_equal(p.grad, 0)
    p.grad += 2
    np.testing.assert_array_equal(p.grad, 2)


def test_linear_writes_then_accumulates_exactly():
    rng = np.random.default_rng(0)
    lin = nr.Linear(7, 5, seed=0)
    x1, x2 = rng.standard_normal((4, 7)).astype(np.float32), rng.standard_normal((3, 7)).astype(np.float32)
    d1, d2 = rng.standard_normal((4, 5)).astype(np.float32), rng.standard_normal((3, 5)).astype(np.float32)
    lin.W.grad += 100                          # stale values that zero_grad must hide
    lin.W.zero_grad(), lin.b.zero_grad()
    lin.forward(x1)
    lin.backward(d1)
    np.testing.assert_array_equal(lin.W.grad, x1.T @ d1)
    np.testing.assert_array_equal(lin.b.grad, d1.sum(axis=0))
    lin.forward(x2)
    lin.backward(d2)                           # a second backward without zero_grad adds
    np.testing.assert_array_equal(lin.W.grad, x1.T @ d1 + x2.T @ d2)
    np.testing.assert_array_equal(lin.b.grad, d1.sum(axis=0) + d2.sum(axis=0))


def test_training_is_bit_identical_with_eager_zeroing():
    # eager: reading .grad right after zero_grad writes the zeros, so backward takes the += path
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 12), dtype=np.float32), rng.integers(0, 3, 64)
    weights = []
    for eager in (False, True):
        m = nr.mlp(12, (9, 7), 3, dropout=0.5, seed=0)
        opt, crit = nr.Adam(m.parameters(), lr=0.01), nr.SoftmaxCrossEntropy()
        m.train()
        for start in range(0, 64, 16):
            opt.zero_grad()
            if eager:
                for p in m.parameters():
                    p.grad
            crit.forward(m.forward(X[start:start + 16]), y[start:start + 16])
            m.backward(crit.backward(), input_grad=False)
            opt.step()
        weights.append([p.data.copy() for p in m.parameters()])
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_a_parameter_no_backward_touched_is_zero_at_the_step():
    a, b = nr.Parameter(np.ones(3, np.float32)), nr.Parameter(np.ones(2, np.float32))
    opt = nr.SGD([a, b], lr=1.0)
    a.grad += 1
    b.grad += 1
    opt.step()
    opt.zero_grad()
    a.grad += 1                                # only a gets a gradient this time
    opt.step()
    np.testing.assert_array_equal(a.data, -1)
    np.testing.assert_array_equal(b.data, 0)   # moved once, not twice
