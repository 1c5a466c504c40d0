"""The text format of a route answer (every sentence already in the chosen language)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def route_as_text(result: Mapping[str, Any]) -> str:
    """Numbered instructions and warnings, or why there is no route."""
    if result["route"] is None:
        lines = [result.get("message", "")]
        lines += [f"  - {item['text']}" for item in result.get("blocked_by", []) if "text" in item]
        lines += [f"  * {item['text']}" for item in result.get("relax", []) if "text" in item]
        return "\n".join(line for line in lines if line)
    lines = [result["summary_text"], ""]
    lines += [
        f"{number:>3}. {step['text']}"
        for number, step in enumerate(result["instructions"], start=1)
    ]
    if result["warnings"]:
        lines.append("")
        lines += [f"  ! {warning['text']}" for warning in result["warnings"]]
    return "\n".join(lines)
