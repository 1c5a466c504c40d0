"""A worker starts answering before the presets' cost landmark tables are ready, computes
them in the background with a router of its own, and then every router of the pool uses
them from its first search."""

from __future__ import annotations

from pathlib import Path

import stepfree
from stepfree.api.service import Service
from stepfree.api.settings import Settings
from stepfree.profiles.model import preset, preset_names
from stepfree.reports.store import ReportStore


def test_warm_up_prepares_every_presets_table_in_the_background(
    graph_file: Path, tmp_path: Path
) -> None:
    graph = stepfree.load_graph(graph_file)
    url = f"sqlite:///{tmp_path / 'reports.sqlite'}"
    with ReportStore.open(url) as store:
        service = Service(Settings(graph=graph_file, db=url), graph, graph_file, store)
        service.warm_up()
        assert service.preparing is not None
        service.preparing.join(timeout=120)
        assert not service.preparing.is_alive()
        with service.router() as router:  # one of the pool, not the one that prepared
            for name in preset_names():
                profile = preset(name)
                costs = router.costs(profile, router.context(profile, None))
                assert router.cost_landmarks.table(costs.entry_cost).size, name
