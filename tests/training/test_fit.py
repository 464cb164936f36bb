"""The fit loop: learning, the seed's log and early-stopping messages, best weights, bad input."""
import os
import re

import numpy as np
import pytest

import numreg as nr
from numreg.files import load_npz


def blobs(n=600, d=8, k=3, seed=0, spread=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, d)) * 3
    y = rng.integers(0, k, n)
    X = (centers[y] + spread * rng.standard_normal((n, d))).astype(np.float32)
    return X, y


def small_net(seed=0, d=8, k=3):
    return nr.Sequential(nr.Linear(d, 16), nr.ReLU(), nr.Linear(16, k), seed=seed)


def test_fit_learns_and_logs_in_the_seed_format(capsys):
    X, y = blobs()
    m = small_net()
    h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=0.01), (X[:500], y[:500]),
               (X[500:], y[500:]), epochs=12, batch_size=50, seed=0)
    out = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"\[ 1/12\] train_loss: \d\.\d{5} valid_loss: \d\.\d{5}", out[0])
    assert out[-1].startswith("[12/12]")
    assert h.epochs == 12 and len(h.valid_loss) == 12
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert h.valid_accuracy[-1] > 0.95
    assert h.best_epoch == int(np.argmin(h.valid_loss)) + 1


def test_seed_early_stopping_messages(capsys):
    es = nr.EarlyStopping(patience=2, verbose=True)
    m = small_net()
    for v in [0.227419, 0.191628, 0.2, 0.195]:
        es(v, m)
    out = capsys.readouterr().out.splitlines()
    assert out == ["Validation loss decreased (inf --> 0.227419).  Saving model ...",
                   "Validation loss decreased (0.227419 --> 0.191628).  Saving model ...",
                   "EarlyStopping counter: 1 out of 2",
                   "EarlyStopping counter: 2 out of 2"]
    assert es.early_stop and es.best_epoch == 2 and es.val_loss_min == 0.191628


def test_min_delta_is_strict():
    es = nr.EarlyStopping(patience=5, min_delta=0.1)
    m = small_net()
    es(1.0, m)
    es(0.9, m)  # 0.9 is not < 1.0 - 0.1 (floating point: 0.9 == 0.9): no improvement
    assert es.counter == 1 and es.best == 1.0
    es(0.85, m)
    assert es.best == 0.85 and es.counter == 0


def test_mode_max_for_accuracy(capsys):
    es = nr.EarlyStopping(patience=1, mode="max", monitor="valid_accuracy", verbose=True)
    m = small_net()
    es(0.5, m)
    es(0.4, m)
    out = capsys.readouterr().out
    assert "Validation accuracy increased (-inf --> 0.500000)" in out and es.early_stop


def test_early_stopping_in_fit_restores_best_weights(capsys, tmp_path):
    X, y = blobs(spread=4.0)
    m = small_net()
    path = tmp_path / "best.npz"
    es = nr.EarlyStopping(patience=3, verbose=True, path=str(path))
    h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=0.05), (X[:100], y[:100]),
               (X[100:], y[100:]), epochs=200, batch_size=20, callbacks=[es], seed=0)
    out = capsys.readouterr().out
    assert h.stop_reason == "early stopping" and out.rstrip().endswith("Early stopping")
    assert h.epochs == es.best_epoch + 3  # patience evaluations after the best
    assert h.best_epoch == es.best_epoch == h.restored_epoch
    for name, p in m.named_parameters():
        np.testing.assert_array_equal(p.data, es.best_state[name])
    saved = load_npz(path)
    for name, p in m.named_parameters():
        np.testing.assert_array_equal(saved[name], p.data)
    assert [f for f in os.listdir(tmp_path) if f != "best.npz"] == []  # no temporary files left


def test_best_weights_restored_when_epochs_run_out():
    X, y = blobs(spread=4.0)
    m = small_net()
    es = nr.EarlyStopping(patience=1000)
    h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters(), lr=0.05), (X[:100], y[:100]),
               (X[100:], y[100:]), epochs=25, batch_size=20, callbacks=[es], seed=0, verbose=False)
    assert h.stop_reason == "epochs" and not es.early_stop
    assert h.restored_epoch == es.best_epoch == int(np.argmin(h.valid_loss)) + 1
    for name, p in m.named_parameters():
        np.testing.assert_array_equal(p.data, es.best_state[name])


def test_same_seeds_give_bit_identical_runs():
    X, y = blobs()

    def run():
        m = nr.Sequential(nr.Linear(8, 16), nr.ReLU(), nr.Dropout(0.5), nr.Linear(16, 3), seed=3)
        h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.Adam(m.parameters()), (X, y), (X, y), epochs=3,
                   batch_size=64, seed=5, verbose=False)
        return m.state_dict(), h.train_loss + h.valid_loss

    (s1, h1), (s2, h2) = run(), run()
    assert h1 == h2
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k])


def test_non_finite_loss_stops_and_keeps_good_weights():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 4)).astype(np.float32) * 100
    y = rng.standard_normal((64, 1)).astype(np.float32)
    m = nr.Sequential(nr.Linear(4, 1), seed=0)
    with pytest.warns(RuntimeWarning, match="training loss became"):
        h = nr.fit(m, nr.MSELoss(), nr.SGD(m.parameters(), lr=1e3), (X, y), epochs=50, batch_size=8,
                   seed=0, verbose=False)
    assert h.stop_reason == "non-finite loss"
    assert all(np.isfinite(p.data).all() for p in m.parameters())


