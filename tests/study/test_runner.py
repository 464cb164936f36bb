import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import numreg.study as st
import study_runs as runs
from study_runs import HERE, metrics_only, markers  # noqa: F401 -- markers is a fixture

ROOT = os.path.dirname(os.path.dirname(HERE))


def tiny_study(markers, fn=runs.tiny_run, seeds=2, **extra):
    return st.Study("tiny", fn, st.grid(dropout=[0.0, 0.5], markers=[markers], **extra), seeds=seeds)


def test_local_study_records_every_run_atomically(tmp_path, markers):
    s = tiny_study(markers)
    r = st.run_study(s, tmp_path / "out", executor="local", progress=False)
    assert r.complete and r.executed == 4 and r.skipped == 0 and not r.failed
    files = sorted(os.listdir(tmp_path / "out" / "runs"))
    assert files == sorted(f"{k}.json" for k, _, _ in s.runs())      # nothing else: no temporary files
    env = json.loads((tmp_path / "out" / "runs" / files[0]).read_text())
    assert env["status"] == "ok" and env["attempts"] == 1 and env["record"]["epochs"] == 3
    assert json.loads((tmp_path / "out" / "study.json").read_text())["seeds"] == [0, 1]


def test_restart_skips_finished_runs(tmp_path, markers):
    out = tmp_path / "out"
    first = st.run_study(tiny_study(markers, seeds=2), out, executor="local", progress=False)
    again = st.run_study(tiny_study(markers, seeds=3), out, executor="local", progress=False)   # one seed more
    assert again.skipped == 4 and again.executed == 2 and len(again.records) == 6
    assert all(n == 1 for n in runs.executions(markers).values()) and len(runs.executions(markers)) == 6
    assert [metrics_only(e["record"]) for e in again.records if e["seed"] < 2] == \
        [metrics_only(e["record"]) for e in first.records]


def test_malformed_record_is_reported_and_redone(tmp_path, markers):
    out = tmp_path / "out"
    s = tiny_study(markers)
    first = st.run_study(s, out, executor="local", progress=False)
    bad_key, other_key = first.records[1]["key"], first.records[2]["key"]
    (out / "runs" / f"{bad_key}.json").write_text('{"format": "numreg.study run", "vers')     # truncated
    env = json.loads((out / "runs" / f"{other_key}.json").read_text())
    env["seed"] = 99                                                                          # edited
    (out / "runs" / f"{other_key}.json").write_text(json.dumps(env))
    with pytest.warns(st.MalformedRecordWarning, match="malformed run file") as caught:
        again = st.run_study(s, out, executor="local", progress=False)
    assert {k for k, _ in again.malformed} == {bad_key, other_key}
    assert sum(bad_key in str(w.message) for w in caught) == 1 and len(caught) == 2
    assert again.executed == 2 and again.complete
    assert (out / "runs" / f"{bad_key}.json.malformed").exists()
    assert [metrics_only(e["record"]) for e in again.records] == [metrics_only(e["record"]) for e in first.records]


def test_raising_run_is_recorded_failed_after_bounded_retries(tmp_path, markers):
    s = tiny_study(markers, fn=runs.raising_run, seeds=1)
    r = st.run_study(s, tmp_path / "out", executor="local", retries=2, progress=False)
    assert not r.records and len(r.failed) == 2 and not r.complete
    assert all(n == 3 for n in runs.executions(markers).values())          # 1 + retries, then it stops
    saved = json.loads((tmp_path / "out" / "failed" / f"{r.failed[0]['key']}.json").read_text())
    assert saved["status"] == "failed" and saved["attempts"] == 3
    assert all("ValueError: boom in seed 0" in e for e in saved["errors"])


def test_transient_failure_is_retried_and_its_failed_file_removed(tmp_path, markers):
    out = tmp_path / "out"
    r = st.run_study(tiny_study(markers, fn=runs.flaky_run, seeds=1), out, executor="local", retries=0,
                     progress=False)
    assert len(r.failed) == 2 and len(os.listdir(out / "failed")) == 2
    r = st.run_study(tiny_study(markers, fn=runs.flaky_run, seeds=1), out, executor="local", retries=1,
                     progress=False)
    assert r.complete and not r.failed and os.listdir(out / "failed") == []
    assert [e["attempts"] for e in r.records] == [1, 1]
    r = st.run_study(tiny_study(markers, fn=runs.flaky_run, seeds=1, epochs=[2]), out, executor="local",
                     retries=1, progress=False)
    assert r.complete and [e["attempts"] for e in r.records] == [2, 2]     # raised once, then succeeded
    assert all(len(e["errors"]) == 1 and "RuntimeError: transient failure" in e["errors"][0] for e in r.records)


def test_worker_death_in_process_pool_is_retried(tmp_path, markers):
    s = tiny_study(markers, fn=runs.dying_run)
    r = st.run_study(s, tmp_path / "out", executor="processes", workers=2, progress=False)
    assert r.complete and not r.failed
    counts = runs.executions(markers)
    seed0 = {k for k, _, seed in s.runs() if seed == 0}
    assert len(counts) == 4 and all(counts[k] >= 2 for k in seed0)    # each died once, then ran again
    # at most the run that died is charged an attempt; the runs beside it on the broken pool are not
    assert all(e["attempts"] <= 2 for e in r.records)
    assert all(e["attempts"] == 1 and not e["errors"] for e in r.records if e["seed"] == 1)
    ref = st.run_study(tiny_study(markers), tmp_path / "ref", executor="local", progress=False)
    assert [metrics_only(e["record"]) for e in r.records] == [metrics_only(e["record"]) for e in ref.records]


