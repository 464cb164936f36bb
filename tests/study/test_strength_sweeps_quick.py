"""experiments/strength_sweeps.py --quick: every technique's sweep, the verdict lines and the figure (about 30 s alone
on two cores; not timed here: speed is a benchmark's business, and a loaded machine would make a timed test fail)."""
from study_runs import script


def _script():
    return script("strength_sweeps")


def test_quick_sweeps_every_technique_and_draws_the_figure(tmp_path, capsys):
    mod = _script()
    r = mod.main(["--quick", "--seeds", "2", "--executor", "local", "--no-progress", "--out", str(tmp_path / "s")])
    out = capsys.readouterr().out
    assert r.complete and len(r.records) == 2 * 3 * len(mod.GRIDS)        # 2 seeds x 3 strengths x techniques
    for technique in mod.GRIDS:
        assert f"n=  300 {technique:>15}: best strength " in out
    assert (tmp_path / "s" / "strength_sweeps_n300.png").stat().st_size > 10_000


def test_strength_zero_is_the_same_network_in_every_technique(tmp_path):
    # one seed: the same subset, initial weights and batch order, so every technique's strength 0 is bit-identical
    mod = _script()
    r = mod.main(["--quick", "--seeds", "1", "--executor", "local", "--no-progress", "--out", str(tmp_path / "s")])
    zero = {e["config"]["technique"]: e["record"]["test_error"] for e in r.records if e["config"]["strength"] == 0}
    assert len(zero) == len(mod.GRIDS) and len(set(zero.values())) == 1


def test_every_grid_starts_at_zero_and_increases():
    mod = _script()
    assert all(grid[0] == 0.0 and all(b > a for a, b in zip(grid, grid[1:])) for grid in mod.GRIDS.values())
