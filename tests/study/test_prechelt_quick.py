"""experiments/prechelt.py end to end on a tiny study: the table prints with a row per criterion."""
import importlib.util
import json
import os
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _load():
    saved = dict(os.environ)                    # the script sets BLAS thread variables for its workers
    try:
        spec = importlib.util.spec_from_file_location("prechelt_quick", ROOT / "experiments" / "prechelt.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return mod


def test_prechelt_quick_prints_every_criterion(tmp_path, capsys):
    exp = _load()
    t0 = time.perf_counter()
    result = exp.main(["--quick", "--seeds", "2", "--epochs", "40", "--executor", "local", "--no-progress",
                       "--out", str(tmp_path)])
    assert time.perf_counter() - t0 < 30
    out = capsys.readouterr().out
    assert len(result.records) == 4 and not result.failed          # font digits and regression, 2 seeds
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("criterion"))
    names = [line.split()[0] for line in lines[head + 2: head + 2 + len(exp.CRITERIA)]]
    assert names == [c.name for c in exp.CRITERIA]
    assert "Prechelt (1998)" in out and "distinct epochs" in out and "check: nr.fit" in out
    summary = json.loads((tmp_path / "criteria.json").read_text())
    assert summary["runs"] == 4 and [r["name"] for r in summary["criteria"]] == names
    assert (tmp_path / "table.csv").exists() and (tmp_path / "table.json").exists()
    # the check that nr.fit stops where the post-hoc analysis says
    assert all(a == b for a, b in summary["check_fit"])
