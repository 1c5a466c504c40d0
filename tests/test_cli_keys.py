"""``stepfree keys list|create|revoke|rotate|expire`` and ``stepfree audit`` on a real SQLite
store: what they print, what they change, and one line with exit 2 for every bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stepfree.cli import main
from stepfree.reports import ReportStore


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "reports.sqlite")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_list_rotate_expire_revoke_and_audit(capsys, db: str) -> None:
    code, secret, err = run(
        capsys, "keys", "create", "--role", "admin", "--label", "ops", "--db", db
    )
    assert code == 0
    assert "created key 1 (admin)" in err
    code, reporter, err = run(
        capsys, "keys", "create", "--role", "reporter", "--expires-in", "90d", "--db", db
    )
    assert code == 0
    soon = datetime.now(UTC) + timedelta(days=90)
    with ReportStore.open(db) as store:
        (_, key) = store.list_keys()
        assert abs(key.expires_at - soon) < timedelta(minutes=1)  # type: ignore[operator]
        assert store.key_for_secret(reporter.strip()) == key
    code, table, _ = run(capsys, "keys", "list", "--db", db)
    assert table.splitlines()[0].split() == ["id", "role", "status", "created", "expires", "label"]
    assert table.splitlines()[1].split()[:3] == ["1", "admin", "active"]
    assert table.splitlines()[1].split()[-1] == "ops"
    code, listed, _ = run(capsys, "keys", "list", "--json", "--db", db)
    keys = json.loads(listed)
    assert [(k["id"], k["role"], k["status"]) for k in keys] == [
        (1, "admin", "active"),
        (2, "reporter", "active"),
    ]
    for value in (secret.strip(), reporter.strip()):
        assert value not in listed + table
    code, rotated, err = run(capsys, "keys", "rotate", "2", "--grace", "1h", "--db", db)
    assert code == 0
    assert "the old secret works until" in err
    with ReportStore.open(db) as store:
        assert store.key_for_secret(reporter.strip()) is not None  # within the grace
        assert store.key_for_secret(rotated.strip()) is not None
    code, out, _ = run(capsys, "keys", "expire", "2", "--never", "--db", db)
    assert (code, out.strip()) == (0, "key 2 (reporter) expires never")
    code, out, _ = run(capsys, "keys", "expire", "2", "--expires", "2031-01-01T00:00Z", "--db", db)
    assert out.strip() == "key 2 (reporter) expires 2031-01-01T00:00Z"
    code, out, _ = run(capsys, "keys", "revoke", "1", "--db", db)  # the last admin: allowed here
    assert (code, out.strip()) == (0, "revoked key 1 (admin); its secret no longer works")
    with ReportStore.open(db) as store:
        assert store.key_for_secret(secret.strip()) is None
    code, log, _ = run(capsys, "audit", "--db", db)
    actions = [line.split()[1] for line in log.splitlines()]
    assert actions == [
        "key.revoke",
        "key.expiry",
        "key.expiry",
        "key.rotate",
        "key.create",
        "key.create",
    ]
    assert "operator" in log.splitlines()[0]
    code, only, _ = run(capsys, "audit", "--key", "1", "--json", "--db", db)
    assert [e["action"] for e in json.loads(only)] == ["key.revoke", "key.create"]
    code, none, _ = run(capsys, "audit", "--action", "report.approve", "--db", db)
    assert (code, none) == (0, "")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["keys", "revoke", "7"], "no key with id 7"),
        (["keys", "rotate", "7"], "no key with id 7"),
        (["keys", "rotate", "1", "--grace", "soon"], "--grace 'soon' is not a duration"),
        (["keys", "rotate", "1", "--grace", "8d"], "grace period must be 0 s .. 7 days"),
        (["keys", "expire", "1"], "give one of --expires TIME, --expires-in DURATION or --never"),
        (["keys", "expire", "1", "--never", "--expires-in", "1d"], "give one of"),
        (
            ["keys", "create", "--role", "admin", "--expires", "2030-01-01", "--expires-in", "1d"],
            "not both",
        ),
        (["keys", "create", "--role", "admin", "--expires", "next week"], "not an ISO-8601 time"),
        (
            ["keys", "create", "--role", "admin", "--expires", "2001-01-01T00:00Z"],
            "not in the future",
        ),
        (["keys", "create", "--role", "admin", "--expires", "2031-01-01"], "has no offset"),
        (["keys", "create", "--role", "emperor"], "invalid choice: 'emperor'"),
        (["audit", "--action", "report.delete"], "unknown audit action 'report.delete'"),
        (["audit", "--since", "yesterday"], "--since 'yesterday' is not an ISO-8601 time"),
        (["audit", "--limit", "0"], "limit must be 1..1000"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, db: str, args: list[str], words: str) -> None:
    assert main(["keys", "create", "--role", "reporter", "--db", db]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, *args, "--db", db)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert words in err


def test_revoking_twice_says_since_when(capsys, db: str) -> None:
    assert main(["keys", "create", "--role", "reporter", "--db", db]) == 0
    assert main(["keys", "revoke", "1", "--db", db]) == 0
    capsys.readouterr()
    code, _, err = run(capsys, "keys", "revoke", "1", "--db", db)
    assert code == 2
    assert "key 1 is already revoked (since " in err
