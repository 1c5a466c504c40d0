"""The ``differences`` section of ``docs/benchmarks.md``: what each side computed and where
the answers differ (categories from ``route_diffs.py``)."""

from __future__ import annotations

CATEGORIES = (
    ("same", "same (within 20 %)"),
    ("only_valhalla", "only Valhalla routes"),
    ("only_stepfree", "only stepfree routes"),
    ("stepfree_longer", "stepfree > 20 % longer"),
    ("valhalla_longer", "Valhalla > 20 % longer"),
    ("neither", "neither routes"),
)

COMPUTED = """\
What each side computed, for the same pairs, in the same process model (one fresh process per
engine, the graph or tiles loaded once, the same 20 untimed warm-up routes):

- **stepfree** `answer()`: snaps both ends to the nearest way the profile may use, searches
  (A* over the profile's costs: time plus avoid penalties; forbidden ways and nodes are
  impassable), then builds the route's GeoJSON line, a summary (length, duration, rise, counts
  of crossings by control, kerbs by type, steps, elevators, confidence = share of the length
  whose relevant attributes are known), guidance steps narrated in a language (here English),
  warnings (unknown kerbs, low confidence, detours...), the OSM way and node ids, and it also
  searches the **pedestrian** route between the same points for the detour factor. A refused
  pair gets `blocked_by` (what blocks it, from a least-blocked search) and `relax` (the
  smallest change of one parameter that opens a route, checked by routing again).
- **Valhalla** `Actor.route`: snaps both ends (its own candidate search, which skips islands
  of fewer than 50 reachable nodes), runs its bidirectional A* with the `pedestrian` costing
  of the given type, and returns the trip: one leg with its encoded shape, a summary (length,
  time), maneuvers with narrative (instruction text and verbal pre/post-transition texts),
  street names and bearings. Its `wheelchair` type (source: `src/sif/pedestriancost.cc`)
  uses wheelchair access (closed ways are skipped), refuses surfaces rougher than
  `compacted`, rolls at 4 km/h, puts a 600 s penalty on each flight of steps, and stops at
  10 km of path by default (`max_distance`; the benchmark raises it to its maximum, 100 km,
  the `foot` default, so both engines search the same trips); its `max_grade` is parsed but
  the check is commented out. It has no kerb heights, no crossing controls and no
  explanation of a refusal.

stepfree's manual wheelchair preset forbids kerbs above 0.03 m (a `kerb=raised` without a
height counts as 0.12 m), steps without a ramp, inclines above 8.33 %, ways narrower than
0.915 m, `wheelchair=no`, major roads mapped `sidewalk=no`, turnstiles and kissing gates; it
avoids kerbs and crossings of unknown height (each costs a 150 m detour), rough surfaces and
`wheelchair=limited`. So the two wheelchair answers differ by design; the pedestrian ones
should mostly agree."""


def _counts_table(results: list[dict]) -> list[str]:
    head = " | ".join(label for _, label in CATEGORIES)
    lines = [
        f"| input | profile | pairs | {head} |",
        "|---|---|---:|" + "---:|" * len(CATEGORIES),
    ]
    for r in results:
        diffs = r.get("differences") or {}
        for profile in ("manual_wheelchair", "pedestrian"):
            if profile not in diffs:
                continue
            counts = diffs[profile]["counts"]
            cells = " | ".join(str(counts.get(key, 0)) for key, _ in CATEGORIES)
            lines.append(f"| {r['name']} | {profile} | {r['pairs']} | {cells} |")
    return lines


