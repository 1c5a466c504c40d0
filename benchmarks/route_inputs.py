"""Inputs of the routing benchmark: graphs, Valhalla tiles and the seeded request plans.

Everything is cached under ``benchmarks/work/route/`` and rebuilt only when its source
changes: stepfree graphs keyed by the ingest/graph code fingerprint, Valhalla tiles by the
input file and Valhalla's version. Neither build is measured here (``bench_build.py`` does that).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import peers
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import stepfree
from stepfree._api import _code_fingerprint
from stepfree.errors import GraphFormatError

HERE = Path(__file__).resolve().parent
#: Untimed routes before timing (both engines get the same ones).
WARMUP = 20


def slug(item: dict) -> str:
    return item["name"].replace(" ", "-")


def ensure_graph(item: dict, work: Path) -> tuple[Path, str | None]:
    """stepfree's graph of an input, built once per input and version of the ingest code.

    Returns the path and a note. When the build fails (the working tree may hold another
    engineer's unfinished change), the newest graph built earlier for the input is used and
    the note says so; with none, RuntimeError.
    """
    folder = work / "route" / "graphs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(item)}-{_code_fingerprint()[:10]}.sfg"
    if _loads(path):
        return path, None
    built = work / "out" / f"{slug(item)}.sfg"  # bench_build's output, when it is current
    if _current(built, Path(item["path"])):
        shutil.copyfile(built, path)
        if _loads(path):
            return path, None
    exe = Path(sys.executable).parent / "stepfree"
    log = work / "logs" / f"{slug(item)}-route-build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            [str(exe), "build", item["path"], "-o", str(path)], stdout=out, stderr=out, check=False
        )
    if done.returncode == 0 and _loads(path):
        for old in folder.glob(f"{slug(item)}-*.sfg"):
            if old != path:
                old.unlink()
        return path, None
    earlier = sorted(
        (p for p in folder.glob(f"{slug(item)}-*.sfg") if p != path and _loads(p)),
        key=lambda p: p.stat().st_mtime,
    )
    if not earlier:
        raise RuntimeError(f"stepfree build of {item['name']} failed; see {log}")
    return earlier[-1], (
        f"the current ingest code failed to build it (see {log.name}); the graph built "
        "earlier by another version of the ingest code was used"
    )


def _current(graph: Path, source: Path) -> bool:
    """A graph file newer than its source and than every module that builds it."""
    if not graph.is_file():
        return False
    code = Path(stepfree.__file__).parent
    modules = [p for d in ("ingest", "graph") for p in (code / d).glob("*.py")]
    modules += [code / "_api.py", code / "routing" / "search" / "landmarks.py"]  # what build adds
    newest = max(p.stat().st_mtime for p in modules)
    return graph.stat().st_mtime > max(newest, source.stat().st_mtime) and _loads(graph)


def _loads(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        stepfree.load_graph(path, verify=False)
    except GraphFormatError:
        return False
    return True


def ensure_tiles(item: dict, work: Path) -> Path:
    """Valhalla tiles of an input (built on 2 threads, unmeasured); returns the config path."""
    source = Path(item["path"]).resolve()
    stat = source.stat()
    key = hashlib.sha256(
        f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{peers.valhalla_version()}".encode()
    ).hexdigest()[:10]
    folder = work / "route" / "tiles"
    tiles = folder / f"{slug(item)}-{key}"
    config = tiles.with_suffix(".json")
    done_mark = tiles / ".built"
    if done_mark.is_file() and config.is_file():
        return config
    for old in folder.glob(f"{slug(item)}-*"):
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
    tiles.mkdir(parents=True)
    peers.valhalla_config(tiles, config, threads=2)
    log = work / "logs" / f"{slug(item)}-route-tiles.log"
    with log.open("w", encoding="utf-8") as out:
        run = subprocess.run(
            [str(peers.valhalla_bin()), "-c", str(config), str(source)],
            stdout=out,
            stderr=out,
            cwd=tiles,
            check=False,
        )
    if run.returncode != 0 or not any(tiles.rglob("*.gph")):
        raise RuntimeError(f"valhalla_build_tiles of {item['name']} failed; see {log}")
    done_mark.write_text("ok", encoding="utf-8")
    return config


def largest_component(graph: Any) -> np.ndarray:
    """Node indices of the largest connected part of the network (edges either way)."""
    u = np.asarray(graph.edge("u"), dtype=np.int64)
    v = np.asarray(graph.edge("v"), dtype=np.int64)
    n = graph.n_nodes
    matrix = coo_matrix((np.ones(u.shape[0]), (u, v)), shape=(n, n))
    _, labels = connected_components(matrix, directed=False)
    biggest = np.bincount(labels).argmax()
    return np.flatnonzero(labels == biggest)


def make_plan(graph_path: Path, n_pairs: int, n_origins: int, seed: int, out: Path) -> dict:
    """Seeded pairs of graph nodes (from the largest connected part) and isochrone origins.

    Coordinates are the nodes' own, so both engines snap onto the same spot of the same way.
    The warm-up pairs are drawn after the timed ones and never timed.
    """
    graph = stepfree.load_graph(graph_path, verify=False)
    nodes = largest_component(graph)
    rng = np.random.default_rng(seed)
    total = n_pairs + WARMUP
    a = rng.choice(nodes, size=total)
    b = rng.choice(nodes, size=total)
    same = a == b
    while same.any():
        b[same] = rng.choice(nodes, size=int(same.sum()))
        same = a == b
    lat, lon = graph.node("lat"), graph.node("lon")

    def point(i: int) -> list[float]:
        return [round(float(lat[i]), 7), round(float(lon[i]), 7)]

    pairs = [point(i) + point(j) for i, j in zip(a.tolist(), b.tolist(), strict=True)]
    origins = [point(int(i)) for i in rng.choice(nodes, size=n_origins)]
    plan = {
        "seed": seed,
        "component_nodes": int(nodes.size),
        "graph_nodes": graph.n_nodes,
        "graph_edges": graph.n_edges,
        "pairs": pairs[:n_pairs],
        "pair_nodes": [[int(x), int(y)] for x, y in zip(a[:n_pairs], b[:n_pairs], strict=True)],
        "warmup": pairs[n_pairs:],
        "warmup_nodes": [[int(x), int(y)] for x, y in zip(a[n_pairs:], b[n_pairs:], strict=True)],
        "origins": origins,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan), encoding="utf-8")
    return plan


def export_edges(graph_path: Path, out: Path) -> Path:
    """stepfree's undirected edges (u, v, length) for the networkx baseline."""
    graph = stepfree.load_graph(graph_path, verify=False)
    np.savez(
        out,
        u=np.asarray(graph.edge("u")),
        v=np.asarray(graph.edge("v")),
        length_m=np.asarray(graph.edge("length_m")),
    )
    return out
