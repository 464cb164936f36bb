"""Early stopping (§7.8): Algorithm 7.1 line for line, the seed's messages, and every option of EarlyStopping."""
import math

import numpy as np
import pytest

import numreg as nr
from numreg.files import load_npz
from numreg.regularize.s7_08_early_stopping.algorithm_7_1 import early_stopping_meta_algorithm


def blobs(n=240, d=8, k=3, seed=0, spread=3.0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, d)) * 2
    y = rng.integers(0, k, n)
    X = (centers[y] + spread * rng.standard_normal((n, d))).astype(np.float32)
    return X, y


def net(seed=0, d=8, k=3, hidden=32, dropout=0.0):
    layers = [nr.Linear(d, hidden), nr.ReLU()] + ([nr.Dropout(dropout)] if dropout else []) + [nr.Linear(hidden, k)]
    return nr.Sequential(*layers, seed=seed)


def run(callbacks, epochs=40, lr=0.05, n_train=60, seed=0, verbose=False, batch_size=20, dropout=0.0):
    """A small, quickly overfitting classification run; returns (model, history)."""
    X, y = blobs()
    m = net(seed=seed, dropout=dropout)
    h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=lr), (X[:n_train], y[:n_train]),
               (X[120:], y[120:]), epochs=epochs, batch_size=batch_size, callbacks=callbacks, seed=seed,
               verbose=verbose)
    return m, h


# --- Algorithm 7.1, line for line --------------------------------------------------

class Counter:
    """A "model" whose one parameter is the number of training steps run so far."""

    def __init__(self):
        self.i = 0

    def state_dict(self):
        return {"i": np.array(self.i)}


def test_meta_algorithm_by_hand():
    # n = 2, p = 3, v' at i = 2, 4, ..., 14: 5, 4, 4.5, 3, 3.5, 3.2, 3.1
    #   i=2: 5 < inf -> i*=2;  i=4: 4 < 5 -> i*=4;  i=6: j=1;  i=8: 3 < 4 -> i*=8, j=0
    #   i=10: j=1;  i=12: j=2;  i=14: 3.1 >= 3 -> j=3 = p: stop.  theta* = theta at i = 8.
    errors = iter([5, 4, 4.5, 3, 3.5, 3.2, 3.1, 0.0])
    model = Counter()
    seen = []

    def train(m, n):
        m.i += n

    def validation_set_error(m):
        seen.append(m.i)
        return next(errors)

    theta_star, i_star = early_stopping_meta_algorithm(model, train, validation_set_error, n=2, p=3)
    assert i_star == 8 and int(theta_star["i"]) == 8
    assert seen == [2, 4, 6, 8, 10, 12, 14]           # the 0.0 after the stop is never asked for
    assert model.i == 14                               # theta is left at the last step, as in the book


def test_meta_algorithm_nan_never_improves_and_max_steps_ends_it():
    model = Counter()
    theta_star, i_star = early_stopping_meta_algorithm(
        model, lambda m, n: setattr(m, "i", m.i + n), lambda m: math.nan, n=1, p=2)
    assert i_star == 0 and int(theta_star["i"]) == 0 and model.i == 2   # theta* = theta_o
    model = Counter()
    theta_star, i_star = early_stopping_meta_algorithm(
        model, lambda m, n: setattr(m, "i", m.i + n), lambda m: -m.i, n=5, p=3, max_steps=20)
    assert (i_star, model.i) == (20, 20)               # still improving when the guard ends it