def _reasons(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        diffs = r.get("differences") or {}
        for profile in ("manual_wheelchair", "pedestrian"):
            if profile not in diffs:
                continue
            blocked = diffs[profile]["stepfree_blocked_by"]
            errors = diffs[profile]["valhalla_errors"]
            parts = []
            if blocked:
                parts.append(
                    "stepfree refuses, first block named: "
                    + ", ".join(f"`{k}` {v}" for k, v in blocked.items())
                )
            if errors:
                parts.append(
                    "Valhalla refuses: " + ", ".join(f'"{k}" {v}' for k, v in errors.items())
                )
            if parts:
                lines.append(f"- {r['name']}, {profile}: " + "; ".join(parts) + ".")
    return lines


def _meets(sample: dict) -> str:
    meets = sample.get("valhalla_meets")
    if not meets:
        return ""
    rules = meets["rules"]
    text = ""
    if rules:
        text = "Valhalla's route meets stepfree's rules: " + ", ".join(
            f"{k} ×{v}" for k, v in rules.items()
        )
    else:
        text = "Valhalla's route breaks no stepfree rule"
    if meets.get("ways_not_in_stepfree"):
        text += f"; it walks {meets['ways_not_in_stepfree']} way(s) not in stepfree's graph"
    if meets.get("ways_error"):
        text += f" (way ids unavailable: {meets['ways_error']})"
    return text + "."


def _explain(sample: dict) -> str:
    kind = sample["category"]
    mine, theirs = sample["stepfree"], sample["valhalla"]
    meets = _meets(sample)
    if kind == "only_valhalla":
        blocked = ", ".join(f"`{b}`" for b in mine["blocked"]) or "nothing named"
        return f"stepfree refuses (blocked by {blocked}); Valhalla {theirs:.0f} m. {meets}"
    own = sample.get("stepfree_meets")
    paid = ""
    if own:
        paid = " stepfree's own route meets: " + ", ".join(f"{k} ×{v}" for k, v in own.items())
        paid += "."
    if kind == "only_stepfree":
        return f'stepfree {mine:.0f} m; Valhalla refuses: "{theirs}".{paid}'
    text = f"stepfree {mine:.0f} m, Valhalla {theirs:.0f} m. {meets}{paid}"
    extra = sample.get("stepfree_only_ways")
    if extra:
        text += " stepfree's route uses ways Valhalla's does not: " + ", ".join(
            f"{k} ×{v}" for k, v in extra.items()
        )
        text += "."
    return text


def _samples(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        samples = (r.get("differences") or {}).get("samples", [])
        if not samples:
            continue
        lines += [f"**{r['name']}**", ""]
        for s in samples:
            a, b = s["from"], s["to"]
            lines.append(
                f"- pair {s['pair']} ({s['profile']}, {s['category'].replace('_', ' ')}), "
                f"{a[0]:.6f},{a[1]:.6f} → {b[0]:.6f},{b[1]:.6f}: {_explain(s).strip()}"
            )
        lines.append("")
    return lines


def section(data: dict) -> str:
    """The Markdown of the differences section."""
    results = data["results"]
    lines = ["## Differences between the answers", "", COMPUTED, ""]
    if not any(r.get("differences") for r in results):
        return "\n".join([*lines, "Valhalla was not run (`--no-peers`): nothing to compare."])
    lines += [
        "### Categories",
        "",
        "Each pair falls in one category per profile (stepfree `manual_wheelchair` against "
        "Valhalla `wheelchair`, `pedestrian` against `foot`). Lengths are each engine's own "
        "route length.",
        "",
        *_counts_table(results),
        "",
        "Why they refuse:",
        "",
        *_reasons(results),
        "",
        "### Samples, with what stepfree's rules say about Valhalla's route",
        "",
        "For each sample, Valhalla's route shape is matched to stepfree's graph nodes "
        "(within 0.5 m) and the directed ways between consecutive matched nodes; every "
        "forbid or avoid rule of stepfree's profile that applies to them is counted (for "
        "example `kerb_height_m (forbid) ×2`: Valhalla's route crosses two kerbs higher "
        "than 3 cm; `unknown_kerb (avoid)`: kerbs or crossings of unknown height, which "
        "stepfree avoids at the price of a 150 m detour each). Valhalla's OSM way ids come "
        "from `/trace_attributes`; ways missing from stepfree's graph are ways stepfree does "
        "not consider walkable (for example roads whose sidewalks are drawn as separate "
        "ways). The avoid rules stepfree's own route meets are listed too: a rough surface "
        "stepfree only avoids is one Valhalla's wheelchair type refuses (rougher than "
        "`compacted`), the likely reason when only stepfree routes.",
        "",
        *_samples(results),
    ]
    return "\n".join(lines)
