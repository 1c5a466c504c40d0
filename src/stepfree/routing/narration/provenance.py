"""What an answer rests on, so that anyone can reproduce it: the graph, the code, the profile,
the live reports and the time.

The same request on the same graph and reports gives the same answer byte for byte (a test
checks it); an answer asked without a time echoes the time it used (``at``), so sending that
time back reproduces it. None of the systems we measure ourselves against says this much.
"""

from __future__ import annotations

import hashlib
from typing import cast

from stepfree.answers import (
    BuildSettings,
    GraphIdentity,
    GraphSource,
    ProfileIdentity,
    Provenance,
    Scalar,
)
from stepfree.costing.context import Context
from stepfree.graph.model import Graph
from stepfree.graph.store import FORMAT_VERSION
from stepfree.profiles.model import FACETS, Profile, preset, preset_names
from stepfree.version import __version__


def graph_identity(graph: Graph) -> GraphIdentity:
    """The graph's source file (name and SHA-256), build settings and format version."""
    meta = graph.meta  # as the graph file's header holds it (JSON: its shape is the builder's)
    return {
        "source": cast(GraphSource, dict(meta.get("source", {}))),
        "settings": cast(BuildSettings, dict(meta.get("settings", {}))),
        "format_version": FORMAT_VERSION,
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
    }


def profile_identity(profile: Profile) -> ProfileIdentity:
    """The preset a profile starts from, the parameters a request changed, and a SHA-256 of
    every parameter value (two profiles with the same hash route alike)."""
    changed: dict[str, Scalar] = {}
    if profile.name in preset_names():
        base = preset(profile.name)
        for facet in FACETS:
            mine, theirs = getattr(profile, facet), getattr(base, facet)
            for name in type(mine).model_fields:
                value = getattr(mine, name)
                if value != getattr(theirs, name):
                    changed[name] = value.value if hasattr(value, "value") else value
    return {
        "preset": profile.name if profile.name in preset_names() else None,
        "changed": dict(sorted(changed.items())),
        "sha256": hashlib.sha256(profile.key().encode("utf-8")).hexdigest(),
    }


def provenance(graph: Graph, profile: Profile, context: Context) -> Provenance:
    """Everything an answer rests on (see the module docstring)."""
    return {
        "stepfree": __version__,
        "graph": graph_identity(graph),
        "profile": profile_identity(profile),
        "reports_version": context.overlay.version,
        "at": context.at_text,
    }
