"""The files of an OpenSidewalks (OSW) dataset: a zip or a folder of GeoJSON collections.

A dataset holds ``<name>.edges.OSW.geojson`` (required) and optionally ``nodes``, ``points``,
``lines``, ``polygons`` and ``zones`` files; each is a GeoJSON FeatureCollection. Bad input gets
one line naming the problem and the fix (`BadData`).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from stepfree.errors import BadData

#: Largest member we decompress (bytes): far above a city's OSW files (Redmond's edges: 3.7 MB),
#: low enough that a hostile archive cannot exhaust memory.
MAX_MEMBER_BYTES = 2 * 1024**3
KINDS = ("edges", "nodes", "points", "lines", "polygons", "zones")
_FILE = re.compile(
    r"(?:^|[._-])(edges|nodes|points|lines|polygons|zones)(?:\.osw)?\.geojson$", re.IGNORECASE
)


def dataset_files(path: Path) -> dict[str, bytes]:
    """The contents of a dataset's files (a zip or a folder), by kind (see `KINDS`)."""
    found: dict[str, list[tuple[str, bytes | Path]]] = {kind: [] for kind in KINDS}
    if path.is_dir():
        for file in sorted(path.iterdir()):
            match = _FILE.search(file.name)
            if match and file.is_file():
                found[match[1].lower()].append((file.name, file))
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                for info in archive.infolist():
                    match = _FILE.search(info.filename.rsplit("/", 1)[-1])
                    if not match or info.is_dir() or "__MACOSX" in info.filename:
                        continue
                    if info.file_size > MAX_MEMBER_BYTES:
                        raise BadData(
                            f"{info.filename} in {path.name} is larger than 2 GiB "
                            "uncompressed; split the dataset into smaller areas"
                        )
                    found[match[1].lower()].append((info.filename, archive.read(info)))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
            raise BadData(
                f"cannot read {path.name} as a zip archive ({error}); "
                "download or export the OSW dataset again"
            ) from None
    out: dict[str, bytes] = {}
    for kind, entries in found.items():
        if len(entries) > 1:
            names = ", ".join(name for name, _ in entries)
            raise BadData(
                f"{path.name} holds several OSW {kind} files ({names}); "
                "give one dataset per archive or folder"
            )
        if entries:
            content = entries[0][1]
            out[kind] = content.read_bytes() if isinstance(content, Path) else content
    if "edges" not in out:
        raise BadData(
            f"{path.name} holds no OSW edges file (<name>.edges.OSW.geojson); "
            "check that it is an OpenSidewalks dataset"
        )
    return out


def feature_collection(raw: bytes, what: str) -> dict[str, Any]:
    try:
        document = json.load(io.BytesIO(raw))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadData(
            f"the OSW {what} file is not valid JSON ({error}); export or download it again"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("features"), list):
        raise BadData(
            f"the OSW {what} file is not a GeoJSON FeatureCollection; "
            "check that it is an OpenSidewalks file"
        )
    collection: dict[str, Any] = document
    return collection


def feature_properties(feature: Any, what: str) -> dict[str, Any]:
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise BadData(f"{what} is not a GeoJSON feature with properties; fix or re-export it")
    properties: dict[str, Any] = feature["properties"]
    return properties


def edges_file(folder: Path) -> Path:
    return next(
        file
        for file in sorted(folder.iterdir())
        if (match := _FILE.search(file.name)) and match[1].lower() == "edges"
    )
