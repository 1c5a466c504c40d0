"""Dependencies shared by the routers, as ``Annotated[..., Depends()]`` aliases."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Request, Security
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from stepfree.api.errors import Unauthorized
from stepfree.api.security import Caller, ProxyTrust, TokenBuckets
from stepfree.api.service import Service
from stepfree.api.settings import Settings
from stepfree.errors import BadInput

#: Documents the scheme in OpenAPI (the docs page's Authorize button); checked by `caller`.
bearer = HTTPBearer(
    auto_error=False,
    description="an API key from `stepfree keys create` or POST /v1/keys",
)


# Dependencies that do not block are `async def`: FastAPI runs a plain `def` dependency in its
# thread pool, a thread hand-off per dependency per request (13 % of a route request's GIL
# time under load, by py-spy).


async def get_service(request: Request) -> Service:
    """The worker's service state, set up in the lifespan."""
    service: Service = request.app.state.service
    return service


async def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


ServiceDep = Annotated[Service, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


class Limiters:
    """The rate-limit bucket families of one app (their buckets are shared by the workers,
    through the report store), and the proxies whose ``X-Forwarded-For`` names the client."""

    def __init__(self, settings: Settings) -> None:
        self.proxies = ProxyTrust(settings.trusted_proxies)
        self.key = TokenBuckets(settings.rate_key_per_s, settings.rate_key_burst, "per key", "key")
        self.address = TokenBuckets(
            settings.rate_address_per_s,
            settings.rate_address_burst,
            "per client address",
            "address",
        )
        self.write = TokenBuckets(
            settings.rate_write_per_s, settings.rate_write_burst, "report writes", "write"
        )


async def get_caller(
    request: Request,
    service: ServiceDep,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """Who is asking, after the key check and the rate limit.

    No Authorization header: anonymous, limited per client address. A header that is not a
    known Bearer key: 401 (and the attempt counts against the address). A known key: limited
    per key. The client address is the peer's, or the one a trusted proxy forwarded
    (``trusted_proxies``); it counts confirmations and rate limits.
    """
    limiters: Limiters = request.app.state.limiters
    shared = service.store.rate_buckets
    peer = request.client.host if request.client else "unknown"
    address = limiters.proxies.client(peer, request.headers.getlist("x-forwarded-for"))
    header = request.headers.get("authorization")
    if header is None:
        await limiters.address.take(f"addr:{address}", shared)
        return Caller(None, address)
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        await limiters.address.take(f"addr:{address}", shared)
        raise Unauthorized("the Authorization header must be 'Bearer <API key>'")
    key = await anyio.to_thread.run_sync(service.key_for_secret, secret)
    if key is None:
        await limiters.address.take(f"addr:{address}", shared)
        raise Unauthorized("unknown API key; ask an admin for one (stepfree keys create)")
    caller = Caller(key, address)
    await limiters.key.take(caller.bucket, shared)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def write_limited(request: Request, service: ServiceDep, caller: CallerDep) -> Caller:
    """The caller, after the stricter bucket for report writes."""
    limiters: Limiters = request.app.state.limiters
    await limiters.write.take(caller.bucket, service.store.rate_buckets)
    return caller


WriterDep = Annotated[Caller, Depends(write_limited)]


def _allowed_query(route: APIRoute) -> frozenset[str]:
    """Query parameters a route declares, and those documented in its ``openapi_extra``."""

    def declared(dependant: Dependant) -> set[str]:
        found = {p.alias for p in dependant.query_params}
        for sub in dependant.dependencies:
            found |= declared(sub)
        return found

    names = declared(route.dependant)
    extra: dict[str, Any] = route.openapi_extra or {}
    names |= {p["name"] for p in extra.get("parameters", ()) if p.get("in") == "query"}
    return frozenset(names)


async def known_query_only(request: Request) -> None:
    """422 naming a query parameter the endpoint does not know (a typo is not ignored)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    cache: dict[tuple[str, str], frozenset[str]] = request.app.state.allowed_query
    where = (request.method, route.path)
    allowed = cache.get(where)
    if allowed is None:
        allowed = cache[where] = _allowed_query(route)
    for name in request.query_params:
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise BadInput(f"unknown query parameter {name!r}; this endpoint takes: {known}")
