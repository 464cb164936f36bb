"""The shared command line, and experiment scripts run through it (the two fastest, in this process)."""
import csv
import importlib.util
import os

import pytest

import numreg as nr
import numreg.study as st
from numreg.study import cli
import study_runs as runs
from study_runs import EXPERIMENTS, script



def tiny(args):
    return st.Study("tiny", runs.tiny_run, st.grid(dropout=[0.0, 0.5], epochs=[1 if args.quick else 2]),
                    seeds=args.seeds)


def test_main_runs_prints_writes_and_resumes(tmp_path, capsys):
    argv = ["--executor", "local", "--seeds", "2", "--quick", "--out", str(tmp_path / "s"), "--no-progress"]
    r = cli.main(tiny, argv, metrics=["final_valid_loss"])
    out = capsys.readouterr().out
    assert r.complete and r.executed == 4
    assert "tiny: 4 runs (2 configurations x 2 seeds): 0 found done" in out
    header = [line for line in out.splitlines() if line.split()[:2] == ["dropout", "n"]]
    assert header and header[0].split() == ["dropout", "n", "final_valid_loss"]
    assert "fixed: epochs=1" in out
    with open(tmp_path / "s" / "table.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["dropout"] for r in rows] == ["0.0", "0.5"] and rows[0]["n"] == "2"
    r = cli.main(tiny, argv, metrics=["final_valid_loss"])
    assert r.executed == 0 and "4 found done" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--seeds", "0"], "--seeds must be >= 1, got --seeds 0"),
    (["--workers", "0"], "--workers must be >= 1"),
    (["--retries", "-1"], "--retries must be >= 0"),
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --executor dask"),
    (["--executor", "threads"], "invalid choice: 'threads'"),
])
def test_main_rejects_bad_options(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(tiny, argv)
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_early_stopping_l2_script_as_a_study(tmp_path, capsys):
    r = script("early_stopping_l2").main(["--quick", "--executor", "local", "--seeds", "2", "--out",
                                          str(tmp_path / "es"), "--no-progress"])
    out = capsys.readouterr().out
    assert r.complete and len(r.records) == 8 and "Eq. 7.45" in out
    # the numreg-trained w(tau) agrees with the closed form of Eq. 7.40 on every problem
    assert max(e["record"]["gd_vs_eq_7_40"] for e in r.records) < 1e-8


def test_bias_penalty_script_as_a_study(tmp_path, capsys):
    r = script("bias_penalty").main(["--quick", "--executor", "local", "--seeds", "2", "--out",
                                     str(tmp_path / "bp"), "--no-progress"])
    out = capsys.readouterr().out
    assert r.complete and "2. The seed network" in out and "(paired)" in out
    checks = [e["record"]["max_difference"] for e in r.records if e["config"]["part"] == "nr.fit check"]
    assert len(checks) == 4 and max(checks) < 1e-8


def test_robustness_script_as_a_study(tmp_path, capsys):
    r = script("robustness").main(["--n-train", "300", "--n-test", "100", "--epochs", "1", "--hidden", "16",
                                   "--plot", str(tmp_path / "r.png"), "--executor", "local", "--seeds", "2",
                                   "--out", str(tmp_path / "rb"), "--no-progress"])
    out = capsys.readouterr().out
    assert [c["model"] for c in r.study.configs] == ["dense", "local sparse", "input noise", "augmentation", "dropout"]
    header = [line for line in out.splitlines() if line.startswith("corruption")][0].split()
    assert header[:3] == ["corruption", "level", "dense"]
    assert (tmp_path / "r.png").stat().st_size > 0 and "against the dense network" in out
    assert all(0 <= a <= 1 for e in r.records for _, _, a in e["record"]["rows"])


def test_label_smoothing_script_as_a_study(tmp_path, capsys):
    r = script("label_smoothing").main(["--n-train", "300", "--n-test", "100", "--epochs", "1", "--eps", "0.1",
                                        "--executor", "local", "--seeds", "1", "--out", str(tmp_path / "ls"),
                                        "--no-progress", "--plot", str(tmp_path / "rel.png")])
    assert len(r.records) == 6                                  # 2 regimes x (none, book, uniform)
    target = {(e["config"]["regime"], e["config"]["smoothing"]): e["record"]["true_class_target"] for e in r.records}
    # the true-class targets of the two conventions at epsilon = 0.1, k = 10: 0.9 and 0.91
    assert target["no dropout", "book"] == pytest.approx(0.9) and target["no dropout", "uniform"] == pytest.approx(0.91)
    assert (tmp_path / "rel.png").stat().st_size > 0


def test_reliability_rows_rebuilt_from_confidence_and_correctness():
    import numpy as np
    ls = script("label_smoothing")
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(10), size=200)
    y = rng.integers(0, 10, 200)
    Q = ls.probabilities(P.max(axis=1), (P.argmax(axis=1) == y).astype(int), y)
    np.testing.assert_allclose(Q.sum(axis=1), 1.0)
    import numreg as nr
    ra, rb = nr.metrics.reliability(P, y), nr.metrics.reliability(Q, y)
    np.testing.assert_array_equal(ra["count"], rb["count"])
    np.testing.assert_allclose(np.nan_to_num(ra["accuracy"]), np.nan_to_num(rb["accuracy"]))
    np.testing.assert_allclose(np.nan_to_num(ra["confidence"]), np.nan_to_num(rb["confidence"]))


