"""The peer tools the benchmarks compare against, in their own virtualenv.

``benchmarks/.venv-peers`` holds Valhalla (the ``pyvalhalla-weekly`` wheel, which ships the
``valhalla_build_tiles`` executable in ``valhalla/bin`` and the ``get_config`` helper),
networkx, psutil, matplotlib and py-spy. It is never the project's ``.venv``: peers must not
leak into stepfree's dependencies. :func:`ensure_peers` creates it on first use (about a
minute, from PyPI).

Run ``python benchmarks/peers.py`` to create it and print the versions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER_VENV = HERE / ".venv-peers"
# Valhalla pinned so the figures stay comparable from run to run; the rest only plot or help.
PACKAGES = (
    "pyvalhalla-weekly==3.5.1.post1.dev248",
    "networkx>=3.2",
    "psutil>=5.9",
    "matplotlib>=3.8",
    "py-spy>=0.3",  # sampling profiler for --profile (a binary; not a project dependency)
)
STAMP = PEER_VENV / ".peers-installed"


class PeerError(RuntimeError):
    """The peer virtualenv cannot be created or lacks a tool."""


def peer_python() -> Path:
    """The peer virtualenv's interpreter (it may not exist yet: see :func:`ensure_peers`)."""
    return PEER_VENV / "bin" / "python"


def ensure_peers(quiet: bool = True) -> Path:
    """Create ``benchmarks/.venv-peers`` and install the peers unless already done.

    Returns the peer interpreter. The install is redone when :data:`PACKAGES` changes.
    """
    wanted = "\n".join(PACKAGES)
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8") == wanted:
        return peer_python()
    if not peer_python().exists():
        venv.EnvBuilder(with_pip=True, clear=False).create(PEER_VENV)
    command = [
        str(peer_python()),
        "-m",
        "pip",
        "install",
        *(["--quiet"] if quiet else []),
        *PACKAGES,
    ]
    done = subprocess.run(command, check=False, capture_output=quiet, text=True)
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] if quiet else []
        raise PeerError(
            f"installing the peers into {PEER_VENV} failed "
            f"({'; '.join(tail) or 'see pip output'}); check the network to PyPI "
            "or run with --no-peers"
        )
    STAMP.write_text(wanted, encoding="utf-8")
    return peer_python()


def _peer_eval(code: str) -> str:
    done = subprocess.run(
        [str(peer_python()), "-c", code], check=False, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise PeerError(f"peer interpreter failed: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout.strip()


def valhalla_bin(name: str = "valhalla_build_tiles") -> Path:
    """The Valhalla executable shipped inside the wheel (not the Python wrapper script).

    The wrapper in ``.venv-peers/bin`` starts the executable as a grandchild, which would hide
    its memory from ``wait4``; the benchmarks run the executable itself.
    """
    folder = _peer_eval("import pathlib, valhalla; print(pathlib.Path(valhalla.__file__).parent)")
    path = Path(folder) / "bin" / name
    if not os.access(path, os.X_OK):
        raise PeerError(
            f"{path} is missing from the pyvalhalla-weekly wheel; reinstall the "
            f"peers (delete {PEER_VENV})"
        )
    return path


def valhalla_version() -> str:
    """Version of the installed Valhalla (with its git hash)."""
    return _peer_eval("import valhalla; print(valhalla.__version__)")


def valhalla_config(tile_dir: Path, config_path: Path, threads: int = 1) -> Path:
    """Write a ``valhalla_build_tiles`` config made by Valhalla's own ``get_config``.

    Tiles go to ``tile_dir``; the build runs on ``threads`` threads (``mjolnir.concurrency``);
    admin, timezone, landmark and elevation databases point to files that do not exist, so
    those lookups are skipped (Valhalla warns and goes on), as they are for stepfree.
    """
    code = (
        "import json, sys, valhalla\n"
        "config = valhalla.get_config(tile_extract='', tile_dir='', verbose=True)\n"
        "tile_dir, threads = sys.argv[1], int(sys.argv[2])\n"
        "mjolnir = config['mjolnir']\n"
        "mjolnir['tile_dir'] = tile_dir\n"
        "mjolnir['tile_extract'] = tile_dir + '.tar'\n"
        "mjolnir['traffic_extract'] = tile_dir + '.traffic.tar'\n"
        "mjolnir['concurrency'] = threads\n"
        "for key in ('admin', 'timezone', 'landmarks'):\n"
        "    mjolnir[key] = tile_dir + '.no-' + key + '.sqlite'\n"
        "config['additional_data']['elevation'] = tile_dir + '.no-elevation'\n"
        "print(json.dumps(config, indent=1))\n"
    )
    done = subprocess.run(
        [str(peer_python()), "-c", code, str(tile_dir), str(threads)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise PeerError(f"valhalla.get_config failed: {done.stderr.strip()[-300:]}")
    json.loads(done.stdout)  # fail here, not inside Valhalla, if it is not JSON
    config_path.write_text(done.stdout, encoding="utf-8")
    return config_path


def main() -> int:
    try:
        python = ensure_peers(quiet=False)
        print(f"peers ready in {PEER_VENV} ({python})")
        print(f"valhalla {valhalla_version()}: {valhalla_bin()}")
    except PeerError as error:
        print(f"peers: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
