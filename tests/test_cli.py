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
    with pytest.raises(SystemExit) as info:
        main(["train", "--n-train", "200", "--epochs", "1", "--dropout", "1.0", "--out", "/tmp/nr-bad"])
    assert info.value.code == 2
    assert "error: argument --dropout: must be a number in [0, 1), got '1.0'" in capsys.readouterr().err


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


# -- errors: one line naming the flag, exit status 2, no traceback (issue 11) ------------------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def run_cli(args, tmp_path, **env):
    """``python -m numreg ARGS`` in a subprocess, offline: the data sets' folders empty, downloads refused."""
    import os
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    e = dict(os.environ, NUMREG_DATA=str(empty), NUMREG_CACHE=str(empty / "cache"),
             NUMREG_MNIST_URL="http://127.0.0.1:9/", NUMREG_FASHION_MNIST_URL="http://127.0.0.1:9/", **env)
    return subprocess.run([sys.executable, "-m", "numreg", *args], capture_output=True, text=True, cwd=ROOT,
                          env=e, timeout=120)


@pytest.mark.parametrize("args,flag,words", [
    (["train", "--epochs", "0"], "--epochs", "must be an integer >= 1"),
    (["train", "--lr", "nan"], "--lr", "must be a finite number > 0"),
    (["train", "--valid-fraction", "1"], "--valid-fraction", "in (0, 1)"),
    (["train", "--resume", "/etc/passwd"], "--resume /etc/passwd", "not an .npz file"),
    (["train", "--out", "/proc/forbidden"], "--out /proc/forbidden", "cannot write there"),
    (["train", "--data", "mnist"], "--data mnist", "give --root FOLDER holding its four IDX files, or add --download"),
    (["train", "--data", "mnist", "--download"], "--download", "cannot fetch mnist from http://127.0.0.1:9/"),
])
def test_each_error_is_one_line_naming_the_flag(tmp_path, args, flag, words):
    if "--out" not in args:
        args = [*args, "--out", str(tmp_path / "run")]
    r = run_cli(args, tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert flag in lines[0] and words in lines[0], lines[0]
    for python_advice in ("Traceback", "allow_pickle", "load_mnist(", "root=", "NUMREG_DATA"):
        assert python_advice not in r.stderr


def test_debug_shows_the_traceback(tmp_path):
    r = run_cli(["--debug", "train", "--resume", "/etc/passwd", "--out", str(tmp_path / "run")], tmp_path)
    assert r.returncode == 2
    assert "Traceback" in r.stderr and r.stderr.strip().splitlines()[-1].startswith("error: --resume")


def test_a_run_never_replaces_an_earlier_run_s_files(tmp_path, capsys):
    out = tmp_path / "run"
    flags = ["train", "--n-train", "300", "--epochs", "1", "--out", str(out), "--quiet"]
    assert main(flags) == 0
    before = {f: (out / f).read_bytes() for f in ("history.json", "model.npz", "summary.json")}
    capsys.readouterr()
    assert main([*flags, "--seed", "5"]) == 2
    err = capsys.readouterr().err
    assert f"--out {out} already holds an earlier run" in err and "--overwrite" in err
    assert {f: (out / f).read_bytes() for f in before} == before        # nothing replaced
    assert main([*flags, "--seed", "5", "--overwrite"]) == 0
    assert (out / "model.npz").read_bytes() != before["model.npz"]
    ckpt = tmp_path / "run.npz"
    ckpt.write_bytes(b"an earlier run's checkpoint")
    assert main([*flags, "--out", str(tmp_path / "other"), "--checkpoint", str(ckpt)]) == 2
    assert f"--checkpoint {ckpt} already exists" in capsys.readouterr().err
    assert ckpt.read_bytes() == b"an earlier run's checkpoint"


def test_train_help_lists_every_file_it_writes():
    from numreg.cli import OUTPUTS
    r = subprocess.run([sys.executable, "-m", "numreg", "train", "--help"], capture_output=True, text=True,
                       check=True, cwd=ROOT)
    text = " ".join(r.stdout.split())
    for name in OUTPUTS:
        assert name in text
    assert "--overwrite" in text and "--checkpoint PATH, the file PATH" in text