def test_meta_algorithm_agrees_with_step_level_early_stopping_in_fit():
    """The pseudo-code and EarlyStopping(every=n, unit="step") pick the same i* on the same training."""
    X, y = blobs(n=240, spread=3.0)
    Xt, yt, Xv, yv = X[:40], y[:40], X[120:], y[120:]
    crit = nr.SoftmaxCrossEntropy()

    def full_batch_gd(model):
        return nr.SGD(model.parameters(), lr=0.5)

    m1 = net(seed=1).astype(np.float64)
    opt1 = full_batch_gd(m1)

    def train(m, n):   # n full-batch gradient steps
        nr.fit(m, crit, opt1, (Xt, yt), epochs=n, batch_size=len(Xt), verbose=False, seed=0)

    theta_star, i_star = early_stopping_meta_algorithm(
        m1, train, lambda m: nr.evaluate(m, crit, Xv, yv)[0], n=3, p=4, max_steps=3000)

    m2 = net(seed=1).astype(np.float64)
    es = nr.EarlyStopping(patience=4, every=3, unit="step")
    h = nr.fit(m2, crit, full_batch_gd(m2), (Xt, yt), (Xv, yv), epochs=3000, batch_size=len(Xt),
               callbacks=[es], verbose=False, seed=0)
    assert h.stop_reason == "early stopping" and 0 < i_star < 3000
    assert es.best_step == i_star == h.best_step
    assert [s for s, _ in es.evaluations] == list(range(3, 3 * len(es.evaluations) + 1, 3))
    for k, v in theta_star.items():   # full batches summed in another order: equal to round-off
        np.testing.assert_allclose(es.best_state[k], v, rtol=1e-9, atol=1e-12)


def test_meta_algorithm_bad_input():
    for kw, match in [({"n": 0}, "n=0"), ({"p": 0}, "p=0"), ({"n": 1.5}, "n=1.5"), ({"max_steps": 0}, "max_steps=0")]:
        args = dict(n=1, p=1)
        args.update(kw)
        with pytest.raises(ValueError, match=match):
            early_stopping_meta_algorithm(Counter(), lambda m, n: None, lambda m: 0.0, **args)


# --- the seed's messages ----------------------------------------------------------

SEED_LOG = """\
Validation loss decreased (inf --> 0.227419).  Saving model ...
Validation loss decreased (0.227419 --> 0.191628).  Saving model ...
Validation loss decreased (0.191628 --> 0.167714).  Saving model ...
Validation loss decreased (0.167714 --> 0.154222).  Saving model ...
Validation loss decreased (0.154222 --> 0.145459).  Saving model ...
Validation loss decreased (0.145459 --> 0.138206).  Saving model ...
Validation loss decreased (0.138206 --> 0.133979).  Saving model ...
Validation loss decreased (0.133979 --> 0.129535).  Saving model ...
Validation loss decreased (0.129535 --> 0.122023).  Saving model ...
EarlyStopping counter: 1 out of 20
Validation loss decreased (0.122023 --> 0.118516).  Saving model ...
Validation loss decreased (0.118516 --> 0.115598).  Saving model ...
Validation loss decreased (0.115598 --> 0.113867).  Saving model ...
EarlyStopping counter: 1 out of 20
Validation loss decreased (0.113867 --> 0.112686).  Saving model ...
Validation loss decreased (0.112686 --> 0.112374).  Saving model ...
"""


def test_the_seed_notebook_log_line_for_line(capsys):
    """The validation losses of the seed's epochs 2-17 give the seed's messages, character for character."""
    values = [0.227419, 0.191628, 0.167714, 0.154222, 0.145459, 0.138206, 0.133979, 0.129535, 0.122023,
              0.12249, 0.118516, 0.115598, 0.113867, 0.11728, 0.112686, 0.112374]
    es = nr.EarlyStopping(patience=20, verbose=True)
    m = net()
    for v in values:
        assert not es(v, m)
    assert capsys.readouterr().out == SEED_LOG
    # ...then 20 evaluations without improvement: counters 1..20 and the stop on the 20th
    for j in range(1, 21):
        stop = es(0.2, m)
        assert stop == (j == 20)
    out = capsys.readouterr().out.splitlines()
    assert out == [f"EarlyStopping counter: {j} out of 20" for j in range(1, 21)]
    assert es.stop_reason == "patience" and es.best_epoch == 16


def test_fit_prints_early_stopping_after_the_last_counter(capsys):
    m, h = run([nr.EarlyStopping(patience=3, verbose=True)], epochs=200, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2:] == ["EarlyStopping counter: 3 out of 3", "Early stopping"]
    assert h.stop_reason == "early stopping"


# --- options ------------------------------------------------------------------------

