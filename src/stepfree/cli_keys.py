"""The ``stepfree keys`` and ``stepfree audit`` commands: API keys and the audit log, on the
report store's database directly (as the operator: no API key needed, and the last admin key
may be revoked). Called by ``stepfree.cli``, which maps errors to exit codes.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TypeVar

from stepfree.errors import BadInput

P = TypeVar("P", bound=argparse.ArgumentParser)


def _when(moment: object) -> str:
    """A time for a table cell: ``2027-01-01T00:00Z``, or ``never``."""
    from datetime import datetime

    from stepfree.reports.audit import minute

    return minute(moment) if isinstance(moment, datetime) else "never"


def _refused(error: Exception) -> BadInput:
    """An unknown key id or a refused key change, as bad input (exit 2, one line)."""
    return BadInput(str(error).strip("'\""))


def cmd_keys_create(args: argparse.Namespace) -> int:
    from stepfree.api.server import create_key, expiry_from_options

    expires = expiry_from_options(args.expires, args.expires_in)
    key, secret = create_key(args.db, args.role, args.label, expires)
    until = f", expires {_when(key.expires_at)}" if key.expires_at else ""
    print(f"created key {key.id} ({key.role}{until}); its secret, shown only now:", file=sys.stderr)
    print(secret)
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from stepfree.api.keys import KeyOut
    from stepfree.api.server import open_store
    from stepfree.reports.key_store import MAX_KEY_PAGE

    with open_store(args.db) as store:
        keys, offset = [], 0
        while page := store.list_keys(MAX_KEY_PAGE, offset):
            keys += [KeyOut.of(key) for key in page]
            offset += len(page)
    if args.json:
        print(json.dumps([key.model_dump(mode="json") for key in keys], indent=2))
        return 0
    print(f"{'id':>5}  {'role':9}  {'status':7}  {'created':17}  {'expires':17}  label")
    for key in keys:
        print(
            f"{key.id:>5}  {key.role.value:9}  {key.status.value:7}  {_when(key.created_at):17}  "
            f"{_when(key.expires_at):17}  {key.label}"
        )
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from stepfree.api.server import open_store
    from stepfree.errors import Conflict, NotFound

    with open_store(args.db) as store:
        try:
            key = store.revoke_key(args.id)
        except (NotFound, Conflict) as error:
            raise _refused(error) from None
    print(f"revoked key {key.id} ({key.role}); its secret no longer works")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from stepfree.api.server import open_store, parse_duration
    from stepfree.errors import Conflict, NotFound

    grace = parse_duration(args.grace, "--grace")
    with open_store(args.db) as store:
        try:
            key, secret = store.rotate_key(args.id, grace)
        except (NotFound, Conflict) as error:
            raise _refused(error) from None
    old = f"works until {_when(key.previous_until)}" if key.previous_until else "stopped working"
    print(
        f"rotated key {key.id} ({key.role}): the old secret {old}; the new one, shown only now:",
        file=sys.stderr,
    )
    print(secret)
    return 0


def cmd_keys_expire(args: argparse.Namespace) -> int:
    from stepfree.api.server import expiry_from_options, open_store
    from stepfree.errors import Conflict, NotFound

    expires = expiry_from_options(args.expires, args.expires_in)
    if (expires is None) != args.never:
        raise BadInput("give one of --expires TIME, --expires-in DURATION or --never")
    with open_store(args.db) as store:
        try:
            key = store.set_key_expiry(args.id, expires)
        except (NotFound, Conflict) as error:
            raise _refused(error) from None
    print(f"key {key.id} ({key.role}) expires {_when(key.expires_at)}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from stepfree.api.server import open_store, parse_time

    since = parse_time(args.since, "--since") if args.since else None
    until = parse_time(args.until, "--until") if args.until else None
    with open_store(args.db) as store:
        entries = store.audit(args.report, args.key, args.action, since, until, args.limit)
    if args.json:
        print(json.dumps([entry.model_dump(mode="json") for entry in entries], indent=2))
        return 0
    for entry in entries:
        what = f"report {entry.report_id}" if entry.report_id is not None else f"key {entry.key_id}"
        change = f"{entry.from_status or '-'} -> {entry.to_status or '-'}"
        who: str = entry.actor
        if entry.actor_key_id is not None:
            who = f"key {entry.actor_key_id} ({entry.actor_role})"
        elif entry.client_id:
            who = f"client {entry.client_id}"
        detail = f"  {entry.detail}" if entry.detail else ""
        print(f"{_when(entry.at)}  {entry.action.value:32}  {what:12}  {change:19}  {who}{detail}")
    return 0


def add_commands(sub: argparse._SubParsersAction[P], parser_class: type[P]) -> None:
    """Add ``keys`` (list, create, revoke, rotate, expire) and ``audit`` to ``sub``."""
    keys = sub.add_parser("keys", help="API keys of the service (on the database directly)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, parser_class=parser_class)
    db_help = "report store URL (default: SQLite in the cache folder)"
    expires_help = "when the key stops working, ISO-8601 with an offset (2027-01-01T00:00Z)"
    within_help = "or: how long from now it works (90d; units s, m, h, d, w)"
    keys_list = keys_sub.add_parser("list", help="every key: id, role, status, expiry, label")
    keys_list.add_argument("--json", action="store_true", help="print JSON")
    keys_list.add_argument("--db", help=db_help)
    keys_list.set_defaults(func=cmd_keys_list)
    keys_create = keys_sub.add_parser("create", help="create a key and print its secret once")
    keys_create.add_argument(
        "--role", required=True, choices=("reporter", "moderator", "official", "admin")
    )
    keys_create.add_argument("--label", default="", help="who or what the key is for")
    keys_create.add_argument("--expires", metavar="TIME", help=expires_help)
    keys_create.add_argument("--expires-in", metavar="DURATION", help=within_help)
    keys_create.add_argument("--db", help=db_help)
    keys_create.set_defaults(func=cmd_keys_create)
    keys_revoke = keys_sub.add_parser("revoke", help="revoke a key for good (even the last admin)")
    keys_revoke.add_argument("id", type=int, help="the key's id (see stepfree keys list)")
    keys_revoke.add_argument("--db", help=db_help)
    keys_revoke.set_defaults(func=cmd_keys_revoke)
    keys_rotate = keys_sub.add_parser("rotate", help="a new secret for a key, printed once")
    keys_rotate.add_argument("id", type=int, help="the key's id (see stepfree keys list)")
    keys_rotate.add_argument(
        "--grace",
        default="0s",
        metavar="DURATION",
        help="how long the old secret still works (default 0s: it stops at once; at most 7d)",
    )
    keys_rotate.add_argument("--db", help=db_help)
    keys_rotate.set_defaults(func=cmd_keys_rotate)
    keys_expire = keys_sub.add_parser("expire", help="change when a key stops working")
    keys_expire.add_argument("id", type=int, help="the key's id (see stepfree keys list)")
    keys_expire.add_argument("--expires", metavar="TIME", help=expires_help)
    keys_expire.add_argument("--expires-in", metavar="DURATION", help=within_help)
    keys_expire.add_argument("--never", action="store_true", help="the key never expires")
    keys_expire.add_argument("--db", help=db_help)
    keys_expire.set_defaults(func=cmd_keys_expire)

    audit = sub.add_parser("audit", help="the audit log of moderation and key actions")
    audit.add_argument("--report", type=int, metavar="ID", help="only about this report")
    audit.add_argument("--key", type=int, metavar="ID", help="only about this key or done by it")
    audit.add_argument("--action", help="only this action (report.approve, key.revoke...)")
    audit.add_argument("--since", metavar="TIME", help="only at or after this ISO-8601 time")
    audit.add_argument("--until", metavar="TIME", help="only before this ISO-8601 time")
    audit.add_argument("--limit", type=int, default=100, help="newest entries shown (1..1000)")
    audit.add_argument("--json", action="store_true", help="print JSON")
    audit.add_argument("--db", help=db_help)
    audit.set_defaults(func=cmd_audit)
