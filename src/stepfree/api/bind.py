"""Can ``stepfree serve`` listen where it is told? Checked before the graph is loaded.

uvicorn finds out only after the graph is loaded and the store migrated, and then exits 3
(its "startup failure", which our README calls "no route"). :func:`check_bind` binds the
address the way uvicorn will (``SO_REUSEADDR``: a port left in TIME_WAIT by a stopped server
is free) and lets it go at once, so a busy port or an address that is not this machine's is
one line and exit 2 before anything slow happens. Another program may still take the port
between this check and uvicorn's bind; then uvicorn's own error stands.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from stepfree.errors import BadInput


def _addresses(host: str, port: int) -> list[tuple[socket.AddressFamily, Any]]:
    try:
        found = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as error:
        reason = error.strerror if isinstance(error, socket.gaierror) else "not a host name"
        raise BadInput(
            f"--host {host!r} is not an address to listen on ({reason}); give an address of "
            "this machine, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"
        ) from None
    return [(family, address) for family, _, _, _, address in found]


def check_bind(host: str, port: int) -> None:
    """Raise `BadInput` naming the problem if ``host:port`` cannot be listened on now.

    A name with several addresses (``localhost``: 127.0.0.1 and ::1) must bind on each, except
    that an address "not available" is skipped while another one binds, as asyncio's
    ``create_server`` does for a family the machine has turned off.
    """
    failures: list[OSError] = []
    addresses = _addresses(host, port)
    for family, address in addresses:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:  # as asyncio's create_server binds an IPv6 address
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno != errno.EADDRNOTAVAIL:
                    raise BadInput(_why(error, host, port)) from None
                failures.append(error)
    if failures and len(failures) == len(addresses):
        raise BadInput(_why(failures[0], host, port))


def _why(error: OSError, host: str, port: int) -> str:
    where = f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is in use (another stepfree serve?); "
            "stop that program or choose another --port"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return (
            f"cannot listen on {where}: {host} is not an address of this machine; give one "
            "of its addresses, such as 127.0.0.1 or 0.0.0.0 (every interface)"
        )
    if error.errno == errno.EACCES:
        return (
            f"cannot listen on {where}: permission denied (ports below 1024 need root); "
            "choose a --port from 1024 up"
        )
    return f"cannot listen on {where}: {error.strerror}; choose another --host or --port"
