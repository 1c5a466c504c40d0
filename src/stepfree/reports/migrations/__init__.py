"""Alembic migrations of the report store (run by ``stepfree.reports.store``; no alembic.ini)."""