def test_min_delta_must_be_exceeded_strictly():
    es = nr.EarlyStopping(patience=5, min_delta=0.25)
    es(1.0)
    es(0.75)            # 0.75 < 1.0 - 0.25 = 0.75 is False: not an improvement
    assert (es.best, es.counter) == (1.0, 1)
    es(0.74)            # 0.74 < 0.75: an improvement
    assert (es.best, es.counter, es.best_epoch) == (0.74, 0, 3)


def test_mode_max_monitors_accuracy_in_fit():
    es = nr.EarlyStopping(patience=4, mode="max", monitor="valid_accuracy")
    m, h = run([es], epochs=200)
    acc = np.array(h.valid_accuracy)
    assert es.best == acc.max() and es.best_epoch == int(np.argmax(acc)) + 1   # first epoch of the maximum
    assert h.stop_reason == "early stopping" and h.epochs == es.best_epoch + 4
    assert h.restored_epoch == es.best_epoch


def test_baseline_must_be_beaten():
    m = net()
    es = nr.EarlyStopping(patience=3, baseline=0.5)
    for v in [0.6, 0.55, 0.7]:          # none beats 0.5: three evaluations without reset
        stop = es(v, m)
    # the counter ran 1, 2, 3 although 0.55 improved on 0.6; best follows the values seen
    assert stop and es.best == 0.55 and es.best_epoch == 2 and es.best_state is not None
    assert "baseline 0.5 not beaten" in es.message
    es = nr.EarlyStopping(patience=3, baseline=0.5, verbose=False)
    es(0.6, m)                           # counter 1
    es(0.4, m)                           # improves and beats the baseline: counter 0
    assert (es.best, es.best_epoch, es.counter) == (0.4, 2, 0) and es.best_state is not None


def test_baseline_never_beaten_in_fit_restores_the_best_epoch():
    # Keras's semantics: the baseline decides when to stop, not what to keep.
    es = nr.EarlyStopping(patience=3, baseline=1e-9)
    m, h = run([es], epochs=50)
    assert h.epochs == 3 and h.stop_reason == "early stopping"
    assert h.restored_epoch == es.best_epoch == int(np.argmin(h.valid_loss)) + 1
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, es.best_state[k])


def test_start_from_epoch_ignores_the_warm_up():
    es = nr.EarlyStopping(patience=2, start_from_epoch=3)
    # epochs 1-3 are warm-up: the 0.1 at epoch 1 is not the best
    stops = [es(v) for v in [0.1, 5.0, 5.0, 1.0, 2.0, 3.0]]
    assert stops == [False, False, False, False, False, True]
    assert (es.best, es.best_epoch) == (1.0, 4)
    assert es.valid_record == [1.0, 2.0, 3.0]


def test_restore_best_or_not_when_epochs_run_out():
    es = nr.EarlyStopping(patience=1000)
    m, h = run([es], epochs=30)
    assert h.stop_reason == "epochs" and h.restored_epoch == es.best_epoch < 30
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, es.best_state[k])
    es2 = nr.EarlyStopping(patience=1000, restore_best=False)
    m2, h2 = run([es2], epochs=30)
    assert h2.restored_epoch is None and h2.best_epoch == es2.best_epoch == es.best_epoch
    assert any(not np.array_equal(v, es2.best_state[k]) for k, v in m2.state_dict().items())


def test_path_holds_theta_star_on_disk(tmp_path):
    path = tmp_path / "checkpoint.npz"
    es = nr.EarlyStopping(patience=3, path=str(path))
    m, h = run([es], epochs=200)
    assert h.epochs > es.best_epoch      # later epochs did not overwrite the file
    saved = load_npz(path)
    for k, v in es.best_state.items():
        np.testing.assert_array_equal(saved[k], v)


def test_every_n_epochs():
    es = nr.EarlyStopping(patience=2, every=3)
    m, h = run([es], epochs=200)
    epochs_evaluated = [e for e in range(3, h.epochs + 1, 3)]
    assert h.epochs % 3 == 0 and len(es.valid_record) == len(epochs_evaluated)
    assert es.valid_record == [h.valid_loss[e - 1] for e in epochs_evaluated]
    assert es.best_epoch % 3 == 0 and h.epochs == es.best_epoch + 2 * 3


