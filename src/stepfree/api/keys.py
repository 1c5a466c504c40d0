"""POST /v1/keys: an admin creates an API key; the secret is shown in this answer only."""

from __future__ import annotations

from datetime import datetime

import anyio.to_thread
from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from stepfree.api.deps import CallerDep, ServiceDep
from stepfree.api.errors import error_responses
from stepfree.api.security import ADMINS, require_role
from stepfree.reports.domain import Role

router = APIRouter(tags=["keys"])


class KeyIn(BaseModel):
    """The key to create."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    label: str = Field("", max_length=200, description="who or what the key is for")


class KeyCreated(BaseModel):
    """A new key; ``secret`` is not stored and cannot be shown again."""

    id: int
    role: Role
    label: str
    created_at: datetime
    secret: str = Field(description="send as Authorization: Bearer <secret>")


@router.post(
    "/keys",
    status_code=status.HTTP_201_CREATED,
    response_model=KeyCreated,
    responses=error_responses(401, 403, 413, 422, 429),
)
async def create_key(body: KeyIn, service: ServiceDep, caller: CallerDep) -> KeyCreated:
    """Create a key (admin role only)."""
    require_role(caller, ADMINS, "creating API keys")
    key, secret = await anyio.to_thread.run_sync(service.store.create_key, body.role, body.label)
    return KeyCreated(
        id=key.id, role=key.role, label=key.label, created_at=key.created_at, secret=secret
    )
