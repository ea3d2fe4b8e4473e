"""Paging figures for every list a service serves: bounded, so a figure out of range is a
422 naming it, never a database error (an offset past 2^63 answered 500).

    limit: PageLimit = 50
    offset: PageOffset = 0
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Query

MAX_PAGE_SIZE: Final = 200
"""The most rows one page may hold."""
MAX_OFFSET: Final = 100_000
"""The furthest a list may be paged: past it, narrow the list with its filters instead."""

PageLimit = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Rows per page, 1 to {MAX_PAGE_SIZE}.")
]
PageOffset = Annotated[
    int,
    Query(ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0 to {MAX_OFFSET:,}."),
]
