"""X-Forwarded-For counts only from the proxies the operator trusts (``trusted_proxies``, none
by default): otherwise three forged headers would pass as three clients and put a report live,
and a rotating header would leave the write rate limit behind. Over real HTTP on loopback, under
``stepfree serve`` (uvicorn's own trust of 127.0.0.1 is off)."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from stepfree.api.security import ProxyTrust
from stepfree.api.settings import settings_from_env
from stepfree.errors import BadInput

POINT = {"lat": 60.16990, "lon": 24.94130}
FORGED = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]


def _three_confirmations(server) -> dict:
    reporter = {"Authorization": f"Bearer {server.key('reporter')}"}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        created = http.post("/v1/reports", json={"type": "flooding", **POINT}, headers=reporter)
        assert created.status_code == 201
        confirm = f"/v1/reports/{created.json()['id']}/confirm"
        answers = [http.post(confirm, headers={"X-Forwarded-For": ip}) for ip in FORGED]
    assert [a.status_code for a in answers] == [200, 200, 200]
    return answers[-1].json()


def test_forged_forwarded_addresses_from_an_untrusted_peer_are_one_client(
    make_server, generous
) -> None:
    report = _three_confirmations(make_server(generous))
    assert (report["confirmations"], report["status"]) == (1, "pending")


def test_a_trusted_proxy_names_its_clients(make_server, generous) -> None:
    server = make_server({**generous, "STEPFREE_TRUSTED_PROXIES": "127.0.0.1"})
    report = _three_confirmations(server)
    assert (report["confirmations"], report["status"]) == (3, "approved")
    # the audit log names the last confirming client by its hash, never by its address
    admin = {"Authorization": f"Bearer {server.key('admin')}"}
    audit = httpx.get(
        f"{server.url}/v1/audit", params={"report_id": report["id"]}, headers=admin, timeout=30
    )
    (entry,) = audit.json()["entries"]
    assert (entry["action"], entry["actor"]) == ("report.publish_by_confirmations", "client")
    assert entry["client_id"] == "addr:" + hashlib.sha256(FORGED[-1].encode()).hexdigest()[:20]
    assert all(ip not in audit.text for ip in FORGED)


def test_the_write_limit_follows_the_address_that_results(make_server, generous) -> None:
    limits = {**generous, "STEPFREE_RATE_WRITE_PER_S": "0.01", "STEPFREE_RATE_WRITE_BURST": "2"}
    body = {"type": "obstacle", **POINT}

    def writes(server, forwarded: list[str]) -> list[int]:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            return [
                http.post("/v1/reports", json=body, headers={"X-Forwarded-For": ip}).status_code
                for ip in forwarded
            ]

    untrusted = make_server(limits)
    assert writes(untrusted, FORGED) == [201, 201, 429]  # rotating the header changes nothing
    behind_proxy = make_server({**limits, "STEPFREE_TRUSTED_PROXIES": "127.0.0.0/8"})
    assert writes(behind_proxy, ["203.0.113.9"] * 3) == [201, 201, 429]  # one client, limited
    assert writes(behind_proxy, ["203.0.113.10"]) == [201]  # another client has its own


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("127.0.0.1", ["203.0.113.5"], "203.0.113.5"),
        ("127.0.0.1", ["6.6.6.6, 203.0.113.5"], "203.0.113.5"),  # the client's own entry first
        ("127.0.0.1", ["6.6.6.6", "203.0.113.5, 10.1.2.3"], "203.0.113.5"),  # via an inner proxy
        ("127.0.0.1", ["10.1.2.3, 10.0.0.9"], "10.1.2.3"),  # every hop trusted: the first
        ("127.0.0.1", ["unknown"], "127.0.0.1"),  # not an address: the proxy's own stays
        ("127.0.0.1", [], "127.0.0.1"),
        ("192.0.2.50", ["203.0.113.5"], "192.0.2.50"),  # not a trusted peer: header ignored
        ("127.0.0.1", ["2001:db8::1"], "2001:db8::1"),
    ],
)
def test_the_client_is_the_last_address_no_trusted_proxy_wrote(peer, forwarded, client) -> None:
    trust = ProxyTrust(["127.0.0.1", "10.0.0.0/8"])
    assert trust.client(peer, forwarded) == client


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = settings_from_env({"STEPFREE_TRUSTED_PROXIES": "10.0.0.0/8, ::1,192.0.2.7"})
    assert settings.trusted_proxies == ("10.0.0.0/8", "::1", "192.0.2.7")
    assert settings_from_env({}).trusted_proxies == ()
    assert ProxyTrust(()).client("127.0.0.1", ["203.0.113.5"]) == "127.0.0.1"
    for bad in ("*", "proxy.example", "10.0.0.0/33"):
        with pytest.raises(BadInput, match=r"STEPFREE_TRUSTED_PROXIES.*not an IP address"):
            settings_from_env({"STEPFREE_TRUSTED_PROXIES": bad})
