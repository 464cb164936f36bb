"""Rprop against hand-worked steps (the arithmetic in the comments); torch.optim.Rprop agrees to 0.0
in float64 over 30 random steps (checked outside the tests, which do not need torch)."""
import numpy as np
import pytest

import numreg as nr


def _p(values):
    return nr.Parameter(np.array(values, dtype=np.float64), "w")


def test_three_steps_by_hand():
    w = _p([1.0])
    opt = nr.Rprop([w], lr=0.1, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    for g in (2.0, 3.0, -1.0):
        w.grad[...] = g
        opt.step()
        if g == 2.0:   # g_prev=0: step stays 0.1, w = 1 - 0.1 = 0.9
            assert w.data[0] == pytest.approx(0.9)
        if g == 3.0:   # same sign: step = 0.1*1.2 = 0.12, w = 0.9 - 0.12 = 0.78
            assert w.data[0] == pytest.approx(0.78)
        if g == -1.0:  # sign change: step = 0.12*0.5 = 0.06, g <- 0, w stays 0.78
            assert w.data[0] == pytest.approx(0.78)
    assert opt.steps[0][0] == pytest.approx(0.06)
    assert opt.prev[0][0] == 0.0


def test_sign_change_zeroes_then_moves():
    w = _p([0.0, 0.0])
    opt = nr.Rprop([w], lr=1.0)
    for g in ([1.0, 1.0], [-1.0, 1.0], [-1.0, 1.0]):
        w.grad[...] = g
        opt.step()
    # elem 0: -1, then no move (step 0.5), then g_prev=0 so moves +0.5 -> -0.5
    # elem 1: -1, -1.2, -1.44 -> -3.64
    np.testing.assert_allclose(w.data, [-0.5, -3.64])


def test_caps():
    w = _p([0.0, 0.0])
    opt = nr.Rprop([w], lr=1.0, step_sizes=(0.3, 2.0))
    for k in range(10):
        w.grad[...] = [1.0, (-1.0) ** k]
        opt.step()
    np.testing.assert_allclose(opt.steps[0], [2.0, 0.3])


def test_state_dict_round_trip():
    w = _p([1.0, -2.0])
    opt = nr.Rprop([w], lr=0.1)
    w.grad[...] = [1.0, -1.0]
    opt.step()
    sd = opt.state_dict()
    w2 = _p(w.data.copy())
    opt2 = nr.Rprop([w2], lr=0.1).load_state_dict(sd)
    for o, p in ((opt, w), (opt2, w2)):
        p.grad[...] = [1.0, 1.0]
        o.step()
    np.testing.assert_array_equal(w.data, w2.data)
    np.testing.assert_array_equal(opt.steps[0], opt2.steps[0])


@pytest.mark.parametrize("kw, name", [({"lr": 0.0}, "lr"), ({"lr": -1.0}, "lr"),
                                      ({"etas": (1.0, 1.2)}, "etas"), ({"etas": (0.5, 1.0)}, "etas"),
                                      ({"etas": (0.0, 1.2)}, "etas"),
                                      ({"step_sizes": (0.0, 1.0)}, "step_sizes"),
                                      ({"step_sizes": (1.0, 0.5)}, "step_sizes")])
def test_bad_input(kw, name):
    with pytest.raises(ValueError, match=name):
        nr.Rprop([_p([1.0])], **kw)
