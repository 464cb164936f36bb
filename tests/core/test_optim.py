"""Optimizers against PyTorch's update rules, written out step by step in float64."""
import numpy as np
import pytest

import numreg as nr


def param(values, regularized=True):
    return nr.Parameter(np.array(values, dtype=np.float64), "w", regularized)


def run(opt, p, grads):
    out = []
    for g in grads:
        opt.zero_grad()
        p.grad += g
        opt.step()
        out.append(p.data.copy())
    return out


GRADS = [np.array([0.5, -1.0]), np.array([0.1, 0.3]), np.array([-0.4, 0.2])]


def test_plain_sgd_by_hand():
    p = param([1.0, 2.0])
    run(nr.SGD([p], lr=0.1), p, GRADS[:1])
    np.testing.assert_allclose(p.data, [1.0 - 0.05, 2.0 + 0.1])


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_matches_pytorch_rule(nesterov):
    p = param([1.0, 2.0])
    got = run(nr.SGD([p], lr=0.1, momentum=0.9, nesterov=nesterov), p, GRADS)
    w, v = np.array([1.0, 2.0]), np.zeros(2)
    for g, x in zip(GRADS, got):
        v = 0.9 * v + g                      # torch: buf = momentum * buf + g (buf = g on step 1)
        w = w - 0.1 * ((g + 0.9 * v) if nesterov else v)
        np.testing.assert_allclose(x, w, rtol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    # m_hat = g, v_hat = g^2 on step 1, so the step is lr * g/(|g| + eps) ~ lr * sign(g)
    p = param([1.0, 2.0])
    run(nr.Adam([p], lr=0.1), p, GRADS[:1])
    np.testing.assert_allclose(p.data, [0.9, 2.1], rtol=1e-7)


@pytest.mark.parametrize("cls,wd", [(nr.Adam, 0.0), (nr.Adam, 0.1), (nr.AdamW, 0.1)])
def test_adam_matches_pytorch_rule(cls, wd):
    p = param([1.0, 2.0])
    got = run(cls([p], lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=wd), p, GRADS)
    w, m, v = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
    for t, (g, x) in enumerate(zip(GRADS, got), 1):
        if cls is nr.AdamW:
            w = w * (1 - 0.01 * wd)
        else:
            g = g + wd * w
        m = 0.8 * m + 0.2 * g
        v = 0.9 * v + 0.1 * g * g
        w = w - 0.01 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.9 ** t)) + 1e-6)
        np.testing.assert_allclose(x, w, rtol=1e-12)


def test_weight_decay_spares_biases():
    w, b = param([1.0]), param([1.0], regularized=False)
    opt = nr.AdamW([w, b], lr=0.1, weight_decay=0.5)
    opt.step()  # zero gradients: only the decay acts, w <- (1 - 0.05) w
    np.testing.assert_allclose(w.data, [0.95])
    np.testing.assert_array_equal(b.data, [1.0])


def test_defaults_as_pytorch():
    p = param([1.0])
    a = nr.Adam([p])
    assert (a.lr, a.betas, a.eps, a.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)
    assert nr.AdamW([p]).weight_decay == 1e-2


def test_state_dict_round_trip_continues_identically():
    p1, p2 = param([1.0, 2.0]), param([1.0, 2.0])
    o1 = nr.Adam([p1], lr=0.1)
    run(o1, p1, GRADS[:2])
    o2 = nr.Adam([p2], lr=0.1).load_state_dict(o1.state_dict())
    p2.data[...] = p1.data
    run(o1, p1, GRADS[2:])
    run(o2, p2, GRADS[2:])
    np.testing.assert_array_equal(p1.data, p2.data)


@pytest.mark.parametrize("kw,match", [({"lr": 0}, "lr=0"), ({"lr": -1e-3}, "lr=-0.001"),
                                      ({"lr": 0.1, "momentum": 1.0}, "momentum=1.0"),
                                      ({"lr": 0.1, "nesterov": True}, "momentum=0")])
def test_bad_sgd_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        nr.SGD([param([1.0])], **kw)


def test_bad_adam_arguments():
    with pytest.raises(ValueError, match="lr=0"):
        nr.Adam([param([1.0])], lr=0)
    with pytest.raises(ValueError, match="betas"):
        nr.Adam([param([1.0])], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="params is empty"):
        nr.Adam([])


def test_optimizer_state_follows_model_astype():
    # Regression: after model.astype(float64) the Adam moments stayed float32, so the
    # float64 model was updated with float32 state. The values must be kept, the dtype follow.
    rng = np.random.default_rng(0)
    model = nr.Sequential(nr.Linear(3, 2), seed=0)
    opt = nr.Adam(model.parameters(), lr=1e-2)
    crit = nr.MSELoss()
    X, Y = rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=(5, 2)).astype(np.float32)
    opt.zero_grad()
    crit.forward(model.forward(X), Y)
    model.backward(crit.backward())
    opt.step()
    m32 = [a.copy() for a in opt.m]
    model.astype(np.float64)
    opt.zero_grad()
    assert all(a.dtype == np.float64 for a in opt.m + opt.v)
    for a, b in zip(opt.m, m32):
        np.testing.assert_array_equal(a, b.astype(np.float64))
    crit.forward(model.forward(X.astype(np.float64)), Y.astype(np.float64))
    model.backward(crit.backward())
    opt.step()
    assert all(p.dtype == np.float64 for p in model.parameters())


@pytest.mark.parametrize("bad,exc,match", [
    ("model", TypeError, "model.parameters"), (3, TypeError, "params=3"),
    ([np.zeros(3)], TypeError, r"params\[0\]=ndarray"), ([], ValueError, "params is empty")])
def test_params_are_checked(bad, exc, match):
    # Regression: nr.Adam(model) (the model, not its parameters) raised AttributeError.
    if bad == "model":
        bad = nr.Sequential(nr.Linear(2, 2), seed=0)
    with pytest.raises(exc, match=match):
        nr.Adam(bad)
    w = nr.Linear(2, 2).W
    with pytest.raises(ValueError, match="twice"):
        nr.SGD([w, w], lr=0.1)
