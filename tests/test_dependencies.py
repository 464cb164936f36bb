"""The dependency rule: imports inside numreg point down only, and never in a circle.

The package is read as layers, lowest first. A module may import modules of
its own layer or of a layer below, never above: the engine (``core``)
imports nothing else of numreg, so a reader can study it alone, and no
technique of chapter 7 is imported by the engine. The test parses every
module's ``import`` statements (with ``ast``, so nothing is executed),
including those inside functions.
"""
import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "numreg"

# Lowest first. Each name is a top-level module or package of numreg.
LAYERS = [
    {"core"},                                         # the engine
    {"image", "files", "_tqdm"},                      # image geometry, atomic files, the progress bar's class
    {"training", "data", "metrics", "gradcheck"},     # the seed's loop, data sets, measures, checks
    {"regularize", "analysis"},                       # chapter 7, section by section
    {"robust", "models"},                             # Tang & Eliasmith; ready-made networks
    {"plots"},
    {"cli", "study", "__main__", "__init__"},
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(path):
    return path.name == "__init__.py"


def imported(path, top_level_only=False):
    """The numreg modules ``path`` imports (dotted names)."""
    me = module_name(path)
    package = me if is_package(path) else me.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), me, package, top_level_only)


def imports_in(source, me, package, top_level_only=False):
    """The numreg modules that ``source``, the text of module ``me`` in ``package``, imports."""
    tree = ast.parse(source)
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "numreg"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "numreg":
                target = node.module
            else:
                continue
            for a in node.names:      # "from . import x" imports the module numreg.<...>.x
                sub = f"{target}.{a.name}"
                found.add(sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                          or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else target)
    found.discard(me)
    return found


def unit(name):
    """``numreg.regularize.s7_12_dropout.dropout`` -> ``regularize``; ``numreg`` -> ``__init__``."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


FILES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    missing = sorted({unit(module_name(f)) for f in FILES} - set(LAYER_OF))
    assert not missing, f"add these to LAYERS: {missing}"


def upward(me, targets):
    """The ``targets`` (dotted names) of a higher layer than module ``me``'s."""
    mine = unit(me)
    return sorted(t for t in targets if unit(t) != mine and LAYER_OF.get(unit(t), 99) > LAYER_OF[mine])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    found = upward(module_name(path), imported(path))
    assert not found, f"{module_name(path)} imports from a higher layer: {found}"


def test_core_imports_nothing_else_of_numreg():
    for path in (PACKAGE / "core").rglob("*.py"):
        outside = sorted(t for t in imported(path) if unit(t) != "core")
        assert not outside, f"{module_name(path)} imports {outside}"


def test_no_import_cycles():
    graph = {module_name(f): {t for t in imported(f, top_level_only=True)} for f in FILES}
    state = {}          # 1: on the current path, 2: done

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):      # a package importing its own parts is not a cycle
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else path + [nxt]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if state.get(nxt) is None and nxt in graph:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [node])


def test_the_rule_is_enforced():
    # The checker itself can fail: an upward import in the engine, inside a function, is found.
    source = "import numpy as np\n\ndef f():\n    from ..regularize.s7_12_dropout import dropout\n"
    targets = imports_in(source, "numreg.core.probe", "numreg.core")
    assert targets == {"numreg.regularize.s7_12_dropout.dropout"}
    assert upward("numreg.core.probe", targets) == ["numreg.regularize.s7_12_dropout.dropout"]
    assert imports_in(source, "numreg.core.probe", "numreg.core", top_level_only=True) == set()