def test_run_that_always_kills_its_worker_is_recorded_failed(tmp_path, markers):
    s = st.Study("killer", runs.killer_run, st.grid(killer=[False, True], dropout=[0.0, 0.5], markers=[markers]),
                 seeds=1)
    r = st.run_study(s, tmp_path / "out", executor="processes", workers=2, retries=1, progress=False)
    assert len(r.records) == 2 and len(r.failed) == 2                  # the others complete
    assert all(f["config"]["killer"] and f["attempts"] == 2 for f in r.failed)
    assert all("worker process died" in err for f in r.failed for err in f["errors"])
    killers = {f["key"] for f in r.failed}
    # charged 1 + retries times; each charged attempt may follow one uncharged death beside another run
    assert all(2 <= runs.executions(markers)[k] <= 4 for k in killers)
    assert all(e["attempts"] == 1 for e in r.records)                  # bystanders never charged


def test_process_pool_gives_the_in_process_records(tmp_path, markers):
    s = tiny_study(markers)
    a = st.run_study(s, tmp_path / "a", executor="processes", workers=2, progress=False)
    b = st.run_study(s, tmp_path / "b", executor="local", progress=False)
    assert [metrics_only(e["record"]) for e in a.records] == [metrics_only(e["record"]) for e in b.records]


SCRIPT = textwrap.dedent("""
    import sys
    sys.path[:0] = [{root!r}, {here!r}]
    import numreg.study as st, study_runs as runs
    s = st.Study("slow", runs.tiny_run, st.grid(sleep=[0.4], markers=[{markers!r}], dropout=[0.0, 0.5]), seeds=4)
    st.run_study(s, {out!r}, executor="local", progress=False)
""")


POOL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path[:0] = [{root!r}, {here!r}]
    import numreg.study as st, study_runs as runs
    s = st.Study("pids", runs.pid_run, st.grid(a=[1, 2], markers=[{markers!r}]), seeds=1)
    st.run_study(s, {out!r}, executor="processes", workers=2, progress=False)
""")


def _alive(pid):
    """True if ``pid`` runs (a zombie, ended but not yet reaped by a container's init, counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_pool_workers_end_when_the_runner_is_killed(tmp_path, markers):
    code = POOL_SCRIPT.format(root=ROOT, here=HERE, markers=markers, out=str(tmp_path / "out"))
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(os.listdir(markers)) < 2:
        time.sleep(0.05)
    pids = [int(n.split("-")[1]) for n in os.listdir(markers)]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    survivors = [p for p in pids if _alive(p)]
    for p in survivors:                       # do not leave them behind if the check fails
        os.kill(p, signal.SIGKILL)
    assert len(pids) == 2 and not survivors


def test_killed_study_resumes_without_repeating_finished_runs(tmp_path, markers):
    out = tmp_path / "out"
    code = SCRIPT.format(root=ROOT, here=HERE, markers=markers, out=str(out))
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(out.glob("runs/*.json"))) < 3:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)                       # mid-study, probably mid-run
    proc.wait()
    finished = {p.stem for p in (out / "runs").glob("*.json")}
    assert 3 <= len(finished) < 8
    s = st.Study("slow", runs.tiny_run, st.grid(sleep=[0.4], markers=[markers], dropout=[0.0, 0.5]), seeds=4)
    r = st.run_study(s, out, executor="local", progress=False)
    assert r.complete and r.skipped == len(finished) and r.executed == 8 - len(finished)
    counts = runs.executions(markers)
    assert all(counts[k] == 1 for k in finished)           # nothing finished was run again
    assert len(counts) == 8 and sum(counts.values()) <= 9  # at most the one run in flight was repeated
    assert not [p for p in (out / "runs").iterdir() if p.name.endswith(".tmp")]


def test_temporary_files_of_a_killed_writer_are_removed(tmp_path, markers):
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    stale = out / "runs" / ".0123456789abcdef0123.json.x1y2.tmp"        # what atomic_write leaves when killed
    stale.write_text('{"format": "numreg.st')
    r = st.run_study(tiny_study(markers, seeds=1), out, executor="local", progress=False)
    assert r.complete and not stale.exists()
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(f"{e['key']}.json" for e in r.records)


def test_progress_bar_counts_done_failed_remaining():
    import io
    from numreg.study.progress import Progress
    with Progress(total=10, done=4, name="t") as bar:
        bar.bar.fp = io.StringIO()
        bar.update(ok=True)
        bar.update(ok=False)
        text = str(bar.bar)
    assert "6/10" in text and "done=5" in text and "failed=1" in text and "remaining=4" in text


def test_import_numreg_does_not_import_tqdm_auto():
    # tqdm.auto warns at import in a notebook without ipywidgets ("IProgress not found"): the bar's class is
    # chosen when a bar is made (numreg._tqdm), so importing numreg, and its studies, stays silent
    import subprocess
    import sys
    code = "import sys, numreg, numreg.study, numreg.robust; print('tqdm.auto' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_text_bar_without_ipywidgets(monkeypatch):
    import importlib.util

    import tqdm

    from numreg._tqdm import tqdm_class
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ipywidgets" else real(name, *a))
    assert tqdm_class() is tqdm.tqdm
