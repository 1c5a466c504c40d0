"""Text and JSON views of the presets for ``stepfree profiles``."""

from __future__ import annotations

import json
from typing import Any

from stepfree.profiles.model import FACETS, PARAMETERS, preset, preset_names


def list_profiles(as_json: bool = False) -> str:
    """One line per preset."""
    rows = [(name, preset(name).title) for name in preset_names()]
    if as_json:
        return json.dumps([{"name": n, "title": t} for n, t in rows], ensure_ascii=False)
    return "\n".join(f"{name:<20}{title}" for name, title in rows)


def parameter_table(name: str) -> list[dict[str, Any]]:
    """Every parameter of a preset with its value, range, unit and meaning."""
    profile = preset(name)
    rows = []
    for facet_name, facet in FACETS.items():
        values = getattr(profile, facet_name)
        for field_name, field in facet.model_fields.items():
            spec = PARAMETERS.get(field_name)
            value = getattr(values, field_name)
            rows.append(
                {
                    "facet": facet_name,
                    "parameter": field_name,
                    "value": value.value if hasattr(value, "value") else value,
                    "minimum": spec.minimum if spec else None,
                    "maximum": spec.maximum if spec else None,
                    "unit": spec.unit if spec else "",
                    "meaning": spec.meaning if spec else (field.description or ""),
                }
            )
    return rows


def describe_profile(name: str, as_json: bool = False) -> str:
    """A preset's parameters and the sources of its defaults."""
    profile = preset(name)
    table = parameter_table(name)
    if as_json:
        return json.dumps(
            {"name": name, "title": profile.title, "sources": profile.sources, "parameters": table},
            ensure_ascii=False,
            indent=2,
        )
    lines = [f"{name}: {profile.title}", ""]
    cells = [
        (
            row["facet"],
            row["parameter"],
            str(row["value"]),
            f"[{row['minimum']:g}..{row['maximum']:g} {row['unit']}]"
            if row["minimum"] is not None
            else "",
            row["meaning"],
        )
        for row in table
    ]
    # Each column as wide as its widest cell (a fixed width cut "mobility" to "mobil").
    widths = [max(len(cell[i]) for cell in cells) for i in range(4)]
    for cell in cells:
        padded = [text.ljust(width) for text, width in zip(cell[:4], widths, strict=True)]
        lines.append(("  " + "  ".join(padded) + "  " + cell[4]).rstrip())
    if profile.sources:
        lines += ["", "sources:"] + [f"  - {source}" for source in profile.sources]
    return "\n".join(lines)
