"""The chapter's notebooks: one per section, stored with outputs, and each runs top to bottom in under 60 s.

Each notebook is executed in a fresh ``python3`` kernel with nbclient, in
``notebooks/`` (as a reader opening it there would), from its source in
``notebooks/src/``; a failing cell fails the test, and so does a notebook
that takes more than 60 s (kernel start-up included). The stored ``.ipynb``
files must match their sources and carry their outputs, so that they read
in a web view without being run (``python notebooks/build.py`` rebuilds them).
"""
import importlib.util
import os
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LIMIT_SECONDS = 60.0

# One notebook per section of chapter 7, numbered by section (07 is §7.7), in the book's order;
# 00 is the network of chapter 6, 09 holds §7.9-7.10, 11 holds §7.11-7.12.
EXPECTED = [
    "00_mlp_and_gradients", "01_norm_penalties", "02_constrained_optimization", "03_under_constrained",
    "04_dataset_augmentation",
    "05_noise_and_label_smoothing", "06_semi_supervised", "07_multitask", "08_early_stopping",
    "09_parameter_tying_and_sharing", "11_bagging_and_dropout", "13_adversarial_training", "14_tangent_prop",
    "15_tang_eliasmith",
]


def _need(module):
    """Import ``module``; skip without it on a user's machine, fail in CI (where the test extra is installed)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{module} is needed to run the notebooks (pip install -e '.[test]'): {e}")
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")


def _build():
    _need("nbformat")
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_notebook_per_section_in_the_books_order():
    build = _build()
    assert [s.stem for s in build.sources()] == EXPECTED
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


def test_parse_cells_by_hand():
    build = _build()
    text = "# a comment before the first cell is ignored\n# %% [markdown]\n# # Title\n#\n# $x^2$\n\n# %%\nx = 1\n\n\n# %%\ny = 2\n"
    assert build.parse_cells(text) == [("markdown", "# Title\n\n$x^2$"), ("code", "x = 1"), ("code", "y = 2")]
    with pytest.raises(ValueError, match="markdown line without"):
        build.parse_cells("# %% [markdown]\nnot a comment\n")
    with pytest.raises(ValueError, match="unknown cell marker"):
        build.parse_cells("# %% [raw]\n")


@pytest.mark.parametrize("name", EXPECTED)
def test_stored_notebook_matches_its_source_and_has_outputs(name):
    build = _build()
    nbformat = _need("nbformat")
    src = NOTEBOOKS / "src" / f"{name}.py"
    assert build.check(src) == []
    nb = nbformat.read(build.notebook_path(src), as_version=4)
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "data" in o and "image/png" in o["data"]]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert images, f"{name}: no figure computed in the notebook"
    assert not errors, f"{name}: stored with an error output"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    # the book's claim and its equations are in the markdown; figures are computed, never pasted in
    assert "$$" in markdown or "$" in markdown
    assert re.search(r"§7\.\d+|chapter 7", markdown, re.IGNORECASE), f"{name}: chapter 7 is not named"
    assert "![" not in markdown and "<img" not in markdown
    assert "MNIST" in markdown, f"{name}: does not say how to run it on MNIST / Fashion-MNIST"


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_top_to_bottom_in_under_60_seconds(name):
    build = _build()
    _need("nbclient")
    _need("ipykernel")
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    nb = build.make_notebook(NOTEBOOKS / "src" / f"{name}.py")
    seconds = build.execute(nb, timeout=LIMIT_SECONDS)     # raises CellExecutionError if a cell fails
    assert seconds < LIMIT_SECONDS, f"{name} took {seconds:.1f} s (limit {LIMIT_SECONDS:.0f} s)"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    # a notebook leaves nothing behind in notebooks/ (checkpoints go to a temporary folder)
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == before


def _readme_table():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.index("<!-- chapter-table"), text.index("<!-- /chapter-table -->")
    return [line for line in text[start:end].splitlines() if line.startswith("| ") and not line.startswith("| §")]


def test_readme_table_names_only_what_exists():
    # Every row of the README's chapter table: each `nr.` name resolves, each file exists, each
    # row has a notebook (an existing one) and a test file. Worked example: `nr.plots.figure_7_1`
    # resolves as getattr(getattr(numreg, "plots"), "figure_7_1").
    import numreg

    rows = _readme_table()
    assert len(rows) >= 15
    sections = set()
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 6, row
        sections.add(cells[0])
        for name in re.findall(r"`(nr\.[A-Za-z0-9_.]+)`", row):
            obj = numreg
            for part in name.split(".")[1:]:
                assert hasattr(obj, part), f"README names {name}, which does not exist"
                obj = getattr(obj, part)
        paths = re.findall(r"`((?:numreg|tests)/[^`]+\.py)`", row) + re.findall(r"\]\((notebooks/[^)]+\.ipynb)\)", row)
        for path in paths:
            assert (ROOT / path).exists(), f"README names {path}, which does not exist"
        assert re.search(r"\]\(notebooks/\d\d_\w+\.ipynb\)", cells[4]), f"no notebook in: {row}"
        assert re.search(r"`tests/(\w+/)*test_\w+\.py`", cells[5]), f"no test in: {row}"
    for section in ["7.1.1", "7.1.2", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.6", "7.7", "7.8", "7.9", "7.10", "7.11",
                    "7.12", "7.13", "7.14"]:
        assert section in sections, f"no row for §{section}"


def test_readme_keeps_its_two_set_up_commands_at_the_top():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    top = text[:text.index("\n## ")]
    assert 'pip install -e . && python -m numreg train\npip install -e ".[test]" && python -m pytest' in top
