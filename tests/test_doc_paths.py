"""Every file the documentation points a reader to exists.

The notebooks' "Verified by" paragraphs, the READMEs, ARCHITECTURE.md and the
docstrings name test files, experiments, benchmarks and results by path. When
files move (as the layout by section moved every test), those paths go stale
silently; this test reads them all and fails on any that does not exist.
"""
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PATH = re.compile(r"(?<![A-Za-z0-9_./-])(?:\.\./)?((?:tests|experiments|benchmarks|notebooks|results)/[A-Za-z0-9_./-]+"
                  r"\.(?:py|md|png|json|csv|txt|ipynb))")
# what a study printed when it ran (output.txt, *.log) names the folders it wrote then; records, not pointers
RECORDS = re.compile(r"results/.*/(output\.txt|[^/]*\.log)$|/runs/")


def documents():
    try:
        out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    mine = pathlib.Path(__file__).resolve().relative_to(ROOT).as_posix()      # its examples name no real file
    return [f for f in out.split() if f.endswith((".py", ".md", ".txt")) and not RECORDS.search(f) and f != mine]


def test_every_path_named_in_the_documentation_exists():
    missing = sorted({f"{doc}: {p}" for doc in documents()
                      for p in PATH.findall((ROOT / doc).read_text(encoding="utf-8", errors="replace"))
                      if not (ROOT / p.rstrip(".")).exists()})
    assert not missing, "paths that do not exist:\n" + "\n".join(missing)


def test_the_pattern_finds_a_path_and_ignores_a_longer_name():
    assert PATH.findall("see tests/core/test_layers.py, and mytests/x.py") == ["tests/core/test_layers.py"]
    assert PATH.findall('plt.imread("../results/a/b.png")') == ["results/a/b.png"]     # a notebook's relative path
