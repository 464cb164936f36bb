"""The command line: python -m numreg train / gradcheck / data / --help."""
import json
import subprocess
import sys

import numpy as np
import pytest

import numreg as nr
from numreg.files import load_npz
from numreg.cli import main


def test_train_writes_history_weights_and_plot(tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["train", "--n-train", "1500", "--epochs", "3", "--patience", "2", "--out", str(out), "--seed", "1"])
    assert rc == 0
    log = capsys.readouterr().out
    assert "[1/3] train_loss:" in log and "Validation loss decreased (inf --> " in log
    assert "test accuracy" in log
    h = json.loads((out / "history.json").read_text())
    assert len(h["train_loss"]) == 3 and len(h["valid_loss"]) == 3
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    weights = load_npz(out / "model.npz")
    model = nr.mlp(seed=0)
    model.load_state_dict(weights)  # the saved weights fit the seed network
    summary = json.loads((out / "summary.json").read_text())
    assert 0.1 < summary["test_accuracy"] <= 1.0
    assert summary["best_epoch"] == h["best_epoch"]


def test_train_rejects_bad_flags(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--epochs", "0"])
    with pytest.raises(SystemExit):
        main(["train", "--hidden", "128,x"])
    assert main(["train", "--n-train", "200", "--epochs", "1", "--dropout", "1.0", "--out", "/tmp/nr-bad"]) == 2
    assert "p=1.0" in capsys.readouterr().err


def test_gradcheck_command_passes(capsys):
    assert main(["gradcheck"]) == 0
    out = capsys.readouterr().out
    assert "seed network" in out and "FAILED" not in out


def test_help_lists_commands():
    r = subprocess.run([sys.executable, "-m", "numreg", "--help"], capture_output=True, text=True, check=True)
    for word in ("train", "gradcheck", "data"):
        assert word in r.stdout
    r = subprocess.run([sys.executable, "-m", "numreg", "train", "--help"], capture_output=True, text=True,
                       check=True)
    for flag in ("--data", "--epochs", "--batch-size", "--hidden", "--dropout", "--lr", "--label-smoothing",
                 "--seed", "--out", "--checkpoint", "--resume"):
        assert flag in r.stdout


def test_no_command_prints_the_help_and_exits_2():
    # Regression: `python -m numreg` alone exited 0, as if it had done something.
    r = subprocess.run([sys.executable, "-m", "numreg"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "train" in r.stderr and "usage" in r.stderr.lower()
