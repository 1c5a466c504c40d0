"""The public surface of ``stepfree`` is what we mean it to be (as httpx tests its own)."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import stepfree
from stepfree.routing.router import Router

PUBLIC = [
    "BadData",
    "BadInput",
    "Conflict",
    "Graph",
    "GraphFormatError",
    "NoUsableWay",
    "NotFound",
    "StepfreeError",
    "__version__",
    "build_graph",
    "isochrone",
    "load_graph",
    "route",
    "router_for",
    "sample_graph",
]


def test_all_is_sorted_and_exactly_what_we_mean() -> None:
    assert stepfree.__all__ == PUBLIC
    assert sorted(stepfree.__all__) == stepfree.__all__
    assert all(hasattr(stepfree, name) for name in stepfree.__all__)


def test_no_other_public_name_leaks_from_the_package() -> None:
    modules = {name for name, value in vars(stepfree).items() if inspect.ismodule(value)}
    public = {n for n in vars(stepfree) if not n.startswith("_")} - modules
    assert public == {n for n in PUBLIC if not n.startswith("_")}


def test_the_errors_are_the_builtins_they_extend() -> None:
    assert issubclass(stepfree.BadInput, ValueError)
    assert issubclass(stepfree.NoUsableWay, LookupError)
    assert issubclass(stepfree.NotFound, LookupError)
    for name in ("BadData", "BadInput", "Conflict", "GraphFormatError", "NoUsableWay", "NotFound"):
        assert issubclass(getattr(stepfree, name), stepfree.StepfreeError)


def test_functions_return_their_types() -> None:
    from stepfree._api import overlay_from_file

    # the names as written (the types are imported for type checking only, to keep the
    # library's import light); mypy --strict checks that they are these types
    assert inspect.signature(stepfree.router_for).return_annotation == "Router"
    assert inspect.signature(overlay_from_file).return_annotation == "Overlay"
    assert isinstance(stepfree.router_for(None), Router)


def test_a_graph_keeps_its_own_router(sample_graph: stepfree.Graph) -> None:
    router = stepfree.router_for(sample_graph)
    assert stepfree.router_for(sample_graph) is router
    assert router.graph is sample_graph


def test_the_version_is_the_package_metadata_version() -> None:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    assert stepfree.__version__ == declared
