"""The ``stepfree`` command. Thin: parses arguments, calls the library, maps errors to exits.

Exit codes: 0 success, 1 unusable data (corrupt file, nothing walkable), 2 bad input (a missing
file, a malformed option), 3 no route (routing commands), 141 when the reader of the output went
away (``| head``). Errors print one line, no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import stepfree
from stepfree import _api, cli_keys
from stepfree._cli_support import (
    DESCRIPTION,
    EPILOG,
    STDOUT,
    file_problem,
    negative_values_joined,
    quiet_broken_pipe,
    writable_output,
    write_failed,
    write_to_stdout,
)
from stepfree.cities import city, city_names
from stepfree.errors import BadData, BadInput, GraphFormatError
from stepfree.ingest.area import EVERYTHING, Area, area_from_bbox, area_from_geojson
from stepfree.profiles.overrides import overrides_from_settings
from stepfree.progress import progress_printer

EXIT_DATA, EXIT_INPUT = 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        command = " ".join(self.prog.split()[1:])
        raise BadInput(f"{message} (see 'stepfree {command} --help')".replace("  ", " "))


def _graph_path(value: str | None) -> Path:
    """The graph to use: the one given, else the cached sample city."""
    if value is not None:
        return Path(value)
    return _api.sample_graph_path(progress_printer())


def _area(args: argparse.Namespace) -> Area:
    given = [name for name in ("bbox", "polygon", "city") if getattr(args, name)]
    if len(given) > 1:
        raise BadInput(f"give only one of --bbox, --polygon and --city (got {', '.join(given)})")
    if args.bbox:
        return area_from_bbox(args.bbox)
    if args.polygon:
        return area_from_geojson(Path(args.polygon))
    if args.city:
        preset = city(args.city)
        return Area(bbox=preset.bbox, label=f"city {preset.key}")
    return EVERYTHING


def cmd_build(args: argparse.Namespace) -> int:
    source = Path(args.input) if args.input else None
    area = _area(args)
    if args.output:
        output = writable_output(args.output, "graph file")  # before minutes of building
    elif source is None and area is EVERYTHING and args.dem is None:
        output = _api.sample_graph_path(progress_printer())
        print(f"sample city graph: {output}")
        return 0
    else:
        name = (source.name if source else _api.SAMPLE_CITY).split(".")[0]
        output = writable_output(f"{name}.sfg", "graph file")
    try:
        graph = _api.build_graph(
            source, output, area, Path(args.dem) if args.dem else None, progress_printer()
        )
    except OSError as error:
        if error.filename is None or Path(error.filename).parent != output.parent:
            raise
        raise write_failed(error, output, "graph file") from None
    print(f"wrote {output}: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from stepfree.graph.coverage import coverage_report, format_report, problems_geojson
    from stepfree.graph.export import atomic_write

    problems = writable_output(args.problems, "problems file") if args.problems else None
    graph = _api.load_graph(_graph_path(args.graph))
    report = coverage_report(graph)
    if problems is not None:
        text = json.dumps(problems_geojson(graph))
        try:
            atomic_write(problems, ".geojson", lambda temp: _write_text(temp, text))
        except OSError as error:
            raise write_failed(error, problems, "problems file") from None
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_report(report))
    return 0


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def cmd_download(args: argparse.Namespace) -> int:
    from stepfree.ingest.download import download_region

    path = download_region(args.region, Path(args.dir), args.base_url, progress_printer())
    print(f"{path} ({path.stat().st_size:,} bytes, checksum verified)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from stepfree.graph.export import write_geojson
    from stepfree.graph.export_osw import write_osw

    to_stdout = args.output == STDOUT
    output = None if to_stdout else writable_output(args.output, "export file")
    graph = _api.load_graph(_graph_path(args.graph))
    writer = write_osw if args.format == "osw" else write_geojson
    if output is None:  # -o -: the file's bytes on standard output, nothing else there
        name = str(graph.meta.get("source", {}).get("name") or "stepfree").split(".")[0]
        suffix = ".osw.zip" if args.format == "osw" else ".geojson"
        write_to_stdout(name + suffix, lambda path: writer(graph, path))
        return 0
    try:
        path = writer(graph, output)
    except OSError as error:
        raise write_failed(error, output, "export file") from None
    print(f"wrote {path} ({args.format})")
    return 0


def cmd_import_osw(args: argparse.Namespace) -> int:
    from stepfree.graph.from_osw import graph_from_osw
    from stepfree.graph.store import save_graph
    from stepfree.ingest.osw_points import import_summary

    graph = graph_from_osw(Path(args.input))
    save_graph(graph, Path(args.output))
    print(f"wrote {args.output}: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges")
    for line in import_summary(graph.meta):  # what is on the network by position, what is not
        print(line)
    return 0


EXIT_NO_ROUTE = 3


def cmd_route(args: argparse.Namespace) -> int:
    from stepfree.inputs import parse_point
    from stepfree.routing.narration.plain_text import route_as_text

    origin = parse_point(args.origin, "origin")
    destination = parse_point(args.destination, "destination")
    graph = _graph_path(args.graph)
    result = _api.route(
        origin,
        destination,
        args.profile,
        overrides_from_settings(args.set),
        args.lang,
        args.at,
        graph,
        args.reports,
    )
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif args.format == "geojson":
        collection: dict[str, object]
        if result["route"] is None:
            why = {"blocked_by": result["blocked_by"], "relax": result["relax"]}
            collection = {"type": "FeatureCollection", "features": [], **why}
        else:  # the route's feature, its summary among its properties
            line = result["route"]
            feature = {**line, "properties": {**line["properties"], "summary": result["summary"]}}
            collection = {"type": "FeatureCollection", "features": [feature]}
        print(json.dumps(collection, ensure_ascii=False))
    else:
        print(route_as_text(result))
    return 0 if result["route"] else EXIT_NO_ROUTE


def cmd_profiles(args: argparse.Namespace) -> int:
    from stepfree.profiles.listing import describe_profile, list_profiles

    text = describe_profile(args.name, args.json) if args.name else list_profiles(args.json)
    print(text)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from stepfree.api.bind import check_bind
    from stepfree.api.server import serve

    if args.workers < 1 or not 0 < args.port < 65536:
        raise BadInput("--workers must be 1 or more and --port 1..65535")
    check_bind(args.host, args.port)  # before the graph is loaded (or the sample city built)
    serve(_graph_path(args.graph), args.db, args.host, args.port, args.workers)
    return 0


def cmd_isochrone(args: argparse.Namespace) -> int:
    from stepfree.errors import NoUsableWay
    from stepfree.inputs import parse_point

    origin = parse_point(args.origin, "origin")
    graph = _graph_path(args.graph)
    try:
        result = _api.isochrone(
            origin,
            args.minutes,
            args.profile,
            overrides_from_settings(args.set),
            args.at,
            graph,
            args.lang,
        )
    except NoUsableWay as error:
        from stepfree.routing.narration.plain_text import route_as_text

        why = error.explanation or {"message": str(error)}
        print(route_as_text({"route": None, **why}), file=sys.stderr)
        return EXIT_NO_ROUTE
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stepfree",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"stepfree {stepfree.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = sub.add_parser("build", help="build the walkable network graph from an OSM file")
    build.add_argument("input", nargs="?", help=".osm.pbf, .osm or .osm.bz2 (default: sample)")
    build.add_argument("-o", "--output", help="graph file to write (default: INPUT name .sfg)")
    build.add_argument("--bbox", help="keep only W,S,E,N (degrees)")
    build.add_argument("--polygon", help="keep only this GeoJSON polygon")
    build.add_argument("--city", help=f"keep a city preset's bbox ({', '.join(city_names())})")
    build.add_argument("--dem", help="elevation model for inclines (.hgt, .hgt.zip, GeoTIFF)")
    build.set_defaults(func=cmd_build)

    inspect = sub.add_parser("inspect", help="network size, attribute coverage, data problems")
    inspect.add_argument("graph", nargs="?", help="graph file (default: sample city)")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.add_argument("--problems", help="write data problems for mappers as GeoJSON")
    inspect.set_defaults(func=cmd_inspect)

    route = sub.add_parser("route", help="an accessible route between two points")
    route.add_argument("--graph", help="graph file (default: sample city)")
    route.add_argument("--from", dest="origin", required=True, metavar="LAT,LON")
    route.add_argument("--to", dest="destination", required=True, metavar="LAT,LON")
    route.add_argument("--profile", default="pedestrian", help="preset (see stepfree profiles)")
    route.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a profile parameter (repeatable)",
    )
    route.add_argument("--lang", default="en", help="en, ru or kk")
    route.add_argument("--at", help="time of travel, ISO-8601 (opening hours, winter)")
    route.add_argument("--format", choices=("text", "json", "geojson"), default="text")
    route.add_argument("--reports", help="GeoJSON file of barrier reports to apply")
    route.set_defaults(func=cmd_route)

    profiles = sub.add_parser("profiles", help="list the profiles, or show one's parameters")
    profiles.add_argument("name", nargs="?", help="a preset name")
    profiles.add_argument("--json", action="store_true", help="print JSON")
    profiles.set_defaults(func=cmd_profiles)

    serve = sub.add_parser("serve", help="the HTTP service (OpenAPI docs at /docs)")
    serve.add_argument("--graph", help="graph file (default: sample city)")
    serve.add_argument("--db", help="report store URL (default: SQLite in the cache folder)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.set_defaults(func=cmd_serve)

    cli_keys.add_commands(sub, _Parser)

    isochrone = sub.add_parser(
        "isochrone", help="where a profile can travel within given times (GeoJSON polygons)"
    )
    isochrone.add_argument("--graph", help="graph file (default: sample city)")
    isochrone.add_argument("--from", dest="origin", required=True, metavar="LAT,LON")
    isochrone.add_argument(
        "--minutes", default="5,10,15", help="times, 1..60 minutes each, at most 6 (5,10,15)"
    )
    isochrone.add_argument("--profile", default="pedestrian", help="preset (see stepfree profiles)")
    isochrone.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a profile parameter (repeatable)",
    )
    isochrone.add_argument("--at", help="time of travel, ISO-8601 (opening hours, winter)")
    isochrone.add_argument("--lang", default="en", help="labels in en, ru or kk")
    isochrone.set_defaults(func=cmd_isochrone)

    export = sub.add_parser("export", help="write the network as GeoJSON or OpenSidewalks 0.2")
    export.add_argument("graph", nargs="?", help="graph file (default: sample city)")
    export.add_argument("--format", choices=("geojson", "osw"), default="geojson")
    export.add_argument(
        "-o", "--output", required=True, help="file to write (.geojson, .zip), or - for stdout"
    )
    export.set_defaults(func=cmd_export)

    import_osw = sub.add_parser("import-osw", help="build a graph from an OpenSidewalks dataset")
    import_osw.add_argument("input", help="OSW 0.2 zip or folder of *.OSW.geojson files")
    import_osw.add_argument("-o", "--output", required=True, help="graph file to write")
    import_osw.set_defaults(func=cmd_import_osw)

    download = sub.add_parser("download", help="fetch a Geofabrik extract (resumes, checks MD5)")
    download.add_argument("region", help="Geofabrik path (asia/kazakhstan) or a city preset")
    download.add_argument("-d", "--dir", default=".", help="folder to write into (default: .)")
    download.add_argument(
        "--base-url", default="https://download.geofabrik.de", help="mirror to download from"
    )
    download.set_defaults(func=cmd_download)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code."""
    try:
        args = _parser().parse_args(negative_values_joined(sys.argv[1:] if argv is None else argv))
        code = int(args.func(args))
        sys.stdout.flush()  # here, so a closed pipe is seen inside the handler below
        return code
    except BrokenPipeError:  # the reader went away (| head -1): stop quietly
        return quiet_broken_pipe()
    except BadInput as error:
        print(f"stepfree: error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except (BadData, GraphFormatError) as error:
        print(f"stepfree: error: {error}", file=sys.stderr)
        return EXIT_DATA
    except OSError as error:  # a file the user named, met where no check above foresaw it
        if error.filename is None:
            raise  # not about a file: a fault of ours, keep its traceback
        print(f"stepfree: error: {file_problem(error)}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("stepfree: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
