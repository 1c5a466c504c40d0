"""Shared fixtures: paths to the real data beside the repository, and the sample city."""

from __future__ import annotations

from pathlib import Path

import pytest

import stepfree
from stepfree.graph.model import Graph

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared(relative: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared real-data folder beside the repository)")
    return path


@pytest.fixture(scope="session")
def sample_graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """The bundled sample city, built once per session into a temporary file."""
    path = tmp_path_factory.mktemp("sample") / "helsinki.sfg"
    stepfree.build_graph(None, path)
    return stepfree.load_graph(path)
