"""Query parameters are given once: ``?profile=a&profile=b`` is refused, not read last-wins.

Starlette keeps every value of a repeated parameter and FastAPI reads the last one, so a
client that sends two profiles (a proxy adding its own, a bug in a form) would get a route for
one of them without a word. No parameter of ours takes several values (lists are written
``minutes=5,10,15``), so a repeated name is bad input naming it (422).
"""

from __future__ import annotations

from fastapi import Request

from stepfree.errors import BadInput


async def single_valued_query(request: Request) -> None:
    """422 naming the first query parameter given more than once."""
    query = request.query_params
    if len(query) == len(query.multi_items()):
        return  # the common case: no name twice
    for name in query:
        count = len(query.getlist(name))
        if count > 1:
            raise BadInput(
                f"query parameter {name!r} is given {count} times; give it once "
                "(a list is one value with commas, such as minutes=5,10,15)"
            )
