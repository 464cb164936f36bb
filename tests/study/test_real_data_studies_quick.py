"""Reduced versions of two studies of ``results/`` on real Fashion-MNIST, for CI.

- ``results/semisupervised_100_labels/``: ``experiments/semisupervised_100_labels.py --quick``
  (a 2,000-image pool, 100 labels, every method, 2 seeds, paired against supervised only).
- ``results/seed_notebook/``: ``python -m numreg train --data fashion-mnist`` on 3,000 images
  for 4 epochs: the seed's log lines and the files ``run.sh`` copies.

Skip on a machine without the data; fail in CI, where .ci/run installs it.
"""
import json
import re

import pytest

import numreg as nr
from numreg import cli as nr_cli
from conftest import skip_or_fail
from study_runs import script


@pytest.fixture(scope="module", autouse=True)
def fashion_present():
    try:
        nr.data.load_fashion_mnist()
    except FileNotFoundError as e:
        skip_or_fail(f"Fashion-MNIST is not on this machine ({e})")



@pytest.mark.realdata
def test_semisupervised_quick_runs_every_method_paired(tmp_path, capsys):
    mod = script("semisupervised_100_labels")
    r = mod.main(["--quick", "--data", "fashion-mnist", "--seeds", "2", "--executor", "local", "--no-progress",
                  "--out", str(tmp_path / "s")])
    out = capsys.readouterr().out
    assert r.complete and len(r.records) == 2 * len(mod.METHODS)
    for e in r.records:                         # 10 classes: chance is 0.1; every method learns something
        assert 0.1 < e["record"]["test_accuracy"] <= 1.0, e["config"]["method"]
    for method in mod.METHODS[1:]:
        assert f"method={method} vs method=supervised only" in out
    assert (tmp_path / "s" / "table.json").exists()


@pytest.mark.realdata
def test_seed_notebook_on_fashion_mnist_writes_the_log_and_the_files(tmp_path, capsys):
    out_dir = tmp_path / "run"
    nr_cli.main(["train", "--data", "fashion-mnist", "--n-train", "3000", "--epochs", "4", "--seed", "0",
                 "--out", str(out_dir)])
    log = capsys.readouterr().out
    lines = log.splitlines()
    for epoch in range(1, 5):                   # the seed's log line, e.g. "[  1/4] train_loss: 0.98656 valid_loss: ..."
        assert any(re.match(rf"\[ *{epoch}/4\] train_loss: \d+\.\d{{5}} valid_loss: \d+\.\d{{5}}$", line)
                   for line in lines), epoch
    assert "Validation loss decreased (inf --> " in log
    for name in ("history.json", "summary.json", "loss.png"):       # what results/seed_notebook/run.sh keeps
        assert (out_dir / name).exists(), name
    s = json.loads((out_dir / "summary.json").read_text())
    assert s["epochs_run"] == 4 and 0.5 < s["test_accuracy"] <= 1.0     # 4 epochs on 3,000 images: well above 0.1
