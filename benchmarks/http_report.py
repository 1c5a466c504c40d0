"""The ``http`` section of ``docs/benchmarks.md``, from ``bench_http.py``'s results."""

from __future__ import annotations

import numpy as np
import route_report

#: Above this share of a core, the Python load generator itself limits the rate it measures.
CLIENT_BOUND = 0.7


def _rate(run: dict) -> float:
    return (run["answered"] + run["no_route"]) / run["seconds"]


def _row(name: str, run: dict) -> str:
    lat = run["latencies_ms"]
    p50, p99 = (np.percentile(lat, 50), np.percentile(lat, 99)) if lat else (np.nan, np.nan)
    done = run["answered"] + run["no_route"]
    errors = str(run["errors"])
    if run["error_statuses"]:
        errors += " (" + ", ".join(str(s) if s else "transport" for s in run["error_statuses"])
        errors += ")"
    per = 1000 * run["server_cpu_s"] / done if done else float("nan")
    return (
        f"| {name} | {run['tool']} | {run['clients']} | **{_rate(run):.1f}** | {p50:.0f} | "
        f"{p99:.0f} | {run['answered']:,} | {run['no_route']:,} | {errors} | {per:.1f} | "
        f"{run['client_cpu_s'] / run['wall_s']:.0%} |"
    )


def _ratios(result: dict) -> list[str]:
    lines = []
    by = {(r["tool"], r["clients"]): r for r in result["runs"]}
    for clients in sorted({r["clients"] for r in result["runs"]}):
        mine, theirs = by.get(("stepfree", clients)), by.get(("valhalla", clients))
        if mine and theirs and _rate(theirs):
            lines.append(
                f"- {result['name']}, {clients} clients: stepfree / Valhalla routes per second "
                f"**{_rate(mine) / _rate(theirs):.2f}**"
            )
    return lines


def section(data: dict) -> str:
    lines = [
        "## HTTP throughput",
        "",
        *route_report.header(data, ""),
        "Wheelchair routes through HTTP on loopback (127.0.0.1), the same seeded pairs as the "
        "Actor benchmark, cycled: `stepfree serve --graph G --db sqlite:///... --workers 2` "
        "(uvicorn, 2 worker processes; the per-address and per-key rate limits raised through "
        "`STEPFREE_RATE_*` for this run, all other limits as shipped) answering `GET "
        "/v1/route?from=LAT,LON&to=LAT,LON&profile=manual_wheelchair` (the complete answer), "
        "against `valhalla_service CONFIG 2` (prime_server with 2 worker threads per stage, "
        "the same tiles as the Actor benchmark) answering `POST /route` with `costing: "
        "pedestrian`, `type: wheelchair`, narrative on. Clients are httpx `AsyncClient` "
        "tasks in one process on the same 2 cores, each with its own keep-alive connection; "
        "each server gets 20 untimed requests, then the load, servers alternating. A request "
        "counts when it completes within the window: *routes* answered 200, *no route* "
        "(stepfree 404 with `blocked_by`, Valhalla 400 with error 442), anything else is an "
        "*error*. Latency percentiles are over routes and no-routes. *Server CPU* is user + "
        "system time of the server and its children per request, from `/proc`; *client "
        "CPU* the load generator's share of one core (it competes with the server for the "
        "two cores, equally for both).",
        "",
        "| input | server | clients | requests/s | p50 (ms) | p99 (ms) | routes | no route "
        "| errors | server CPU (ms/request) | client CPU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in data["results"]:
        lines += [_row(result["name"], run) for run in result["runs"]]
    lines.append("")
    for result in data["results"]:
        lines += _ratios(result)
        for run in result["runs"]:
            if run["client_cpu_s"] / run["wall_s"] > CLIENT_BOUND:
                lines.append(
                    f"- {result['name']}, {run['tool']}, {run['clients']} clients: the load "
                    f"generator used {run['client_cpu_s'] / run['wall_s']:.0%} of a core, so "
                    "this figure is bounded by the client and the two cores it shares with "
                    "the server, not by the server alone."
                )
        if result.get("graph_note"):
            lines.append(f"- {result['name']}: {result['graph_note']}.")
    if "valhalla" not in data["versions"]:
        lines += ["", "Valhalla was not run (`--no-peers`)."]
    return "\n".join(lines)
