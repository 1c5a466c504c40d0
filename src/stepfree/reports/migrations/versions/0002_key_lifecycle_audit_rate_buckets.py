"""Key lifecycle (expiry, revocation, rotation), the audit log, shared rate-limit buckets.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS_REVISION = 2  # the revision row counting writes to api_keys (row 1 counts reports)


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("previous_prefix", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("previous_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("previous_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_api_keys_previous_prefix"), ["previous_prefix"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=16), nullable=False),
        sa.Column("actor_key_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("client_id", sa.String(length=128), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"])
    op.create_index(op.f("ix_audit_log_actor_key_id"), "audit_log", ["actor_key_id"])
    op.create_index(op.f("ix_audit_log_report_id"), "audit_log", ["report_id"])
    op.create_index(op.f("ix_audit_log_key_id"), "audit_log", ["key_id"])
    op.create_table(
        "rate_buckets",
        sa.Column("family", sa.String(length=16), nullable=False),
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(precision=53), nullable=False),
        sa.Column("updated_s", sa.Float(precision=53), nullable=False),
        sa.Column("full_at_s", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("family", "bucket", name=op.f("pk_rate_buckets")),
    )
    op.create_index(op.f("ix_rate_buckets_full_at_s"), "rate_buckets", ["full_at_s"])
    revision_table = sa.table("revision", sa.column("id", sa.Integer), sa.column("value"))
    op.bulk_insert(revision_table, [{"id": KEYS_REVISION, "value": 0}])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM revision WHERE id = :id").bindparams(id=KEYS_REVISION))
    op.drop_index(op.f("ix_rate_buckets_full_at_s"), table_name="rate_buckets")
    op.drop_table("rate_buckets")
    for column in ("key_id", "report_id", "actor_key_id", "action", "at"):
        op.drop_index(op.f(f"ix_audit_log_{column}"), table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_index(batch.f("ix_api_keys_previous_prefix"))
        for column in (
            "previous_until",
            "previous_sha256",
            "previous_prefix",
            "rotated_at",
            "revoked_at",
            "expires_at",
        ):
            batch.drop_column(column)
