"""The API keys of the report store: create, list, revoke, rotate, change the expiry, look up.

Only a secret's SHA-256 is stored; the secret itself is returned once (by ``create_key`` and
``rotate_key``). A key works while it is not revoked and not past its ``expires_at``.
Rotation gives the key a new secret; the old one stops working at once, or at the end of a
grace period (at most ``MAX_GRACE``) during which both work, so a deployment can switch over.
A second rotation within the grace period ends the first's grace at once (one old secret at
most). Revocation is final.

Every key write bumps the keys counter (``RevisionRow.KEYS``), read by ``keys_version``
(through the change signal on SQLite: no query while nothing was written), so a worker that
caches looked-up keys sees a revocation on its next request; and every key write adds its
audit row in the same transaction. Key writes are serialised (SQLite's write lock, an advisory
lock on PostgreSQL), so two admins revoking each other's keys cannot both succeed past the
last-admin check.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from stepfree.errors import BadInput, Conflict, NotFound
from stepfree.reports.audit import OPERATOR, Actor, AuditAction, AuditLog, minute, record
from stepfree.reports.domain import MAX_INT64, ApiKey, KeyStatus, Role, as_utc, valid_id
from stepfree.reports.tables import ApiKeyRow, RevisionRow

MAX_LABEL = 200  # characters of a key's label
MAX_KEY_PAGE = 1000  # most keys one ``keys`` call returns
SECRET_BYTES = 32  # random bytes in a key's secret (256 bits)
KEY_SCHEME = "sf"  # secrets read "sf_<prefix>_<random>": recognisable in a leaked config
MAX_GRACE = timedelta(days=7)  # longest time an old secret keeps working after a rotation
KEYS_LOCK = 0x6B657973  # "keys": PostgreSQL advisory lock serialising key writes


class KeyMatch(NamedTuple):
    """A working key found by its secret, and when that secret stops working (None: never
    by itself; a revocation still ends it)."""

    key: ApiKey
    valid_until: datetime | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> tuple[str, str]:
    """A secret and its (non-secret) prefix."""
    prefix = secrets.token_hex(4)
    return prefix, f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def _now(now: datetime | None) -> datetime:
    return as_utc(now, "now") if now is not None else datetime.now(UTC)


def _check_expiry(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is None:
        return None
    moment = as_utc(expires_at, "expires_at")
    if moment <= now:
        raise BadInput(
            f"the expiry (expires_at) {minute(moment)} is not in the future; give a later "
            "time, or none (the key never expires)"
        )
    return moment


class KeyStore(AuditLog):
    """The key queries of ``ReportStore``."""

    # --- writes --------------------------------------------------------------------------

    def create_key(
        self,
        role: Role,
        label: str = "",
        expires_at: datetime | None = None,
        actor: Actor = OPERATOR,
        now: datetime | None = None,
    ) -> tuple[ApiKey, str]:
        """A new key and its secret; only the secret's SHA-256 is stored, so show it once.

        Raises
        ------
        BadInput
            For an unknown role, a label longer than 200 characters or an expiry not in the
            future.
        """
        try:
            role = Role(role)
        except ValueError:
            roles = ", ".join(r.value for r in Role)
            raise BadInput(f"unknown role {role!r}; choose one of {roles}") from None
        if not isinstance(label, str) or len(label) > MAX_LABEL or "\x00" in label:
            raise BadInput(f"a key label is plain text of at most {MAX_LABEL} characters")
        moment = _now(now)
        expires = _check_expiry(expires_at, moment)
        prefix, secret = _new_secret()
        row = ApiKeyRow(
            role=role.value,
            label=label,
            prefix=prefix,
            secret_sha256=_digest(secret),
            created_at=moment,
            expires_at=expires,
        )
        with self._write() as session:
            self._serialised(session, KEYS_LOCK)
            session.add(row)
            session.flush()
            detail = f"role {role.value}, expires {minute(expires)}"
            record(
                session,
                AuditAction.key_create,
                actor,
                moment,
                key_id=row.id,
                to_status=KeyStatus.active.value,
                detail=detail,
            )
            self._bump(session, RevisionRow.KEYS)
            return ApiKey.model_validate(row), secret

    def revoke_key(
        self,
        key_id: int,
        actor: Actor = OPERATOR,
        now: datetime | None = None,
        keep_an_admin: bool = False,
    ) -> ApiKey:
        """Revoke a key for good: its secrets stop working at once.

        Parameters
        ----------
        keep_an_admin
            Refuse to revoke the last working admin key (the API sets this: an admin locked
            out of the API can only come back through the database).

        Raises
        ------
        NotFound
            For an unknown id.
        Conflict
            When the key is already revoked, or it is the last working admin key and
            ``keep_an_admin`` is set.
        """
        moment = _now(now)
        with self._write() as session:
            self._serialised(session, KEYS_LOCK)
            row = self._key_row(session, key_id)
            before = ApiKey.model_validate(row).status(moment)
            if before is KeyStatus.revoked:
                raise Conflict(f"key {key_id} is already revoked (since {minute(row.revoked_at)})")
            if keep_an_admin and row.role == Role.admin and before is KeyStatus.active:
                others = self._working_admins(session, moment) - {key_id}
                if not others:
                    raise Conflict(
                        f"key {key_id} is the last working admin key; revoking it would lock "
                        "every admin out of the API: create another admin key first (or "
                        "revoke it with `stepfree keys revoke` on the database)"
                    )
            row.revoked_at = moment
            row.previous_prefix = row.previous_sha256 = row.previous_until = None
            record(
                session,
                AuditAction.key_revoke,
                actor,
                moment,
                key_id=key_id,
                from_status=before.value,
                to_status=KeyStatus.revoked.value,
            )
            self._bump(session, RevisionRow.KEYS)
            return ApiKey.model_validate(row)

    def rotate_key(
        self,
        key_id: int,
        grace: timedelta = timedelta(0),
        actor: Actor = OPERATOR,
        now: datetime | None = None,
    ) -> tuple[ApiKey, str]:
        """A new secret for the same key (id, role, label, expiry); the old secret stops
        working at once, or after ``grace`` (at most 7 days).

        Raises
        ------
        NotFound
            For an unknown id.
        Conflict
            When the key is revoked or expired (create a new key, or change its expiry).
        BadInput
            For a negative grace or one over 7 days.
        """
        if not isinstance(grace, timedelta) or not timedelta(0) <= grace <= MAX_GRACE:
            raise BadInput(f"the grace period must be 0 s .. {MAX_GRACE.days} days")
        moment = _now(now)
        prefix, secret = _new_secret()
        with self._write() as session:
            self._serialised(session, KEYS_LOCK)
            row = self._key_row(session, key_id)
            status = ApiKey.model_validate(row).status(moment)
            if status is not KeyStatus.active:
                raise Conflict(
                    f"key {key_id} is {status.value}; only a working key can be rotated "
                    "(create a new key instead)"
                )
            if grace > timedelta(0):
                row.previous_prefix, row.previous_sha256 = row.prefix, row.secret_sha256
                row.previous_until = moment + grace
            else:
                row.previous_prefix = row.previous_sha256 = row.previous_until = None
            row.prefix, row.secret_sha256, row.rotated_at = prefix, _digest(secret), moment
            seconds = int(grace.total_seconds())
            record(
                session,
                AuditAction.key_rotate,
                actor,
                moment,
                key_id=key_id,
                from_status=status.value,
                to_status=status.value,
                detail=f"old secret valid until {minute(row.previous_until)}"
                if seconds
                else "old secret stopped at once",
            )
            self._bump(session, RevisionRow.KEYS)
            return ApiKey.model_validate(row), secret

    def set_key_expiry(
        self,
        key_id: int,
        expires_at: datetime | None,
        actor: Actor = OPERATOR,
        now: datetime | None = None,
    ) -> ApiKey:
        """Give a key a new expiry (None: it never expires); an expired key can be renewed.

        Raises
        ------
        NotFound
            For an unknown id.
        Conflict
            When the key is revoked.
        BadInput
            For an expiry not in the future.
        """
        moment = _now(now)
        expires = _check_expiry(expires_at, moment)
        with self._write() as session:
            self._serialised(session, KEYS_LOCK)
            row = self._key_row(session, key_id)
            before = ApiKey.model_validate(row).status(moment)
            if before is KeyStatus.revoked:
                raise Conflict(f"key {key_id} is revoked; revocation is final")
            old = row.expires_at
            row.expires_at = expires
            record(
                session,
                AuditAction.key_expiry,
                actor,
                moment,
                key_id=key_id,
                from_status=before.value,
                to_status=KeyStatus.active.value,
                detail=f"expires {minute(old)} -> {minute(expires)}",
            )
            self._bump(session, RevisionRow.KEYS)
            return ApiKey.model_validate(row)

    # --- reads ---------------------------------------------------------------------------

    def list_keys(self, limit: int = 100, offset: int = 0) -> builtins.list[ApiKey]:
        """Keys in id order (revoked and expired ones too), paged like ``list``.

        Raises
        ------
        BadInput
            For paging values out of range.
        """
        if isinstance(limit, bool) or not 1 <= limit <= MAX_KEY_PAGE:
            raise BadInput(f"limit must be 1..{MAX_KEY_PAGE}, got {limit!r}")
        if isinstance(offset, bool) or not 0 <= offset <= MAX_INT64:
            raise BadInput(f"offset must be 0 or more, got {offset!r}")
        query = select(ApiKeyRow).order_by(ApiKeyRow.id).limit(limit).offset(offset)
        with self._read() as session:
            return [ApiKey.model_validate(row) for row in session.scalars(query)]

    def get_key(self, key_id: int) -> ApiKey | None:
        """The key with this id, or None."""
        if not valid_id(key_id):
            return None
        with self._read() as session:
            row = session.get(ApiKeyRow, key_id)
            return None if row is None else ApiKey.model_validate(row)

    def match_secret(self, secret: str, now: datetime | None = None) -> KeyMatch | None:
        """The working key whose secret (current, or previous within its grace) this is,
        with the time that secret stops working; None for anything else (compared in
        constant time)."""
        if not isinstance(secret, str) or len(secret) > 200:
            return None
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != 8:
            return None
        try:
            digest = _digest(secret)
        except UnicodeEncodeError:
            return None
        moment = _now(now)
        query = select(ApiKeyRow).where(
            or_(ApiKeyRow.prefix == parts[1], ApiKeyRow.previous_prefix == parts[1])
        )
        with self._read() as session:
            for row in session.scalars(query):
                current = hmac.compare_digest(row.secret_sha256, digest)
                previous = row.previous_sha256 is not None and hmac.compare_digest(
                    row.previous_sha256, digest
                )
                if not (current or previous):
                    continue
                key = ApiKey.model_validate(row)
                ends = [row.expires_at, None if current else row.previous_until]
                until = min((t for t in ends if t is not None), default=None)
                if key.status(moment) is not KeyStatus.active or (
                    until is not None and until <= moment
                ):
                    return None
                return KeyMatch(key, until)
        return None

    def key_for_secret(self, secret: str, now: datetime | None = None) -> ApiKey | None:
        """The working key whose secret this is, or None (see ``match_secret``)."""
        match = self.match_secret(secret, now)
        return None if match is None else match.key

    def keys_version(self) -> str:
        """A token that changes whenever any key changes (one primary-key read, skipped on
        SQLite when no write was signalled since the last: `reports.signal`)."""
        return self._keys_signal.version(lambda: f"k{self._read_counter(RevisionRow.KEYS)}")

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _key_row(session: Session, key_id: int) -> ApiKeyRow:
        row = session.get(ApiKeyRow, key_id) if valid_id(key_id) else None
        if row is None:
            raise NotFound(f"no key with id {key_id!r}")
        return row

    @staticmethod
    def _working_admins(session: Session, now: datetime) -> set[int]:
        query = select(ApiKeyRow.id).where(
            ApiKeyRow.role == Role.admin.value,
            ApiKeyRow.revoked_at.is_(None),
            or_(ApiKeyRow.expires_at.is_(None), ApiKeyRow.expires_at > now),
        )
        return set(session.scalars(query))
