"""The README's results table is generated from results/ and agrees with the records."""
import importlib.util
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _make_table():
    spec = importlib.util.spec_from_file_location("make_table", ROOT / "results" / "make_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_results_table_matches_the_records():
    assert _make_table().main(["--check"]) == 0, "run python results/make_table.py"


def test_a_changed_record_changes_the_table(tmp_path, monkeypatch):
    # The check can fail: the same README against an edited record differs.
    mt = _make_table()
    src = ROOT / "results" / "seed_notebook"
    dst = tmp_path / "seed_notebook"
    dst.mkdir()
    for f in ("summary.json", "history.json", "machine.txt"):
        (dst / f).write_text((src / f).read_text())
    summary = json.loads((dst / "summary.json").read_text())
    summary["test_accuracy"] = 0.1234
    (dst / "summary.json").write_text(json.dumps(summary))
    monkeypatch.setattr(mt, "RESULTS", tmp_path)
    readme = (ROOT / "README.md").read_text()
    assert "0.1234" in mt.render(readme) and mt.render(readme) != readme


def test_every_study_folder_has_its_command_and_machine():
    for folder in sorted(p for p in (ROOT / "results").iterdir() if p.is_dir()):
        names = {p.name for p in folder.iterdir()}
        assert "machine.txt" in names, f"{folder.name}: no machine.txt (date, machine)"
        assert names & {"run.sh", "COMMAND", "command.txt", "study.json"}, f"{folder.name}: no command kept"
