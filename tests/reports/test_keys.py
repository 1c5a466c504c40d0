"""The key lifecycle in the store, on SQLite and PostgreSQL: list, expiry, revocation, rotation
(with and without a grace period), the last-admin guard, and the keys version every write
bumps."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from stepfree.errors import BadInput, Conflict, NotFound
from stepfree.reports import ReportStore, Role
from stepfree.reports.database import create_store_engine, database_url, upgrade_database
from stepfree.reports.domain import KeyStatus

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_keys_are_listed_without_secrets_or_hashes(store: ReportStore) -> None:
    made = [store.create_key(role, f"{role} key", now=NOW) for role in Role]
    revoked, _ = made[0]
    store.revoke_key(revoked.id, now=NOW)
    listed = store.list_keys()
    assert [k.id for k in listed] == [k.id for k, _ in made]
    assert [k.role for k in listed] == list(Role)
    assert listed[0].revoked_at == NOW
    assert listed[0].status(NOW) is KeyStatus.revoked
    assert {k.status(NOW) for k in listed[1:]} == {KeyStatus.active}
    dumped = " ".join(k.model_dump_json() for k in listed)
    with store.engine.connect() as connection:
        hashes = connection.execute(text("SELECT secret_sha256 FROM api_keys")).scalars().all()
    for _, secret in made:
        assert secret not in dumped
        assert secret.split("_")[1] not in dumped  # not even the prefix
    for digest in hashes:
        assert digest not in dumped
    assert [k.id for k in store.list_keys(limit=2, offset=1)] == [made[1][0].id, made[2][0].id]
    with pytest.raises(BadInput, match=r"limit must be 1\.\.1000"):
        store.list_keys(limit=0)


def test_a_revoked_key_stops_at_once_and_for_good(store: ReportStore) -> None:
    key, secret = store.create_key(Role.moderator, now=NOW)
    assert store.key_for_secret(secret, NOW) == key
    revoked = store.revoke_key(key.id, now=NOW + HOUR)
    assert revoked.revoked_at == NOW + HOUR
    assert store.key_for_secret(secret, NOW + HOUR) is None
    with pytest.raises(Conflict, match="already revoked"):
        store.revoke_key(key.id, now=NOW + 2 * HOUR)
    with pytest.raises(Conflict, match="revoked; revocation is final"):
        store.set_key_expiry(key.id, NOW + 100 * HOUR, now=NOW + 2 * HOUR)
    with pytest.raises(Conflict, match="only a working key can be rotated"):
        store.rotate_key(key.id, now=NOW + 2 * HOUR)
    for unknown in (key.id + 100, 0, 2**70):
        with pytest.raises(NotFound, match="no key with id"):
            store.revoke_key(unknown)
    assert store.get_key(key.id) == revoked
    assert store.get_key(key.id + 100) is None


def test_a_key_expires_and_can_be_renewed(store: ReportStore) -> None:
    key, secret = store.create_key(Role.reporter, expires_at=NOW + HOUR, now=NOW)
    assert key.expires_at == NOW + HOUR
    assert store.key_for_secret(secret, NOW + HOUR - timedelta(seconds=1)) == key
    assert store.key_for_secret(secret, NOW + HOUR) is None  # at the instant: over
    assert store.get_key(key.id).status(NOW + HOUR) is KeyStatus.expired  # type: ignore[union-attr]
    renewed = store.set_key_expiry(key.id, NOW + 10 * HOUR, now=NOW + 2 * HOUR)
    assert store.key_for_secret(secret, NOW + 2 * HOUR) == renewed
    forever = store.set_key_expiry(key.id, None, now=NOW + 2 * HOUR)
    assert forever.expires_at is None
    assert store.key_for_secret(secret, NOW + 1000 * HOUR) == forever
    for past in (NOW, NOW - HOUR):
        with pytest.raises(BadInput, match="is not in the future"):
            store.create_key(Role.reporter, expires_at=past, now=NOW)
        with pytest.raises(BadInput, match="is not in the future"):
            store.set_key_expiry(key.id, past, now=NOW)
    with pytest.raises(BadInput, match="out of range"):
        store.create_key(Role.reporter, expires_at=datetime(2300, 1, 1, tzinfo=UTC), now=NOW)


def test_rotation_without_grace_kills_the_old_secret_at_once(store: ReportStore) -> None:
    key, old = store.create_key(Role.official, "city hall", expires_at=NOW + 99 * HOUR, now=NOW)
    rotated, new = store.rotate_key(key.id, now=NOW)
    assert new != old
    assert (rotated.id, rotated.role, rotated.label) == (key.id, key.role, key.label)
    assert rotated.expires_at == key.expires_at  # a rotation keeps the expiry
    assert rotated.rotated_at == NOW
    assert rotated.previous_until is None
    assert store.key_for_secret(old, NOW) is None
    assert store.key_for_secret(new, NOW) == rotated


def test_rotation_with_grace_keeps_the_old_secret_until_its_end(store: ReportStore) -> None:
    key, old = store.create_key(Role.admin, now=NOW)
    rotated, new = store.rotate_key(key.id, grace=HOUR, now=NOW)
    assert rotated.previous_until == NOW + HOUR
    inside = NOW + HOUR - timedelta(seconds=1)
    assert store.key_for_secret(old, inside) == rotated
    assert store.match_secret(old, inside).valid_until == NOW + HOUR  # type: ignore[union-attr]
    assert store.match_secret(new, inside).valid_until is None  # type: ignore[union-attr]
    assert store.key_for_secret(new, inside) == rotated
    assert store.key_for_secret(old, NOW + HOUR) is None
    # a second rotation ends the first one's grace at once: one old secret at most
    again, newest = store.rotate_key(key.id, grace=HOUR, now=NOW + timedelta(minutes=10))
    later = NOW + timedelta(minutes=11)
    assert store.key_for_secret(old, later) is None
    assert store.key_for_secret(new, later) == again
    assert store.key_for_secret(newest, later) == again
    # revoking ends the grace too
    store.revoke_key(key.id, now=later)
    assert store.key_for_secret(new, later) is None
    assert store.key_for_secret(newest, later) is None
    for bad in (timedelta(seconds=-1), timedelta(days=7, seconds=1)):
        fresh, _ = store.create_key(Role.reporter, now=NOW)
        with pytest.raises(BadInput, match=r"grace period must be 0 s \.\. 7 days"):
            store.rotate_key(fresh.id, grace=bad, now=NOW)


def test_an_expired_key_must_be_renewed_before_it_is_rotated(store: ReportStore) -> None:
    key, _ = store.create_key(Role.reporter, expires_at=NOW + HOUR, now=NOW)
    with pytest.raises(Conflict, match=f"key {key.id} is expired"):
        store.rotate_key(key.id, now=NOW + 2 * HOUR)


def test_the_last_working_admin_key_is_kept_when_asked(store: ReportStore) -> None:
    first, _ = store.create_key(Role.admin, now=NOW)
    lapsing, _ = store.create_key(Role.admin, expires_at=NOW + HOUR, now=NOW)
    store.create_key(Role.moderator, now=NOW)
    later = NOW + 2 * HOUR  # the second admin key has expired by then
    with pytest.raises(Conflict, match="last working admin key"):
        store.revoke_key(first.id, now=later, keep_an_admin=True)
    assert store.get_key(first.id).revoked_at is None  # type: ignore[union-attr]
    store.revoke_key(lapsing.id, now=later, keep_an_admin=True)  # not working: no guard
    second, _ = store.create_key(Role.admin, now=later)
    store.revoke_key(first.id, now=later, keep_an_admin=True)  # another one works
    with pytest.raises(Conflict, match="last working admin key"):
        store.revoke_key(second.id, now=later, keep_an_admin=True)
    store.revoke_key(second.id, now=later)  # the operator on the database may
    admins = [k for k in store.list_keys() if k.role == "admin"]
    assert all(k.status(later) is not KeyStatus.active for k in admins)


def test_two_admins_revoking_each_other_at_once_leave_one(store: ReportStore) -> None:
    admins = [store.create_key(Role.admin, now=NOW)[0] for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def revoke(key_id: int) -> None:
        barrier.wait()
        try:
            store.revoke_key(key_id, now=NOW, keep_an_admin=True)
            outcomes.append("revoked")
        except Conflict:
            outcomes.append("refused")

    threads = [threading.Thread(target=revoke, args=(k.id,)) for k in admins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["refused", "revoked"]
    assert sum(k.status(NOW) is KeyStatus.active for k in store.list_keys()) == 1


def test_every_key_write_changes_the_keys_version(store: ReportStore) -> None:
    seen = {store.keys_version()}
    key, _ = store.create_key(Role.reporter, now=NOW)
    seen.add(store.keys_version())
    store.rotate_key(key.id, now=NOW)
    seen.add(store.keys_version())
    store.set_key_expiry(key.id, NOW + HOUR, now=NOW)
    seen.add(store.keys_version())
    store.revoke_key(key.id, now=NOW)
    seen.add(store.keys_version())
    assert len(seen) == 5
    reports_version = store.version()
    store.create_key(Role.reporter, now=NOW)
    assert store.version() == reports_version  # the overlay is not rebuilt for a key


def test_a_key_write_in_one_process_is_seen_by_the_next_read_of_another(tmp_path: Path) -> None:
    """Two stores on one SQLite file stand for two workers: no waiting for MAX_AGE_S."""
    url = f"sqlite:///{tmp_path / 'reports.sqlite'}"
    with ReportStore.open(url) as writer, ReportStore.open(url) as reader:
        key, secret = writer.create_key(Role.reporter)
        before = reader.keys_version()
        assert reader.key_for_secret(secret) == key
        writer.revoke_key(key.id)
        assert reader.keys_version() != before
        assert reader.key_for_secret(secret) is None


def test_keys_made_before_the_lifecycle_migration_keep_working(empty_db_url: str) -> None:
    engine = create_store_engine(database_url(empty_db_url))
    try:
        upgrade_database(engine, "0001")
        with engine.begin() as connection:  # a key as stepfree 0001 wrote it
            connection.execute(
                text(
                    "INSERT INTO api_keys (role, label, prefix, secret_sha256, created_at) "
                    "VALUES ('admin', 'old', 'abcdef01', :digest, :at)"
                ),
                {
                    "digest": "ec6b2c3f3f4d9e1d2b0a8f2d3c9b58d5bd2b4e8c3a5e0f9a1b7c6d4e2f3a1b0c",
                    "at": NOW.replace(tzinfo=None),
                },
            )
    finally:
        engine.dispose()
    with ReportStore.open(empty_db_url) as store:
        (old,) = store.list_keys()
        assert (old.role, old.label, old.expires_at, old.revoked_at) == ("admin", "old", None, None)
        assert old.status(NOW) is KeyStatus.active
        rotated, secret = store.rotate_key(old.id, now=NOW)
        assert store.key_for_secret(secret, NOW) == rotated
        assert store.keys_version() == "k1"
