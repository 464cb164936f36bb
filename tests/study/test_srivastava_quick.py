"""experiments/srivastava_table9.py --quick: the table and the paired differences are printed, in seconds."""
import time

from study_runs import script


def _script():
    return script("srivastava_table9")


def test_quick_prints_the_table_and_the_paired_differences(tmp_path, capsys):
    mod = _script()
    t = time.perf_counter()
    r = mod.main(["--quick", "--seeds", "2", "--executor", "local", "--no-progress", "--out", str(tmp_path / "s")])
    assert time.perf_counter() - t < 30
    out = capsys.readouterr().out
    assert r.complete and len(r.records) == 10
    header = [line.split() for line in out.splitlines() if line.split()[:2] == ["method", "n"]]
    assert header and header[0][2:] == mod.METRICS
    for method in mod.METHODS:
        assert any(line.split()[:2] == [method, "2"] for line in out.splitlines()), method
    for method in ("none", "maxnorm", "dropout_l2", "dropout_maxnorm"):
        assert f"test_error: method={method} vs method=l2: " in out
    assert "test_error: method=dropout_maxnorm vs method=dropout_l2: " in out
    assert "paired t 95%" in out and "bootstrap" in out and "n=2)" in out
    assert "Ordering by mean final test error" in out
    assert (tmp_path / "s" / "table.csv").exists() and (tmp_path / "s" / "table.json").exists()


def test_the_schedule_follows_hinton_et_al():
    mod = _script()
    s = mod.HintonSchedule(eps0=1.0, ramp_epochs=10, decay=0.9)
    lr, p = s.values(1)
    assert p == 0.5 and abs(lr - 0.5) < 1e-12                    # lr = (1 - p) eps
    lr, p = s.values(11)
    assert abs(p - 0.99) < 1e-12 and abs(lr - 0.01 * 0.9 ** 10) < 1e-12
    assert s.values(50)[1] == 0.99                                # stays at 0.99
    assert abs(s.values(6)[1] - 0.745) < 1e-12                    # linear in between
