"""Keys, roles, rate limits, the client address behind trusted proxies, the body limit.

Keys travel as ``Authorization: Bearer <secret>`` and are looked up hashed in the report store.
Rate limits are token buckets shared by all worker processes through the report store's
database (``TokenBuckets``; across workers the limit holds within 10 % of the burst per worker,
see ``stepfree.reports.rate_buckets``): one family per API key, one per client address
(anonymous callers and callers with an unknown key), and a stricter one for report writes. A
bucket refills at ``rate`` tokens per second up to ``burst``; a request takes one token or is
refused with 429 and the whole seconds until a token is back (Retry-After).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError

from stepfree.api.errors import (
    BodyTooLarge,
    Forbidden,
    RateLimited,
    Unauthorized,
    error_response,
)
from stepfree.reports.domain import ApiKey, Role
from stepfree.reports.rate_buckets import SharedBuckets

#: Who may do what (the admin may do everything).
MODERATORS = frozenset({Role.moderator, Role.admin})
RESOLVERS = frozenset({Role.moderator, Role.official, Role.admin})
ADMINS = frozenset({Role.admin})

#: Buckets kept per family before idle ones are dropped (bounds memory under address churn).
MAX_BUCKETS = 50_000
#: Share of a bucket's burst a worker leases from the shared bucket at a time (at least 1
#: token): the tolerance of the limit across workers is this much of the burst per worker.
LEASE_FRACTION = 0.1
#: Seconds between two warnings that the shared buckets are unreachable.
FALLBACK_WARN_EVERY_S = 60.0
#: Seconds a worker limits on its own after a failed lease before it tries the store again.
FALLBACK_RETRY_S = 5.0

log = logging.getLogger("stepfree.api")


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
    """Token buckets of one family (same rate and burst), keyed by caller, shared by every
    worker through the report store's database (``stepfree.reports.rate_buckets``).

    A worker leases ``lease`` tokens at a time from the shared bucket and spends them here, so
    a request costs a dictionary lookup and one request in ``lease`` a short transaction (in a
    worker thread). Concurrent requests of one caller wait for its lease rather than each
    taking one, so a worker never holds more than ``lease - 1`` unspent tokens of a caller. A
    refusal is remembered until a token is due back, so a flood of refused requests does not
    become a flood of transactions. If the database cannot be reached, the worker falls back
    to a bucket of its own in memory (the limit then holds per worker) and logs it. See
    ``reports.rate_buckets`` for the tolerance across workers.
    """

    def __init__(self, rate_per_s: float, burst: float, name: str, family: str) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.name = name
        self.family = family
        self.lease = max(1, int(burst * LEASE_FRACTION))
        self._leases: dict[str, int] = {}  # key -> tokens leased and not spent yet
        self._pending: dict[str, anyio.Event] = {}  # key -> its lease in flight
        self._refused: dict[str, float] = {}  # key -> monotonic time a token is back
        self._buckets: dict[str, tuple[float, float]] = {}  # memory: key -> (tokens, at)
        self._warned = -math.inf  # monotonic time of the last fallback warning
        self._down_until = -math.inf  # after a failed lease: memory only until then

    async def take(self, key: str, shared: SharedBuckets | None) -> None:
        """Take one token for ``key`` (from ``shared``; None: memory) or raise `RateLimited`."""
        while True:
            left = self._leases.get(key, 0)
            if left >= 1:
                self._leases[key] = left - 1
                return
            now = time.monotonic()
            back = self._refused.get(key)
            if back is not None and now < back:
                raise self._limited(back - now)
            if shared is None or now < self._down_until:
                self.take_local(key, now)
                return
            pending = self._pending.get(key)
            if pending is None:
                break
            await pending.wait()  # one lease at a time per caller: then look again
        self._pending[key] = done = anyio.Event()
        try:
            lease = await anyio.to_thread.run_sync(
                shared.lease, self.family, key, self.rate, self.burst, self.lease
            )
        except (SQLAlchemyError, OSError) as error:
            self._down_until = now + FALLBACK_RETRY_S  # no connect timeout on every request
            if now - self._warned > FALLBACK_WARN_EVERY_S:
                self._warned = now
                log.warning(
                    "rate limits %s: the shared buckets are unreachable (%s); limiting per "
                    "worker until they are back",
                    self.name,
                    type(error).__name__,
                )
            self.take_local(key, now)
            return
        finally:
            del self._pending[key]
            done.set()
        if lease.granted == 0:
            self._remember_refusal(key, now + lease.wait_s)
            raise self._limited(lease.wait_s)
        self._refused.pop(key, None)
        self._leases[key] = self._leases.get(key, 0) + lease.granted - 1
        if len(self._leases) > MAX_BUCKETS:  # drop the oldest half (their tokens go unused)
            for stale in list(self._leases)[: MAX_BUCKETS // 2]:
                del self._leases[stale]

    def _remember_refusal(self, key: str, until: float) -> None:
        self._refused[key] = until
        if len(self._refused) > MAX_BUCKETS:
            now = time.monotonic()
            self._refused = {k: t for k, t in self._refused.items() if t > now}

    def _limited(self, wait_s: float) -> RateLimited:
        wait = max(1, math.ceil(wait_s))
        return RateLimited(
            f"too many requests ({self.name}: {self.rate:g}/s, burst {self.burst:g}); "
            f"retry after {wait} s",
            retry_after_s=wait,
        )

    def take_local(self, key: str, now: float | None = None) -> None:
        """Take one token from this worker's own bucket for ``key`` or raise `RateLimited`."""
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            raise self._limited((1.0 - tokens) / self.rate)
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
