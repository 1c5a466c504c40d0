"""Barrier reports: the domain, the store (SQLite or PostgreSQL), the overlay and exports.

The API calls only what is listed here; routing sees reports only as an ``Overlay``.
"""

from stepfree.errors import Conflict, NotFound
from stepfree.reports.closures import overlay_from_reports
from stepfree.reports.domain import (
    DEFAULT_LIFETIME,
    MAX_DESCRIPTION,
    ApiKey,
    Report,
    ReportIn,
    ReportStatus,
    ReportType,
    Role,
)
from stepfree.reports.export import reports_csv, reports_from_geojson, reports_geojson
from stepfree.reports.store import ReportStore

__all__ = [
    "DEFAULT_LIFETIME",
    "MAX_DESCRIPTION",
    "ApiKey",
    "Conflict",
    "NotFound",
    "Report",
    "ReportIn",
    "ReportStatus",
    "ReportStore",
    "ReportType",
    "Role",
    "overlay_from_reports",
    "reports_csv",
    "reports_from_geojson",
    "reports_geojson",
]