def test_history_json_round_trip(tmp_path):
    X, y = blobs()
    m = small_net()
    h = nr.fit(m, nr.SoftmaxCrossEntropy(), nr.SGD(m.parameters(), lr=0.1), (X, y), (X, y), epochs=2,
               verbose=False)
    h.save(tmp_path / "h.json")
    assert nr.History.load(tmp_path / "h.json").to_dict() == h.to_dict()


class TestBadInput:
    X, y = blobs(n=40)

    def fit(self, **kw):
        m = small_net()
        args = dict(model=m, criterion=nr.SoftmaxCrossEntropy(), optimizer=nr.SGD(m.parameters(), lr=0.1),
                    train=(self.X, self.y), epochs=1, verbose=False)
        args.update(kw)
        return nr.fit(**args)

    def test_wrong_width(self):
        with pytest.raises(ValueError, match="in_features=8"):
            self.fit(train=(np.zeros((40, 9), np.float32), self.y))

    def test_wrong_rank(self):
        with pytest.raises(ValueError, match="shape=\\(40,\\)"):
            self.fit(train=(np.zeros(40, np.float32), self.y))

    def test_labels_out_of_range(self):
        with pytest.raises(ValueError, match="label 7"):
            self.fit(train=(self.X, np.full(40, 7)))

    def test_labels_wrong_length(self):
        with pytest.raises(ValueError, match="one target per example \\(40\\)"):
            self.fit(train=(self.X, self.y[:39]))

    def test_nan_in_data(self):
        X = self.X.copy()
        X[3, 2] = np.nan
        with pytest.raises(ValueError, match="must hold finite numbers, got a non-finite value train\\[0\\] \\(X\\)\\[3, 2\\]=nan"):
            self.fit(train=(X, self.y))

    def test_inf_in_validation_data(self):
        X = self.X.copy()
        X[0, 0] = np.inf
        with pytest.raises(ValueError, match="valid"):
            self.fit(valid=(X, self.y))

    def test_bad_epochs_and_batch_size(self):
        with pytest.raises(ValueError, match="epochs=0"):
            self.fit(epochs=0)
        with pytest.raises(ValueError, match="batch_size=0"):
            self.fit(batch_size=0)

    @pytest.mark.parametrize("kw,match", [({"patience": 0}, "patience=0"), ({"mode": "up"}, "mode='up'"),
                                          ({"min_delta": -1}, "min_delta=-1")])
    def test_bad_early_stopping(self, kw, match):
        with pytest.raises(ValueError, match=match):
            nr.EarlyStopping(**kw)


def test_evaluate_and_predict_reject_empty_input():
    # Regression: evaluate on an empty X raised UnboundLocalError.
    model = nr.Sequential(nr.Linear(4, 3), seed=0)
    X = np.zeros((0, 4), np.float32)
    y = np.zeros(0, np.int64)
    with pytest.raises(ValueError, match="X must not be empty"):
        nr.evaluate(model, nr.SoftmaxCrossEntropy(), X, y)
    with pytest.raises(ValueError, match="X"):
        nr.predict(model, X)


def test_history_keeps_extra_lists_through_save_and_load(tmp_path):
    # Regression: to_dict/save dropped the lists MultiTask and the autoencoder attach.
    h = nr.History()
    h.train_loss = [1.0, 0.5]
    h.task_valid_loss = [[0.9, 0.3], [0.4, 0.2]]
    h.task_valid_accuracy = [np.array([0.5, 0.25]), np.array([0.75, 0.5])]
    assert h.extra_metrics() == ["task_valid_accuracy", "task_valid_loss"]
    h.save(tmp_path / "h.json")
    back = nr.History.load(tmp_path / "h.json")
    assert back.train_loss == [1.0, 0.5]
    assert back.task_valid_loss == [[0.9, 0.3], [0.4, 0.2]]
    assert back.task_valid_accuracy == [[0.5, 0.25], [0.75, 0.5]]


@pytest.mark.parametrize("with_early_stopping", [False, True])
def test_divergence_keeps_the_best_finite_weights(with_early_stopping):
    # Regression: with SGD(lr=1e6) the first validation loss was NaN; early stopping printed
    # "no best weights to keep", reported stop_reason='early stopping', and the model output NaN;
    # without it, best_epoch was 1, an epoch whose validation loss was NaN.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = nr.Sequential(nr.Linear(6, 16), nr.ReLU(), nr.Linear(16, 2), seed=0)
    initial = model.state_dict()
    callbacks = [nr.EarlyStopping(patience=3)] if with_early_stopping else []
    with pytest.warns(RuntimeWarning, match="non-finite|became"):
        h = nr.fit(model, nr.SoftmaxCrossEntropy(), nr.SGD(model.parameters(), lr=1e6), (X[:150], y[:150]),
                   (X[150:], y[150:]), epochs=20, callbacks=callbacks, seed=0, verbose=False)
    assert h.stop_reason == "non-finite loss"
    assert h.best_epoch is None or np.isfinite(h.valid_loss[h.best_epoch - 1])
    assert np.all(np.isfinite(nr.predict(model, X)))
    if h.best_epoch is None:               # no finite epoch: the initial weights are back
        for k, v in model.state_dict().items():
            np.testing.assert_array_equal(v, initial[k])
