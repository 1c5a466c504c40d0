"""Every example of the README works as written.

- Each ``python`` block runs, in a fresh folder holding the sample city as ``city.osm.pbf``
  (the file the example names), and every value it computes is used (a graph built and never
  passed to ``route()`` quietly routed on the sample city instead).
- Each ``stepfree`` line of the command table, and each complete ``stepfree ...`` command in
  the text, parses with the real argument parser (placeholders filled in).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stepfree._api import sample_city_path
from stepfree.cli import _parser
from stepfree.errors import BadInput

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
#: What a placeholder of the command table stands for, to make a command line of it.
PLACEHOLDERS = {
    "LAT,LON": "60.17,24.94",
    "W,S,E,N": "24.9,60.1,25.0,60.2",
    "ISO-8601": "2026-01-15T08:30",
    "KEY=VALUE": "max_kerb_height_m=0.04",
    "N": "2",
    "ID": "1",
    "T": "2027-01-01T00:00Z",
    "D": "90d",
    "A": "approve",
}


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(TEXT) if lang == language]


def unused_names(source: str) -> set[str]:
    """Names a block assigns and never reads."""
    tree = ast.parse(source)
    stored = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    loaded = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return stored - loaded


def test_the_readme_has_python_examples() -> None:
    assert blocks("python")


@pytest.mark.parametrize("source", blocks("python"), ids=lambda s: s.splitlines()[2][:40])
def test_python_example_runs_and_uses_what_it_computes(source: str, tmp_path: Path) -> None:
    assert not unused_names(source), f"computed and never used: {unused_names(source)}"
    shutil.copyfile(sample_city_path(), tmp_path / "city.osm.pbf")
    result = subprocess.run(
        [sys.executable, "-c", source],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "STEPFREE_CACHE": str(tmp_path / "cache")},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    longest = max(len(line) for line in result.stdout.splitlines())
    assert longest < 400, "a printed value dumps its contents"
    assert "source='city.osm.pbf'" in result.stdout  # print(graph): the graph it built
    assert (tmp_path / "city.sfg").is_file()


def _command_lines() -> list[str]:
    """The table's usage lines (continuations joined) and the text's complete commands."""
    lines: list[str] = []
    for block in blocks("sh"):
        for raw in block.splitlines():
            line = raw.split("#", 1)[0].rstrip()
            if raw.startswith(" ") and lines and line.strip():
                lines[-1] += " " + line.strip()
            elif line.startswith("stepfree "):
                lines.append(line)
    return lines


def _argv(usage: str) -> list[str]:
    """A command line made from a usage line: brackets and ``|`` separators dropped, the first
    of each choice taken, placeholders filled in."""
    argv = []
    for token in usage.replace("[", " ").replace("]", " ").split()[1:]:
        if token in {"|", "..."}:
            continue
        token = PLACEHOLDERS.get(token, token)
        argv.append(token.split("|")[0] if "|" in token and "=" not in token else token)
    return argv


def test_the_readme_lists_the_commands() -> None:
    commands = {line.split()[1] for line in _command_lines()}
    assert commands >= {"build", "inspect", "route", "isochrone", "profiles", "serve", "keys"}


@pytest.mark.parametrize("usage", _command_lines())
def test_command_table_line_parses(usage: str) -> None:
    args = _parser().parse_args(_argv(usage))
    assert args.func.__name__.startswith("cmd_")


def _parse_problem(argv: list[str]) -> str | None:
    try:
        _parser().parse_args(argv)
    except BadInput as error:
        return str(error)
    except SystemExit as done:  # --version and --help print and stop: parsed
        return None if done.code == 0 else f"exit {done.code}"
    return None


def _inline_commands() -> list[str]:
    return [span for span in re.findall(r"`(stepfree [^`]+)`", TEXT) if "[" not in span]


def test_the_text_names_commands() -> None:
    assert _inline_commands()


@pytest.mark.parametrize("command", _inline_commands())
def test_inline_command_parses_or_only_leaves_out_required_options(command: str) -> None:
    """`stepfree inspect --json` must parse; `stepfree route --format json` (a fragment) may
    only lack the options it leaves out (--from, --to), never name an unknown one."""
    problem = _parse_problem(command.split()[1:])
    assert problem is None or "the following arguments are required" in problem, problem
