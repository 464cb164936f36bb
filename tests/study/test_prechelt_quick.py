"""experiments/prechelt.py end to end on a tiny study: the table prints with a row per criterion."""
import json
import time

from study_runs import script


def _load():
    return script("prechelt")


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
