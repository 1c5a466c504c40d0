"""The house keeps its one-way pipeline: no module imports a later stage.

ground floor (attributes, errors, geo, times, inputs, answers, cities, progress, version) < ingest <
graph < profiles < costing < routing < the library's entry points (``_api``: build, load,
route, the sample city; beside it tiles, analytics and transit) < api < the command line and
the package (``cli``, ``stepfree``). Reports sit beside routing: both may read everything below
them, neither the other (routing sees reports only as an ``Overlay``: ``costing.overlay``).
The imports are read with ``ast`` from the source, those inside functions and
``TYPE_CHECKING`` blocks included, so the layout cannot drift back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import stepfree

SOURCE = Path(stepfree.__file__).resolve().parent
GROUND = {
    "answers", "attributes", "cities", "errors", "geo", "inputs", "progress", "times", "version",
}  # fmt: skip
ENTRY = {"__init__", "__main__", "cli", "cli_keys", "_cli_support"}
LIBRARY = {"_api"}
#: stage -> rank; a module may import its own stage and lower ranks
RANK = {
    "ground": 0,
    "ingest": 1,
    "graph": 2,
    "profiles": 3,
    "costing": 4,
    "routing": 5,
    "reports": 5,
    "library": 6,
    "tiles": 6,
    "analytics": 6,
    "transit": 6,
    "api": 7,
    "entry": 8,
}
#: stages of one rank that must not import each other
SIBLINGS = {frozenset({"routing", "reports"})}


def stage(module: str) -> str:
    """The stage of ``stepfree.a.b`` (``a``), the ground floor and the entry points named."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in GROUND:
        return "ground"
    if top in ENTRY:
        return "entry"
    if top in LIBRARY:
        return "library"
    return top


def module_of(path: Path) -> str:
    relative = path.relative_to(SOURCE.parent).with_suffix("")
    return ".".join(relative.parts)


def imports(path: Path) -> set[str]:
    """Every stepfree module a file imports (absolute names)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("stepfree")}
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").startswith("stepfree")
        ):
            base = str(node.module)
            if base != "stepfree":
                found.add(base)
                continue
            for alias in node.names:  # from stepfree import _api (a module) or route (a name)
                is_module = (SOURCE / f"{alias.name}.py").exists() or (SOURCE / alias.name).is_dir()
                found.add(f"stepfree.{alias.name}" if is_module else "stepfree")
    return found


def violations() -> list[str]:
    out = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue  # Alembic's scripts: run by the store, import nothing of ours but tables
        mine = module_of(path)
        here = stage(mine)
        assert here in RANK, f"{mine}: stage {here!r} has no place in the layers; add it"
        for name in sorted(imports(path)):
            there = stage(name)
            assert there in RANK, f"{mine} imports {name}: stage {there!r} unknown"
            if RANK[there] > RANK[here] or (here != there and frozenset({here, there}) in SIBLINGS):
                out.append(f"{mine} ({here}) imports {name} ({there})")
    return out


def test_no_module_imports_a_later_stage() -> None:
    assert violations() == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    """The reader itself: an import written inside a function is found."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from stepfree.api.app import create_app\n", encoding="utf-8")
    assert imports(sample) == {"stepfree.api.app"}
    assert stage("stepfree.routing.router") == "routing"
    assert stage("stepfree.attributes") == "ground"
    assert stage("stepfree") == "entry"
