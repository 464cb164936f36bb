"""Build the chapter's notebooks from their sources, and run them so they are stored with outputs.

Each notebook is written as a plain Python file in ``notebooks/src/`` in the
"percent" format (the one jupytext and VS Code read)::

    # %% [markdown]
    # # A title, and markdown with $\\LaTeX$
    # %%
    import numreg as nr

This script turns every ``src/NN_name.py`` into ``NN_name.ipynb`` with
nbformat, executes it top to bottom with nbclient (kernel ``python3``,
working directory ``notebooks/``), and writes it *with* its outputs, so
that it reads in a web view (GitHub, nbviewer) without being run.

    python notebooks/build.py                 # build and execute every notebook
    python notebooks/build.py 03 07           # only the notebooks whose names start so
    python notebooks/build.py --no-execute    # write the cells only (no outputs)
    python notebooks/build.py --check         # are the .ipynb files up to date with src/ and executed?

Edit the sources, never the .ipynb files: ``tests/test_notebooks.py``
fails when a notebook's cells differ from its source.
"""
import argparse
import os
import pathlib
import sys
import time

import nbformat

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE / "src"
KERNEL = "python3"
# One BLAS thread in the kernel: the notebooks' matrices are small, and OpenBLAS's threads, when the
# machine is busy with anything else, can make a training step 10-100 times slower. One thread also
# makes the stored outputs reproducible bit for bit.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
CELL_MARK = "# %%"


def sources():
    """The notebook sources, in the book's order: ``[Path('src/00_....py'), ...]``."""
    return sorted(SRC.glob("[0-9][0-9]_*.py"))


def notebook_path(src):
    """Where the notebook built from ``src`` is stored."""
    return HERE / (pathlib.Path(src).stem + ".ipynb")


def parse_cells(text):
    """Split a percent-format source into ``[(kind, source)]``, kind "markdown" or "code".

    A line ``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell,
    whose lines lose their leading ``# `` (or a lone ``#``). Text before the
    first marker is ignored (a place for a comment about the file).
    Leading and trailing blank lines of a cell are dropped.
    """
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if lines:
            cells.append((kind, "\n".join(lines)))

    for line in text.splitlines():
        if line.startswith(CELL_MARK):
            flush()
            rest = line[len(CELL_MARK):].strip()
            if rest not in ("", "[markdown]"):
                raise ValueError(f"unknown cell marker {line!r}: use '# %%' or '# %% [markdown]'")
            kind, lines = ("markdown" if rest == "[markdown]" else "code"), []
            continue
        if kind == "markdown":
            if line.startswith("# "):
                line = line[2:]
            elif line.strip() == "#":
                line = ""
            elif line.strip():
                raise ValueError(f"markdown line without '# ': {line!r}")
        lines.append(line)
    flush()
    return cells


def make_notebook(src):
    """An unexecuted ``nbformat`` notebook from the source file ``src``."""
    nb = nbformat.v4.new_notebook()
    for kind, source in parse_cells(pathlib.Path(src).read_text(encoding="utf-8")):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.pop("id", None)
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.nbformat, nb.nbformat_minor = 4, 4     # minor 4: no cell ids, so rebuilding gives small diffs
    return nb


def execute(nb, timeout=600, timing=False):
    """Run ``nb`` in place in a fresh ``python3`` kernel, in ``notebooks/``; returns the seconds it took.

    The kernel gets the environment of this process plus ``KERNEL_ENV`` (one BLAS thread).

    Raises ``nbclient.exceptions.CellExecutionError`` if a cell fails and
    ``nbclient.exceptions.CellTimeoutError`` if one runs longer than ``timeout`` seconds.
    """
    from nbclient import NotebookClient
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, allow_errors=False,
                            record_timing=timing, resources={"metadata": {"path": str(HERE)}})
    client.coalesce_streams = True     # one stdout output per cell, however the kernel chunked it
    t0 = time.perf_counter()
    client.execute(env={**os.environ, **KERNEL_ENV})
    seconds = time.perf_counter() - t0
    if timing:     # print each code cell's time, then drop the timestamps (they would make every build differ)
        for i, cell in enumerate(nb.cells):
            stamps = cell.metadata.pop("execution", None)
            if stamps and "shell.execute_reply" in stamps:
                start, end = (_parse_time(stamps[k]) for k in ("iopub.execute_input", "shell.execute_reply"))
                print(f"  cell {i:2d}: {end - start:5.1f} s  {cell.source.splitlines()[0][:60]}")
    return seconds


def _parse_time(stamp):
    from datetime import datetime
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def cell_sources(nb):
    return [(c.cell_type, c.source) for c in nb.cells]


def check(src):
    """Problems with the stored notebook of ``src`` (empty list if none)."""
    path = notebook_path(src)
    if not path.exists():
        return [f"{path.name} is missing: run python notebooks/build.py"]
    stored = nbformat.read(path, as_version=4)
    problems = []
    if cell_sources(stored) != cell_sources(make_notebook(src)):
        problems.append(f"{path.name} differs from src/{pathlib.Path(src).name}: run python notebooks/build.py")
    if any(c.cell_type == "code" and c.source.strip() and c.execution_count is None for c in stored.cells):
        problems.append(f"{path.name} is stored without outputs: run python notebooks/build.py")
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("only", nargs="*", help="build only notebooks whose names start with these prefixes")
    ap.add_argument("--no-execute", action="store_true", help="write the cells without running them")
    ap.add_argument("--check", action="store_true", help="only check the stored notebooks against src/")
    ap.add_argument("--timing", action="store_true", help="print the time each cell took")
    args = ap.parse_args(argv)
    todo = [s for s in sources() if not args.only or any(s.stem.startswith(p) for p in args.only)]
    if not todo:
        ap.error(f"no source in {SRC} matches {args.only}")
    if args.check:
        problems = [p for s in todo for p in check(s)]
        print("\n".join(problems) or f"{len(todo)} notebooks up to date")
        return 1 if problems else 0
    for src in todo:
        nb = make_notebook(src)
        seconds = None if args.no_execute else execute(nb, timing=args.timing)
        nbformat.write(nb, notebook_path(src))
        print(f"{notebook_path(src).name}: {len(nb.cells)} cells"
              + ("" if seconds is None else f", executed in {seconds:.1f} s"), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
