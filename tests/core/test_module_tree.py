"""The module tree: containers name their parts; parameters, state and modes follow at any depth."""
import numpy as np
import pytest

import numreg as nr


def multitask(seed=0):
    trunk = nr.Sequential(nr.Linear(4, 5), nr.ReLU())
    return nr.MultiTask(trunk, [nr.Linear(5, 3), nr.Linear(5, 2)],
                        criteria=[nr.SoftmaxCrossEntropy(), nr.MSELoss()], seed=seed)


def autoencoder():
    enc = nr.Sequential(nr.Linear(4, 3), nr.Sigmoid())
    return nr.DenoisingAutoencoderClassifier(enc, nr.Linear(3, 4), nr.Linear(3, 2)).reseed(0)


NESTED = {
    "sequential in sequential": lambda: nr.Sequential(nr.Flatten(), nr.Sequential(nr.Linear(4, 3), nr.ReLU()),
                                                      nr.Dropout(0.5), nr.Linear(3, 2), seed=0),
    "multitask in sequential": lambda: nr.Sequential(nr.Flatten(), multitask()),
    "autoencoder in sequential": lambda: nr.Sequential(nr.Flatten(), autoencoder()),
    "multitask": multitask,
}


def test_nested_multitask_names_every_parameter_once():
    # Regression: Sequential(Flatten(), MultiTask(...)) named its parameters ['1.W', '1.b'] three
    # times, and state_dict() kept 2 of the 6 arrays, silently.
    model = nr.Sequential(nr.Flatten(), multitask())
    names = [n for n, _ in model.named_parameters()]
    assert names == ["1.trunk.0.W", "1.trunk.0.b", "1.heads.0.W", "1.heads.0.b", "1.heads.1.W", "1.heads.1.b"]
    assert len(model.state_dict()) == 6 == len(model.parameters())
    assert [n for n, _ in model.named_modules()][:4] == ["", "0", "1", "1.trunk"]


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_state_dict_round_trip_through_nesting(make):
    a, b = make(), make()
    rng = np.random.default_rng(1)
    for p in b.parameters():                       # b differs from a everywhere
        p.data[...] = rng.normal(size=p.shape)
    state = b.state_dict()
    assert len(state) == len(b.parameters())
    a.load_state_dict(state)
    for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
        assert na == nb
        np.testing.assert_array_equal(pa.data, pb.data)
    state[next(iter(state))][...] += 1             # a copy: changing it changes neither model
    assert not np.array_equal(next(iter(state.values())), a.parameters()[0].data)


@pytest.mark.parametrize("make", NESTED.values(), ids=NESTED.keys())
def test_modes_and_dtype_reach_every_part(make):
    model = make()
    model.eval()
    assert all(not m.training for _, m in model.named_modules())
    model.train()
    assert all(m.training for _, m in model.named_modules())
    model.astype(np.float64)
    assert all(p.data.dtype == np.float64 == p.grad.dtype for p in model.parameters())


def test_generators_are_collected_from_every_depth():
    drop = nr.Dropout(0.5)
    model = nr.Sequential(nr.Linear(3, 3), nr.Sequential(drop, nr.GaussianNoise(0.1)), seed=0)
    gens = model.generators()
    assert len(gens) == 2 and gens[0] is drop.rng
    ae = autoencoder()
    assert ae.generators()[0] is ae.rng            # the corruption's own generator first
