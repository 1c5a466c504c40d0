"""Keys, roles, rate limits, the client address behind trusted proxies, the body limit.

Keys travel as ``Authorization: Bearer <secret>`` and are looked up hashed in the report store.
Rate limits are token buckets in memory, per worker process: one family per API key, one per
client address (anonymous callers and callers with an unknown key), and a stricter one for
report writes. A bucket refills at ``rate`` tokens per second up to ``burst``; a request takes
one token or is refused with 429 and the whole seconds until a token is back (Retry-After).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import math
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

from stepfree.api.errors import (
    BodyTooLarge,
    Forbidden,
    RateLimited,
    Unauthorized,
    error_response,
)
from stepfree.reports.domain import ApiKey, Role

#: Who may do what (the admin may do everything).
MODERATORS = frozenset({Role.moderator, Role.admin})
RESOLVERS = frozenset({Role.moderator, Role.official, Role.admin})
ADMINS = frozenset({Role.admin})

#: Buckets kept per family before idle ones are dropped (bounds memory under address churn).
MAX_BUCKETS = 50_000


@dataclass(frozen=True)
class Caller:
    """Who is asking: their key (None when anonymous) and their client address."""

    key: ApiKey | None
    address: str

    @property
    def client_id(self) -> str:
        """A stable id for "one confirmation per client": the key, else a hash of the address.

        The address is hashed so the store never holds raw IP addresses.
        """
        if self.key is not None:
            return f"key:{self.key.id}"
        return "addr:" + hashlib.sha256(self.address.encode()).hexdigest()[:20]

    @property
    def bucket(self) -> str:
        """The rate-limit bucket of this caller."""
        return f"key:{self.key.id}" if self.key is not None else f"addr:{self.address}"


def require_role(caller: Caller, allowed: frozenset[Role], action: str) -> ApiKey:
    """The caller's key if its role is allowed; 401 without a key, 403 with the wrong role."""
    if caller.key is None:
        raise Unauthorized(
            f"{action} needs an API key (Authorization: Bearer <key>) with role "
            f"{' or '.join(sorted(allowed))}"
        )
    if caller.key.role not in allowed:
        raise Forbidden(
            f"{action} needs role {' or '.join(sorted(allowed))}; this key is {caller.key.role}"
        )
    return caller.key


class TokenBuckets:
    """Token buckets of one family (same rate and burst), keyed by caller."""

    def __init__(self, rate_per_s: float, burst: float, name: str) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.name = name
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at monotonic s)

    def take(self, key: str, now: float | None = None) -> None:
        """Take one token for ``key`` or raise `RateLimited` with the seconds to wait."""
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / self.rate))
            raise RateLimited(
                f"too many requests ({self.name}: {self.rate:g}/s, burst {self.burst:g}); "
                f"retry after {wait} s",
                retry_after_s=wait,
            )
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > MAX_BUCKETS:
            self._forget_full(now)

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled (they are equal to a new one)."""
        full_after = self.burst / self.rate
        self._buckets = {
            k: (t, at) for k, (t, at) in self._buckets.items() if now - at < full_after
        }


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(proxies: Iterable[str]) -> tuple[Network, ...]:
    """The networks of ``trusted_proxies`` entries (an address is a network of one).

    Raises
    ------
    ValueError
        For an entry that is neither an IP address nor a network (``*`` included: trusting
        every peer would let any client name its own address).
    """
    networks = []
    for entry in proxies:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network; give proxies such as "
                "127.0.0.1, 10.0.0.0/8 or ::1"
            ) from None
    return tuple(networks)


class ProxyTrust:
    """The client address behind the proxies the operator trusts (``Settings.trusted_proxies``;
    none by default, when ``X-Forwarded-For`` is ignored).

    Each proxy appends the address it saw, so the header is read from its end: trusted
    proxies are skipped and the first address that is not one is the client. A header from
    any other peer is ignored, so a client cannot name its own address to pass as several
    clients (confirmations) or to leave its rate limit behind. When the entry that should name
    the client is not an IP address, the peer's address stays (its clients then share one
    address: stricter, never looser).
    """

    def __init__(self, proxies: Iterable[str]) -> None:
        self.networks = trusted_networks(proxies)

    def trusts(self, host: str) -> bool:
        """Whether ``host`` is a trusted proxy."""
        if not self.networks:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def client(self, peer: str, forwarded: Iterable[str]) -> str:
        """The client's address, given the peer's and the ``X-Forwarded-For`` values."""
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer
        return hops[0] if hops else peer  # every hop is a trusted proxy: the first is it


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413.

    A declared Content-Length over the limit is refused before the body is read; a chunked
    body is counted as it arrives and cut at the limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return (
            f"request body over the limit max_body_bytes = {self.max_bytes:,} bytes; "
            "send less (a report's description is at most 2,000 characters)"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes or declared < 0:
                    message = self._message() if declared > 0 else "bad Content-Length header"
                    status, code = (413, "body_too_large") if declared > 0 else (400, "bad_request")
                    response = error_response(status, code, message, {"Connection": "close"})
                    await response(scope, receive, send)
                    return
        seen = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise BodyTooLarge(self._message())
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if over:  # whatever the app made of the cut body (a parse error), say why
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted, sending)
        if over and not started:
            response = error_response(
                413, "body_too_large", self._message(), {"Connection": "close"}
            )
            await response(scope, receive, send)