def test_tang_eliasmith_script_as_a_study(tmp_path, capsys):
    argv = ["--quick", "--n-train", "300", "--n-test", "100", "--hidden", "32", "16", "--pretrain-epochs", "1",
            "--finetune-epochs", "1", "--executor", "local", "--seeds", "2", "--out", str(tmp_path / "te"),
            "--no-progress"]
    te = script("tang_eliasmith")
    r = te.main(argv)
    out = capsys.readouterr().out
    assert r.complete and len(r.study.configs) == 1 and len(r.records) == 2
    config = r.study.configs[0]
    # explicit options win over --quick; the rest are --quick's and the defaults
    assert (config["n_train"], config["n_test"], config["hidden"]) == (300, 100, [32, 16])
    assert (config["pretrain_epochs"], config["finetune_epochs"], config["quantile"]) == (1, 1, 0.99)
    header = [line for line in out.splitlines() if line.startswith("corruption")][0].split()
    assert header[:4] == ["corruption", "level", "DBN", "sDBN"]
    assert "model=sDBN vs model=DBN" in out and "model=sDBN + denoising vs model=sDBN" in out
    rec = r.records[0]["record"]
    for m in te.MODELS:
        corrupted = [rec[f"{m}/{c}/{lv}"] for c, (_, levels) in nr.corrupt.CORRUPTIONS.items() for lv in levels]
        assert len(corrupted) == 12 and all(0 <= a <= 1 for a in corrupted)
        assert rec[f"{m}/mean_corrupted"] == pytest.approx(sum(corrupted) / 12) and 0 <= rec[f"{m}/clean"] <= 1
    assert (tmp_path / "te" / "table.csv").exists()
    # the runs are reproducible from their seeds: a second study folder gives the same records
    again = te.main(argv[:-3] + ["--out", str(tmp_path / "te2"), "--no-progress"])
    strip = lambda e: {k: v for k, v in e["record"].items() if "seconds" not in k}   # noqa: E731
    assert [strip(e) for e in again.records] == [strip(e) for e in r.records]
    # results/make_table.py reads the study's table (a re-run with --out results/tang_eliasmith/<data>)
    folder = tmp_path / "results"
    (folder / "font-digits").mkdir(parents=True)
    (folder / "font-digits" / "table.json").write_text((tmp_path / "te" / "table.json").read_text())
    (folder / "machine.txt").write_text("date: 2026-12-03T08:00\n")
    spec = importlib.util.spec_from_file_location("make_table", os.path.join(os.path.dirname(EXPERIMENTS), "results",
                                                                             "make_table.py"))
    mt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mt)
    [row] = mt.tang_eliasmith(folder)
    sdbn = r.records[0]["record"]["sDBN/clean"] / 2 + r.records[1]["record"]["sDBN/clean"] / 2
    assert "font-digits, 2 seeds" in row[2] and f"sDBN {sdbn:.3f} / " in row[2] and "--seeds 3" in row[4]
