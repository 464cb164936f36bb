"""Algorithms 7.2 and 7.3: using all the data after early stopping."""
import warnings

import numpy as np
import pytest

import numreg as nr
from numreg.data import train_valid_split


def blobs(n=300, d=10, k=3, seed=0, spread=2.5):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, d))
    y = rng.integers(0, k, n)
    X = (centers[y] + spread * rng.standard_normal((n, d))).astype(np.float32)
    return X, y


def factory(seed=1, d=10):
    return lambda: nr.Sequential(nr.Linear(d, 32), nr.ReLU(), nr.Linear(32, 3), seed=seed)


class CountingAdam(nr.Adam):
    """Adam that remembers every instance, to count the steps of each round."""
    made = []

    def __init__(self, params):
        super().__init__(params, lr=0.01)
        CountingAdam.made.append(self)


def test_split_is_a_partition():
    X = np.arange(50, dtype=np.float32).reshape(25, 2)
    y = np.arange(25)
    (Xs, ys), (Xv, yv) = train_valid_split(X, y, 0.2, seed=0)
    assert len(yv) == 5 and len(ys) == 20
    assert sorted(np.concatenate([ys, yv]).tolist()) == list(range(25))
    np.testing.assert_array_equal(Xs[:, 0], 2 * ys)           # rows stay with their labels
    (Xs2, _), _ = train_valid_split(X, y, 0.2, seed=0)
    np.testing.assert_array_equal(Xs, Xs2)


def test_algorithm_7_2_retrains_for_i_star_steps():
    X, y = blobs()
    CountingAdam.made = []
    model, rec = nr.retrain_on_all_data(factory(), X, y, optimizer_factory=CountingAdam, n=4, p=4, batch_size=32,
                                        seed=0)
    first_opt, second_opt = CountingAdam.made
    assert rec.algorithm == "7.2" and rec.n_subtrain == 240 and rec.n_valid == 60
    assert rec.first.stop_reason == "early stopping" and rec.i_star % 4 == 0 and rec.i_star > 0
    assert rec.first.best_step == rec.i_star
    assert first_opt.t == rec.i_star + 4 * 4                    # i* then p evaluations without improvement
    assert second_opt.t == rec.steps == rec.i_star              # "train on all the data for i* steps"
    assert rec.second.stop_reason == "callback" and rec.second.valid_loss == []
    assert model.parameters()[0].data is second_opt.params[0].data   # the retrained (second) model


def test_algorithm_7_2_can_match_epochs_instead_of_steps():
    X, y = blobs()
    CountingAdam.made = []
    _, rec = nr.retrain_on_all_data(factory(), X, y, optimizer_factory=CountingAdam, n=4, p=4, batch_size=32,
                                    seed=0, match="epochs")
    # i* steps of 8 a sub-training epoch (240/32) -> ceil(i*/8) epochs of 10 steps on all 300 examples
    assert rec.steps == -(-rec.i_star // 8) * 10 == CountingAdam.made[1].t


def test_algorithm_7_3_continues_until_the_validation_loss_reaches_epsilon():
    X, y = blobs()
    CountingAdam.made = []
    model, rec = nr.continue_on_all_data(factory(), X, y, optimizer_factory=CountingAdam, n=4, p=4,
                                         batch_size=32, seed=0, max_steps=2000)
    assert rec.algorithm == "7.3" and rec.reached
    assert len(CountingAdam.made) == 1                          # one model and optimizer, continued
    # the loop: checked every n = 4 steps, stops at the first value <= epsilon
    steps = [s for s, _ in rec.trace]
    assert steps == list(range(0, 4 * len(steps), 4)) and steps[-1] == rec.steps
    assert all(v > rec.epsilon for _, v in rec.trace[:-1]) and rec.trace[-1][1] <= rec.epsilon
    assert CountingAdam.made[0].t == rec.i_star + 4 * 4 + rec.steps
    # and the last check is what the returned model gives
    Xv_loss = rec.trace[-1][1]
    (_, _), (Xv, yv) = train_valid_split(X, y, 0.2, seed=0)
    assert nr.evaluate(model, nr.SoftmaxCrossEntropy(), Xv, yv)[0] == Xv_loss


def test_algorithm_7_3_epsilon_is_the_subtraining_loss_at_theta_star():
    X, y = blobs()
    _, rec = nr.continue_on_all_data(factory(), X, y, n=4, p=4, batch_size=32, seed=0, max_steps=2000)
    # run the first round alone (same seed: same split, same training) and evaluate theta*
    (Xs, ys), (Xv, yv) = train_valid_split(X, y, 0.2, seed=0)
    m = factory()()
    es = nr.EarlyStopping(patience=4, every=4, unit="step")
    nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters()), (Xs, ys), (Xv, yv), epochs=100, batch_size=32,
           callbacks=[es], seed=0, verbose=False)
    assert es.best_step == rec.i_star
    assert nr.evaluate(m, nr.SoftmaxCrossEntropy(), Xs, ys)[0] == rec.epsilon


def test_algorithm_7_3_step_limit_gives_a_clear_message():
    X, y = blobs()
    with pytest.warns(RuntimeWarning, match=r"did not fall to epsilon = .* within max_steps=8 steps"):
        _, rec = nr.continue_on_all_data(factory(), X, y, n=4, p=4, batch_size=32, seed=0, max_steps=8)
    assert not rec.reached and rec.steps == 8 and [s for s, _ in rec.trace] == [0, 4, 8]
    assert "may never end" in rec.message


def test_same_seed_same_result():
    X, y = blobs()
    runs = []
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m, rec = nr.continue_on_all_data(factory(), X, y, n=4, p=3, batch_size=32, seed=5, max_steps=500)
        runs.append((m.state_dict(), rec.trace, rec.epsilon))
    assert runs[0][1] == runs[1][1] and runs[0][2] == runs[1][2]
    for k in runs[0][0]:
        np.testing.assert_array_equal(runs[0][0][k], runs[1][0][k])


@pytest.mark.parametrize("fn,kw,match", [
    (nr.retrain_on_all_data, {"match": "passes"}, "match='passes'"),
    (nr.retrain_on_all_data, {"p": 0}, "p=0"),
    (nr.retrain_on_all_data, {"n": 0}, "n=0"),
    (nr.continue_on_all_data, {"valid_fraction": 1.5}, "valid_fraction=1.5"),
    (nr.continue_on_all_data, {"max_steps": 0}, "max_steps=0"),
    (nr.continue_on_all_data, {"batch_size": 0}, "batch_size=0")])
def test_bad_input(fn, kw, match):
    X, y = blobs(n=50)
    with pytest.raises(ValueError, match=match):
        fn(factory(), X, y, **kw)
