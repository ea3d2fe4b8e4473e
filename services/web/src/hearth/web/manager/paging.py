"""Reading a paged API list to its end, within a bound.

The services page their lists (at most `MAX_PAGE_SIZE` rows a page); a manager's page
reads page after page, but never more than `max_rows` (the team page: one full page of
each list the API filters): past that the page says its list is incomplete rather than
keep the staff member waiting on an unbounded walk.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from hearth.eventstore.paging import MAX_PAGE_SIZE
from hearth.web.manager.team import Listing

DEFAULT_MAX_ROWS = 2_000
"""How many rows a list reads at most unless told (ten full pages)."""

FetchPage = Callable[[int, int], Awaitable[list[dict[str, Any]]]]
"""(limit, offset) -> that page's rows."""


async def read_all(
    fetch: FetchPage, *, page_size: int = MAX_PAGE_SIZE, max_rows: int = DEFAULT_MAX_ROWS
) -> Listing:
    """Every row, page by page, until a short page; cut at `max_rows` (then `complete`
    is False)."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be 1 to {MAX_PAGE_SIZE}")
    rows: list[dict[str, Any]] = []
    while len(rows) < max_rows:
        limit = min(page_size, max_rows - len(rows))
        page = await fetch(limit, len(rows))
        rows.extend(page)
        if len(page) < limit:
            return Listing(rows, complete=True)
    # Exactly at the bound: one more row tells whether anything was left out.
    more = await fetch(1, len(rows))
    return Listing(rows, complete=not more)
