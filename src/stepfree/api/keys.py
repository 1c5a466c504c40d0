"""API keys, for admins: list, create, revoke, rotate, change the expiry.

A secret is shown only in the answer that makes it (creation, rotation); listings never carry a
secret or its hash. A revoked, expired or rotated-away secret gets 401 on its next request in
every worker (``Service.key_for_secret``). The API refuses to revoke the last working admin
key (409): the operator can still do it with ``stepfree keys revoke`` on the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from stepfree.api.deps import CallerDep, ServiceDep, SettingsDep
from stepfree.api.errors import error_responses
from stepfree.api.limits import check_page_size
from stepfree.api.responses import CLOSED
from stepfree.api.security import ADMINS, require_role
from stepfree.api.service import Service
from stepfree.reports.audit import Actor
from stepfree.reports.domain import MAX_INT64, ApiKey, KeyStatus, Role
from stepfree.reports.key_store import MAX_GRACE
from stepfree.times import in_zone

router = APIRouter(tags=["keys"])


def _expiry(moment: datetime | None, service: Service) -> datetime | None:
    """An expiry without an offset is the served city's local time (`stepfree.times`)."""
    return None if moment is None else in_zone(moment, service.zone, "expires_at")


KeyId = Annotated[int, Path(ge=1, le=MAX_INT64, description="the key's id")]


class KeyIn(BaseModel):
    """The key to create."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    label: str = Field("", max_length=200, description="who or what the key is for")
    expires_at: datetime | None = Field(
        None,
        description="when the key stops working, ISO-8601 (no offset: the city's local "
        "time); null: never",
    )


class KeyOut(BaseModel):
    """A key as admins see it: never its secret, nor the secret's hash."""

    model_config = CLOSED

    id: int
    role: Role
    label: str
    status: KeyStatus = Field(description="active, expired or revoked, at the time of the answer")
    created_at: datetime
    expires_at: datetime | None = Field(description="when it stops working; null: never")
    revoked_at: datetime | None
    rotated_at: datetime | None = Field(description="when it last got a new secret")
    previous_until: datetime | None = Field(
        description="after a rotation with a grace period: until when the old secret works"
    )

    @classmethod
    def of(cls, key: ApiKey, now: datetime | None = None) -> KeyOut:
        """The answer for ``key`` at ``now`` (default: the present)."""
        when = now or datetime.now(UTC)
        return cls(**key.model_dump(), status=key.status(when))


class KeyCreated(KeyOut):
    """A key with its new secret, which is not stored and cannot be shown again."""

    secret: str = Field(description="send as Authorization: Bearer <secret>")


class KeyPage(BaseModel):
    """One page of the key listing, in id order."""

    model_config = CLOSED

    keys: list[KeyOut]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last")


class RotateIn(BaseModel):
    """How the old secret ends."""

    model_config = ConfigDict(extra="forbid")

    grace_s: int = Field(
        0,
        ge=0,
        le=int(MAX_GRACE.total_seconds()),
        description="seconds the old secret keeps working (0: it stops at once; at most 7 days)",
    )


class ExpiryIn(BaseModel):
    """The key's new expiry."""

    model_config = ConfigDict(extra="forbid")

    expires_at: datetime | None = Field(
        description="when the key stops working, ISO-8601 (no offset: the city's local "
        "time); null: never"
    )


_ADMIN = error_responses(401, 403, 413, 422, 429)
_ONE_KEY = error_responses(401, 403, 404, 409, 413, 422, 429)


@router.get("/keys", response_model=KeyPage, responses=_ADMIN)
async def list_keys(
    service: ServiceDep,
    settings: SettingsDep,
    caller: CallerDep,
    limit: Annotated[
        int, Query(ge=1, le=MAX_INT64, description="page size (limit: max_page_size)")
    ] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT64, description="keys to skip")] = 0,
) -> KeyPage:
    """Every key, revoked and expired ones too (admin role only)."""
    require_role(caller, ADMINS, "listing API keys")
    check_page_size(limit, settings)
    found = await anyio.to_thread.run_sync(service.store.list_keys, limit, offset)
    now = datetime.now(UTC)
    return KeyPage(
        keys=[KeyOut.of(key, now) for key in found],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if len(found) == limit else None,
    )


@router.post(
    "/keys", status_code=status.HTTP_201_CREATED, response_model=KeyCreated, responses=_ADMIN
)
async def create_key(body: KeyIn, service: ServiceDep, caller: CallerDep) -> KeyCreated:
    """Create a key (admin role only); its secret is in this answer only."""
    admin = require_role(caller, ADMINS, "creating API keys")

    def work() -> tuple[ApiKey, str]:
        return service.store.create_key(
            body.role, body.label, _expiry(body.expires_at, service), Actor.of_key(admin)
        )

    key, secret = await anyio.to_thread.run_sync(work)
    return KeyCreated(**KeyOut.of(key).model_dump(), secret=secret)


@router.post("/keys/{key_id}/revoke", response_model=KeyOut, responses=_ONE_KEY)
async def revoke_key(key_id: KeyId, service: ServiceDep, caller: CallerDep) -> KeyOut:
    """Revoke a key for good: its next request gets 401 (admin role only). The last working
    admin key cannot be revoked here (409): create another admin key first."""
    admin = require_role(caller, ADMINS, "revoking API keys")

    def work() -> ApiKey:
        return service.store.revoke_key(key_id, Actor.of_key(admin), keep_an_admin=True)

    return KeyOut.of(await anyio.to_thread.run_sync(work))


@router.post("/keys/{key_id}/rotate", response_model=KeyCreated, responses=_ONE_KEY)
async def rotate_key(
    key_id: KeyId, service: ServiceDep, caller: CallerDep, body: RotateIn | None = None
) -> KeyCreated:
    """A new secret for the same key id and role (admin role only); the old secret stops at
    once, or after ``grace_s`` seconds. The new secret is in this answer only."""
    admin = require_role(caller, ADMINS, "rotating API keys")
    grace = timedelta(seconds=body.grace_s if body is not None else 0)

    def work() -> tuple[ApiKey, str]:
        return service.store.rotate_key(key_id, grace, Actor.of_key(admin))

    key, secret = await anyio.to_thread.run_sync(work)
    return KeyCreated(**KeyOut.of(key).model_dump(), secret=secret)


@router.post("/keys/{key_id}/expiry", response_model=KeyOut, responses=_ONE_KEY)
async def set_key_expiry(
    key_id: KeyId, body: ExpiryIn, service: ServiceDep, caller: CallerDep
) -> KeyOut:
    """Change when a key stops working, or renew an expired one (admin role only)."""
    admin = require_role(caller, ADMINS, "changing API key expiry")

    def work() -> ApiKey:
        return service.store.set_key_expiry(
            key_id, _expiry(body.expires_at, service), Actor.of_key(admin)
        )

    return KeyOut.of(await anyio.to_thread.run_sync(work))
