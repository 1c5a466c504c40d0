"""Alembic environment: run the migrations on the connection the report store hands over.

``stepfree.reports.store`` configures Alembic in code (no alembic.ini) and passes an open
connection in ``config.attributes["connection"]``; this file never builds an engine itself.
"""

from __future__ import annotations

from alembic import context

from stepfree.reports.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run the report store's migrations through stepfree.reports.store.upgrade_database"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