def test_every_n_steps_evaluates_mid_epoch_and_stops_there():
    X, y = blobs()
    seen = []

    class Record(nr.Callback):        # the validation loss after every step, for comparison
        def on_step_end(self, state):
            seen.append((state.step, state.evaluate()[0]))

    es = nr.EarlyStopping(patience=3, every=4, unit="step")
    m, h = run([Record(), es], epochs=200, batch_size=7)   # 60 examples in batches of 7: 9 steps an epoch
    steps = [s for s, _ in es.evaluations]
    assert steps == list(range(4, 4 * len(steps) + 1, 4))
    assert [v for _, v in es.evaluations] == [v for s, v in seen if s % 4 == 0]
    last = steps[-1]
    assert seen[-1][0] == last              # no step after the stopping evaluation
    assert h.epochs == -(-last // 9)        # the partial epoch is recorded
    assert es.best_step == steps[-4] == h.best_step and h.stop_reason == "early stopping"
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, es.best_state[k])


def test_step_level_train_values_are_the_mean_batch_loss_since_the_last_evaluation():
    losses = []

    class Record(nr.Callback):
        def on_step_end(self, state):
            losses.append(state.loss)

    es = nr.EarlyStopping(patience=2, every=5, unit="step", criterion=nr.Patience(2), train_error="running")
    run([Record(), es], epochs=200, batch_size=7)
    expect = [np.mean(losses[i:i + 5]) for i in range(0, len(es.train_record) * 5, 5)]
    np.testing.assert_allclose(es.train_record, expect, rtol=1e-12)


def test_criterion_decides_and_theta_star_is_still_the_best():
    es = nr.EarlyStopping(criterion=nr.GL(5), train_error="running")
    m, h = run([es], epochs=300)
    assert h.stop_reason == "early stopping" and es.stop_reason == "criterion"
    assert nr.GL(5).first_stop(h.train_loss, h.valid_loss) == h.epochs
    assert es.best_epoch == int(np.argmin(h.valid_loss)) + 1
    assert es.train_record == h.train_loss and es.valid_record == h.valid_loss


def test_criterion_sees_prechelts_training_error_by_default():
    # Prechelt's E_tr: the training-set error after the epoch, measured in evaluation mode
    # (no dropout), not the running mean of the minibatch losses seen while training.
    X, y = blobs()
    measured = []

    class Measure(nr.Callback):
        def on_epoch_end(self, state):
            measured.append(nr.evaluate(state.model, state.criterion, X[:60], y[:60])[0])

    es = nr.EarlyStopping(criterion=nr.UP(2))
    _, h = run([Measure(), es], epochs=60, dropout=0.5)
    np.testing.assert_allclose(es.train_record, measured, rtol=1e-6)
    # with dropout 0.5 the running training loss is clearly above the evaluated one
    assert np.mean(h.train_loss) > 1.1 * np.mean(es.train_record)
    # a subsample of every other example when train_eval_size is half the set
    measured.clear()
    es = nr.EarlyStopping(criterion=nr.UP(2), train_eval_size=30)
    _, h = run([es], epochs=5, dropout=0.5)
    assert len(es.train_record) == h.epochs


@pytest.mark.parametrize("kw,match", [({"train_error": "batch"}, "train_error='batch'"),
                                      ({"train_eval_size": 0}, "train_eval_size=0")])
def test_train_error_options_are_checked(kw, match):
    with pytest.raises(ValueError, match=match):
        nr.EarlyStopping(**kw)


def test_criterion_patience_matches_the_patience_rule():
    e1, e2 = nr.EarlyStopping(patience=4), nr.EarlyStopping(criterion=nr.Patience(4))
    _, h1 = run([e1], epochs=300)
    _, h2 = run([e2], epochs=300)
    assert h1.epochs == h2.epochs and e1.best_epoch == e2.best_epoch
    assert h1.valid_loss == h2.valid_loss


# --- the NaN policy -------------------------------------------------------------------

