"""The database tables of the report store (SQLAlchemy 2 declarative models).

The schema itself is created by the Alembic migrations in ``migrations/versions``; these models
must match them (a test compares the two). Times are stored in UTC through ``UTCDateTime``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names fixed by convention, so later migrations (SQLite batch mode) can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime in Python; ``timestamptz`` on PostgreSQL, naive UTC on SQLite.

    SQLite has no time zones and compares times as text, so every value is converted to UTC and
    stored without an offset; values read back are made aware again.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ApiKeyRow(Base):
    """An API key: its role and the SHA-256 of its secret (never the secret itself)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(16), index=True)  # not secret: finds the row
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)  # hex digest
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The key stops working at this time (None: never).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Revoked keys stay listed (reports and the audit log name them) but never work again.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: After a rotation with a grace period: the old secret, valid until ``previous_until``.
    previous_prefix: Mapped[str | None] = mapped_column(String(16), index=True)
    previous_sha256: Mapped[str | None] = mapped_column(String(64))
    previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportRow(Base):
    """One barrier report."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_status_valid_until", "status", "valid_until"),
        Index("ix_reports_lat_lon", "lat", "lon"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float | None] = mapped_column(Float(precision=53))
    lon: Mapped[float | None] = mapped_column(Float(precision=53))
    osm_node_id: Mapped[int | None] = mapped_column(BigInteger)
    osm_way_id: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    confirmations: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16))
    #: The key that created the report (None for anonymous ones).
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    #: The creator's client id (a hash from the API); its own confirmation does not count.
    client_id: Mapped[str] = mapped_column(String(128))
    #: The key that made the last status change by moderation (approve, reject, resolve).
    moderated_by: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConfirmationRow(Base):
    """One confirmation of a report by one client (the primary key makes it one per client)."""

    __tablename__ = "confirmations"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RevisionRow(Base):
    """Write counters, one row each: ``REPORTS`` (1) counts writes to the reports
    (``ReportStore.version`` reads it in one query), ``KEYS`` (2) writes to the API keys."""

    __tablename__ = "revision"

    REPORTS: ClassVar[int] = 1
    KEYS: ClassVar[int] = 2

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditRow(Base):
    """One action on a report or a key: who, what, when, on which object, from and to which
    status. No secrets, no raw addresses (``client_id`` is the API's hash), no report text.

    No foreign keys: the log outlives whatever it names and is written in the same transaction
    as the change it records (``stepfree.reports.audit``).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    #: "key" (an API key), "client" (anonymous), "operator" (the CLI), "system" (the service)
    actor: Mapped[str] = mapped_column(String(16))
    actor_key_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    client_id: Mapped[str | None] = mapped_column(String(128))
    report_id: Mapped[int | None] = mapped_column(Integer, index=True)
    key_id: Mapped[int | None] = mapped_column(Integer, index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(200), default="")


class RateBucketRow(Base):
    """A rate-limit token bucket shared by the service's workers (``stepfree.reports.rate``).

    ``bucket`` is a hash of the caller (never a raw address); times are Unix seconds, since
    only differences matter. ``full_at_s`` is when the bucket is full again: a row past it
    equals a new bucket and may be deleted.
    """

    __tablename__ = "rate_buckets"

    family: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float(precision=53))
    updated_s: Mapped[float] = mapped_column(Float(precision=53))
    full_at_s: Mapped[float] = mapped_column(Float(precision=53), index=True)
