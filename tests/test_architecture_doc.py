"""ARCHITECTURE.md lists every public name of ``import numreg as nr``."""
import json
import pathlib
import re
import subprocess
import sys

import numreg as nr

DOC = pathlib.Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"


def public_names():
    """The public names of a fresh ``import numreg`` (other tests import submodules such as ``numreg.cli``)."""
    code = "import json, numreg; print(json.dumps([n for n in dir(numreg) if not n.startswith('_')]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=DOC.parent).stdout
    return sorted(json.loads(out))


def test_every_public_name_is_in_architecture_md():
    listed = set(re.findall(r"`nr\.([A-Za-z_][A-Za-z0-9_]*)", DOC.read_text(encoding="utf-8")))
    missing = [n for n in public_names() if n not in listed]
    assert not missing, f"ARCHITECTURE.md does not list: {missing}"


def test_every_listed_name_exists():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Public names"):]
    listed = set(re.findall(r"`nr\.([A-Za-z_][A-Za-z0-9_]*)", section))
    gone = sorted(n for n in listed if not hasattr(nr, n))
    assert not gone, f"ARCHITECTURE.md lists names numreg does not have: {gone}"
