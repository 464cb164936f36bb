"""Decoupled weight decay against the L2 penalty (§7.1.1; Loshchilov & Hutter 2019).

SGD: the seed's identity w <- w - eps (alpha w + grad J) = (1 - eps alpha) w - eps grad J,
so SGD(weight_decay=alpha) and SGD + L2(alpha) take the same steps, bit for bit.
Adam: an L2 penalty's gradient alpha w is divided by Adam's sqrt(v_hat) like any
gradient, decoupled decay (AdamW) is not -- the two differ.
"""
import numpy as np
import pytest

import numreg as nr


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 12)).astype(np.float32)
    y = rng.integers(0, 4, n)
    return X, y


def _run(make_opt, penalties=(), epochs=3, seed=0):
    model = nr.mlp(12, (16,), 4, dropout=0.25, seed=seed)
    steps = []

    class Record:
        def on_step_end(self, state):
            steps.append([p.data.copy() for p in state.model.parameters()])

    nr.fit(model, nr.SoftmaxCrossEntropy(), make_opt(model.parameters()), _data(), epochs=epochs, batch_size=16,
           penalties=penalties, callbacks=[Record()], seed=seed, verbose=False)
    return steps


def test_seed_identity_by_hand():
    # w = 2, grad J = 1, eps = 0.1, alpha = 0.5: (1 - 0.05) * 2 - 0.1 * 1 = 1.8
    for use_l2 in (False, True):
        w = nr.Parameter(np.array([2.0]), "W")
        w.grad[...] = 1.0
        opt = nr.SGD([w], lr=0.1) if use_l2 else nr.SGD([w], lr=0.1, weight_decay=0.5)
        if use_l2:
            nr.L2(0.5).add_grad([w])
        opt.step()
        assert w.data[0] == pytest.approx(1.8, rel=1e-15)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_weight_decay_equals_sgd_plus_L2_step_for_step(momentum):
    alpha = 0.05
    a = _run(lambda ps: nr.SGD(ps, lr=0.1, momentum=momentum, weight_decay=alpha))
    b = _run(lambda ps: nr.SGD(ps, lr=0.1, momentum=momentum), penalties=[nr.L2(alpha)])
    c = _run(lambda ps: nr.SGD(ps, lr=0.1, momentum=momentum))
    assert len(a) == len(b) == 18
    for sa, sb in zip(a, b):
        for pa, pb in zip(sa, sb):
            np.testing.assert_array_equal(pa, pb)     # bit-identical, every step, every parameter
    assert not np.array_equal(a[-1][0], c[-1][0])     # and the decay did something


def test_adam_weight_decay_is_L2_but_adamw_is_not():
    alpha = 0.05
    adam_wd = _run(lambda ps: nr.Adam(ps, lr=1e-2, weight_decay=alpha))
    adam_l2 = _run(lambda ps: nr.Adam(ps, lr=1e-2), penalties=[nr.L2(alpha)])
    adamw = _run(lambda ps: nr.AdamW(ps, lr=1e-2, weight_decay=alpha))
    for sa, sb in zip(adam_wd, adam_l2):                 # Adam's weight_decay is a coupled L2 penalty
        for pa, pb in zip(sa, sb):
            np.testing.assert_array_equal(pa, pb)
    diff = max(np.max(np.abs(pa - pw)) for pa, pw in zip(adam_l2[-1], adamw[-1]))
    assert diff > 1e-3                                   # AdamW follows another path


def _constant_gradient_run(opt_cls, alpha, g, steps=50, lr=1e-2):
    """Two weights starting at 1, with constant data gradients g (a linear J = g . w)."""
    w = nr.Parameter(np.ones(len(g)), "W")
    if opt_cls is nr.AdamW:
        opt, pens = nr.AdamW([w], lr=lr, weight_decay=alpha), []
    else:
        opt, pens = nr.Adam([w], lr=lr), [nr.L2(alpha)]
    for _ in range(steps):
        opt.zero_grad()
        w.grad[...] = g
        for pen in pens:
            pen.add_grad([w])
        opt.step()
    return w.data.copy()


def test_adamw_decays_every_weight_alike_adam_plus_L2_decays_large_gradient_weights_less():
    """Loshchilov & Hutter's point: with Adam, L2 is not weight decay.

    With a constant data gradient g_i, Adam's step on J alone is the same
    for every coordinate (about lr * sign(g_i)). The shrinkage that the
    regularizer adds on top -- w(alpha) - w(0) -- is, for AdamW, the same
    factor (1 - lr alpha)^t for both weights; for Adam + L2 the penalty's
    gradient alpha w is normalized by sqrt(v), dominated by g_i^2, so the
    weight with the large gradient is barely regularized.
    """
    g = np.array([100.0, 0.01])
    alpha, steps, lr = 0.1, 50, 1e-2
    for cls in (nr.AdamW, nr.Adam):
        shrink = _constant_gradient_run(cls, alpha, g, steps, lr) - _constant_gradient_run(cls, 0.0, g, steps, lr)
        if cls is nr.AdamW:
            # w_t = (1 - lr alpha) w_{t-1} - lr u_t, with u_t the same as without decay
            assert shrink[0] == pytest.approx(shrink[1], rel=0.05)
            assert shrink[0] < 0
        else:
            ratio = abs(shrink[0]) / abs(shrink[1])
            assert ratio < 0.01                  # large-gradient weight: ~1/10^4 of the decay


def test_adam_plus_L2_ignores_alpha_when_the_data_gradient_is_zero_adamw_does_not():
    # J does not depend on w: Adam + L2 sees g = alpha w and normalizes it: each step ~ lr, whatever alpha
    w1 = _constant_gradient_run(nr.Adam, 0.1, np.zeros(1), steps=10)
    w2 = _constant_gradient_run(nr.Adam, 10.0, np.zeros(1), steps=10)
    assert w1[0] == pytest.approx(w2[0], rel=1e-6)
    assert w1[0] == pytest.approx(1 - 10 * 1e-2, rel=1e-3)      # 10 steps of about lr each
    # AdamW: w <- (1 - lr lambda) w, exactly as the decay factor says
    v1 = _constant_gradient_run(nr.AdamW, 0.1, np.zeros(1), steps=10)
    v2 = _constant_gradient_run(nr.AdamW, 10.0, np.zeros(1), steps=10)
    assert v1[0] == pytest.approx((1 - 1e-2 * 0.1) ** 10, rel=1e-12)
    assert v2[0] == pytest.approx((1 - 1e-2 * 10.0) ** 10, rel=1e-12)
