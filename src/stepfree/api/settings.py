"""The service's settings: one validated object, built in the app factory and passed down.

Every field can be set from the environment as ``STEPFREE_<FIELD>`` (upper case), which is how
``stepfree serve`` hands its options to uvicorn's worker processes: for example
``STEPFREE_MAX_ROUTE_KM=5`` or ``STEPFREE_CORS_ORIGINS=https://a.example,https://b.example``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stepfree import _api
from stepfree.errors import BadInput

ENV_PREFIX = "STEPFREE_"


def default_db_url() -> str:
    """The embedded default report store: SQLite in the cache folder."""
    return f"sqlite:///{_api.cache_dir() / 'stepfree-reports.sqlite'}"


def store_url(db: str | None) -> str:
    """The report store to open: ``db`` as given, else the default (its folder is created).

    A SQLite file that the user names must be in a folder that exists: a typo in ``--db``
    would otherwise start a new, empty database (no keys, no reports) without a word.

    Raises
    ------
    BadInput
        For a malformed URL, or a named SQLite file whose folder does not exist.
    """
    from stepfree.reports.database import database_url

    if db is None:
        url = default_db_url()
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return url
    parsed = database_url(db)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(str(parsed.database)).parent
        if not folder.is_dir():
            raise BadInput(
                f"the folder {folder} of the report store {db} does not exist; create it, or "
                "give another --db (STEPFREE_DB)"
            )
    return db


class Settings(BaseModel):
    """What the service serves and the limits that protect it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    graph: Path | None = Field(None, description="graph file (None: the cached sample city)")
    db: str | None = Field(None, description="report store URL (None: SQLite in the cache folder)")
    confirmations_needed: int = Field(
        3, ge=1, le=100, description="independent confirmations that publish a pending report"
    )
    # Limits: beyond them a request is refused with 422 naming the limit.
    max_route_km: float = Field(
        20.0, gt=0, description="longest straight line between route ends (km)"
    )
    max_isochrone_minutes: float = Field(30.0, gt=0, description="largest isochrone (min)")
    max_isochrone_thresholds: int = Field(6, ge=1, description="most isochrone bands")
    max_bbox_km2: float = Field(25.0, gt=0, description="largest listing bounding box (km^2)")
    max_page_size: int = Field(500, ge=1, le=1000, description="most reports in one listing page")
    max_body_bytes: int = Field(16 * 1024, ge=256, description="largest request body (bytes)")
    request_budget_s: float = Field(
        10.0, gt=0, description="time a routing request may take before a 503"
    )
    routers: int = Field(
        2, ge=1, le=64, description="searches one worker runs at once (each has a router)"
    )
    # Token buckets shared by the workers (through the report store): a steady rate and a burst.
    rate_key_per_s: float = Field(20.0, gt=0, description="requests/s per API key")
    rate_key_burst: float = Field(60.0, ge=1, description="burst per API key (requests)")
    rate_address_per_s: float = Field(5.0, gt=0, description="requests/s per client address")
    rate_address_burst: float = Field(30.0, ge=1, description="burst per client address")
    rate_write_per_s: float = Field(
        0.2, gt=0, description="report writes/s per key or address (create, confirm)"
    )
    rate_write_burst: float = Field(10.0, ge=1, description="burst of report writes")
    cors_origins: tuple[str, ...] = Field((), description="origins allowed by CORS (none: off)")
    trusted_proxies: tuple[str, ...] = Field(
        (),
        description="proxies (IP addresses or networks) whose X-Forwarded-For names the client "
        "(none: the header is ignored)",
    )
    expire_every_s: float = Field(
        60.0, gt=0, description="how often requests trigger the expiry of due reports (s)"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, proxies: tuple[str, ...]) -> tuple[str, ...]:
        from stepfree.api.security import trusted_networks

        trusted_networks(proxies)  # raises ValueError naming a bad entry
        return tuple(p.strip() for p in proxies)


def settings_from_env(environ: Mapping[str, str], **given: object) -> Settings:
    """Settings from ``STEPFREE_*`` variables, then ``given`` values on top.

    Raises
    ------
    BadInput
        A variable or value that is not a valid setting, named with its range.
    """
    data: dict[str, object] = {}
    for name, field in Settings.model_fields.items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        if field.annotation == tuple[str, ...]:
            data[name] = tuple(part.strip() for part in raw.split(",") if part.strip())
        else:
            data[name] = raw
    data.update({k: v for k, v in given.items() if v is not None})
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        meaning = Settings.model_fields[name].description if name in Settings.model_fields else ""
        raise BadInput(
            f"setting {name} (environment {ENV_PREFIX}{name.upper()}) = {first.get('input')!r} "
            f"is not allowed: {first['msg']} ({meaning})"
        ) from None


def settings_as_env(settings: Settings) -> dict[str, str]:
    """The ``STEPFREE_*`` variables that rebuild ``settings`` in another process."""
    out = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        text = ",".join(value) if isinstance(value, tuple) else str(value)
        out[ENV_PREFIX + name.upper()] = text
    return out
