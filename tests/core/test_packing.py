"""Sequential packs its parameters into one flat array; optimizers update such runs as one block.

The packed and the per-parameter updates must be bit-identical, and an
optimizer must follow a parameter whose arrays were replaced after it was built.
"""
import numpy as np
import pytest

import numreg as nr


def unpack(model):
    """Give every parameter arrays of its own (the layout before packing)."""
    for p in model.parameters():
        p.data, p.grad = p.data.copy(), p.grad.copy()
    return model


def steps(model, opt, n=4, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        opt.zero_grad()
        for p in model.parameters():
            p.grad += rng.standard_normal(p.shape).astype(p.dtype)
        opt.step()
    return [p.data.copy() for p in model.parameters()]


def test_parameters_are_consecutive_views_of_one_array_with_their_values():
    layers = [nr.Linear(5, 4, seed=1), nr.ReLU(), nr.Linear(4, 3, seed=2)]
    before = [p.data.copy() for l in layers for p in l.parameters()]
    m = nr.Sequential(*layers)
    ps = m.parameters()
    base = ps[0].data.base
    assert base is not None and base.size == 5 * 4 + 4 + 4 * 3 + 3
    assert all(p.data.base is base for p in ps) and all(p.grad.base is ps[0].grad.base for p in ps)
    # W1 occupies base[0:20], b1 base[20:24], W2 base[24:36], b2 base[36:39]
    np.testing.assert_array_equal(base[20:24], ps[1].data)
    for p, v in zip(ps, before):
        np.testing.assert_array_equal(p.data, v)
    ps[2].data[0, 0] = 7.0                      # a view: writing through the parameter reaches the flat array
    assert base[24] == 7.0


@pytest.mark.parametrize("make", [
    lambda ps: nr.Adam(ps),
    lambda ps: nr.Adam(ps, weight_decay=0.1),     # decay on weights only: blocks split at each bias
    lambda ps: nr.AdamW(ps, lr=0.01),
    lambda ps: nr.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda ps: nr.SGD(ps, lr=0.1),
])
def test_packed_update_is_bit_identical_to_per_parameter_updates(make):
    a, b = nr.mlp(20, (16, 8), 3, seed=0), unpack(nr.mlp(20, (16, 8), 3, seed=0))
    for x, y in zip(steps(a, make(a.parameters())), steps(b, make(b.parameters()))):
        np.testing.assert_array_equal(x, y)


def test_optimizer_follows_parameters_whose_arrays_are_replaced():
    m = nr.mlp(6, (5,), 2, dropout=0.0, seed=0)
    opt = nr.Adam(m.parameters(), lr=0.1)
    steps(m, opt, 1)
    unpack(m)                                   # e.g. a penalty or a user rebinding p.data
    before = [p.data.copy() for p in m.parameters()]
    after = steps(m, opt, 1)
    assert all(not np.array_equal(x, y) for x, y in zip(before, after))  # every parameter still moves


def test_astype_repacks_and_state_dict_round_trips():
    m = nr.mlp(6, (5,), 2, seed=0).astype(np.float64)
    ps = m.parameters()
    assert all(p.dtype == np.float64 and p.data.base is ps[0].data.base for p in ps)
    opt = nr.Adam(ps)
    steps(m, opt, 2)
    state, weights = opt.state_dict(), m.state_dict()
    m2 = nr.mlp(6, (5,), 2, seed=0).astype(np.float64).load_state_dict(weights)
    opt2 = nr.Adam(m2.parameters()).load_state_dict(state)
    for x, y in zip(steps(m, opt, 2, seed=1), steps(m2, opt2, 2, seed=1)):
        np.testing.assert_array_equal(x, y)


def test_a_parameter_used_twice_is_listed_once():
    # As torch.nn.Module.parameters(): tied layers share their parameters, which are listed
    # (and so updated, penalized and saved) once; packing then covers them like any other.
    lin = nr.Linear(3, 3, seed=0)
    m = nr.Sequential(lin, nr.ReLU(), lin)      # tied: the same parameters twice
    assert len(m.parameters()) == 2 and m.parameters()[0] is lin.W
    assert [n for n, _ in m.named_parameters()] == ["0.W", "0.b"]
    assert lin.W.data.base is lin.b.data.base is not None