def test_non_finite_value_stops_and_never_improves(capsys):
    m = net()
    for bad in (math.nan, math.inf, -math.inf):
        es = nr.EarlyStopping(patience=5, mode="max" if bad == -math.inf else "min")
        es(0.5 if es.mode == "min" else 0.2, m)
        assert es(bad, m) is True
        assert es.best in (0.5, 0.2) and es.best_epoch == 1 and es.stop_reason == "non-finite"
        assert f"Validation loss is {bad}: stopping" in capsys.readouterr().out


def test_nan_validation_loss_in_fit_stops_with_a_message_and_restores(capsys):
    class Poisoned(nr.SoftmaxCrossEntropy):
        """NaN on the validation set (120 examples) once ``poison`` is set."""
        poison = False

        def forward(self, output, target):
            value = super().forward(output, target)
            return math.nan if (self.poison and len(output) == 120) else value

    crit = Poisoned()

    class Poison(nr.Callback):
        def on_epoch_end(self, state):
            if state.epoch == 4:
                crit.poison = True

    X, y = blobs()
    m = net()
    es = nr.EarlyStopping(patience=50)
    with pytest.warns(RuntimeWarning, match="validation loss became nan at epoch 5"):
        h = nr.fit(m, crit, nr.Adam(m.parameters(), lr=0.01), (X[:60], y[:60]), (X[120:], y[120:]), epochs=30,
                   batch_size=20, callbacks=[es, Poison()], seed=0, verbose=False)
    # fit ends the run itself (a non-finite loss, with or without early stopping) and the
    # early-stopping callback restores its best epoch, which was finite
    assert h.epochs == 5 and h.stop_reason == "non-finite loss" and len(h.epoch_time) == 5
    assert math.isnan(h.valid_loss[-1]) and es.best_epoch <= 4 and h.restored_epoch == es.best_epoch
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, es.best_state[k])


# --- state, determinism, bad input --------------------------------------------------------

def test_state_dict_round_trip():
    m = net()
    es = nr.EarlyStopping(patience=3)
    for v in [1.0, 0.5, 0.7]:
        es(v, m, train_loss=v + 1)
    es2 = nr.EarlyStopping(patience=3).load_state_dict(es.state_dict())
    for e in (es, es2):
        e(0.8, m, train_loss=1.0)
    assert es2.counter == es.counter == 2 and es2.evaluations == es.evaluations
    assert es2.train_record == es.train_record
    for k in es.best_state:
        np.testing.assert_array_equal(es2.best_state[k], es.best_state[k])


def test_step_level_early_stopping_is_deterministic():
    def go():
        es = nr.EarlyStopping(patience=3, every=5, unit="step")
        m, h = run([es], epochs=100, batch_size=7, dropout=0.3)
        return m.state_dict(), h.to_dict(), es.best_step

    (s1, h1, b1), (s2, h2, b2) = go(), go()
    assert b1 == b2 and h1["train_loss"] == h2["train_loss"] and h1["valid_loss"] == h2["valid_loss"]
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k])


@pytest.mark.parametrize("kw,match", [
    ({"every": 0}, "every=0"), ({"every": 1.5}, "every=1.5"), ({"unit": "hour"}, "unit='hour'"),
    ({"mode": "up"}, "mode='up'"), ({"start_from_epoch": -1}, "start_from_epoch=-1"),
    ({"baseline": math.nan}, "baseline=nan"), ({"criterion": "GL5"}, "criterion='GL5'"),
    ({"unit": "step", "monitor": "train_loss"}, "monitor='train_loss'"), ({"patience": 0}, "patience=0"),
    ({"min_delta": -0.1}, "min_delta=-0.1")])
def test_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        nr.EarlyStopping(**kw)


def test_step_unit_needs_a_validation_set():
    X, y = blobs()
    m = net()
    with pytest.raises(ValueError, match="valid="):
        nr.fit(m, nr.SoftmaxCrossEntropy(), nr.SGD(m.parameters(), lr=0.1), (X, y), epochs=1, verbose=False,
               callbacks=[nr.EarlyStopping(unit="step")])
