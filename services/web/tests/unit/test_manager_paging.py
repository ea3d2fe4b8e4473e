"""Reading a paged API list to its end, within a bound."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest

from hearth.web.client import ApiRefusal
from hearth.web.manager.paging import read_all
from hearth.web.manager.team import Listing
from hearth.web.routes.manager import (
    LIST_BOUND,
    _cases,
    _closure_requests,
    _marac_actions,
    bounded_gather,
    page_reader,
)


def pages_of(total: int) -> tuple[list[tuple[int, int]], Any]:
    asked: list[tuple[int, int]] = []

    async def fetch(limit: int, offset: int) -> list[dict[str, Any]]:
        asked.append((limit, offset))
        return [{"n": n} for n in range(offset, min(offset + limit, total))]

    return asked, fetch


async def test_a_list_is_read_page_by_page_until_a_short_page() -> None:
    asked, fetch = pages_of(5)

    listing = await read_all(fetch, page_size=2, max_rows=100)

    assert [r["n"] for r in listing.rows] == [0, 1, 2, 3, 4]
    assert listing.complete
    assert asked == [(2, 0), (2, 2), (2, 4)]


async def test_a_list_longer_than_the_bound_is_cut_and_said_to_be_incomplete() -> None:
    asked, fetch = pages_of(10)

    listing = await read_all(fetch, page_size=3, max_rows=4)

    assert [r["n"] for r in listing.rows] == [0, 1, 2, 3]
    assert not listing.complete
    assert asked == [(3, 0), (1, 3), (1, 4)]


async def test_a_list_exactly_as_long_as_the_bound_is_complete() -> None:
    _, fetch = pages_of(4)

    listing = await read_all(fetch, page_size=2, max_rows=4)

    assert len(listing.rows) == 4
    assert listing.complete


async def test_a_page_size_the_api_would_refuse_is_refused_here() -> None:
    _, fetch = pages_of(1)

    with pytest.raises(ValueError, match="page_size"):
        await read_all(fetch, page_size=0)


class _Client:
    """Answers a list's pages; refuses the first `conflicts` calls (409)."""

    def __init__(self, conflicts: int) -> None:
        self.conflicts = conflicts
        self.calls: list[dict[str, Any]] = []

    async def get(self, service: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(params)
        if self.conflicts:
            self.conflicts -= 1
            raise ApiRefusal(409, "The case changed while this was being decided; try again.")
        return {"cases": [{"case_id": "a"}]}


async def test_a_page_is_read_with_the_lists_filters() -> None:
    client = _Client(conflicts=0)

    rows = await page_reader(client, "cases", "/cases", "cases", overdue=True)(200, 0)  # type: ignore[arg-type]

    assert rows == [{"case_id": "a"}]
    assert client.calls == [{"overdue": True, "limit": 200, "offset": 0}]


async def test_a_refused_list_is_not_read_again() -> None:
    # Listings of restricted cases queue on the case (cases), so a 409 is no race to
    # retry: it is passed on, read once.
    client = _Client(conflicts=1)

    with pytest.raises(ApiRefusal):
        await page_reader(client, "cases", "/cases", "cases")(50, 0)  # type: ignore[arg-type]
    assert len(client.calls) == 1


async def test_calls_run_at_once_but_never_more_than_the_bound() -> None:
    running = 0
    most = 0

    async def call(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        return n * 10

    answers = await bounded_gather([partial(call, n) for n in range(12)], 4)

    assert answers == [n * 10 for n in range(12)]
    assert most == 4


class _Recorder:
    """Answers every list with one row, recording what was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def get(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        self.calls.append((service, path, dict(params or {})))
        if path == "/cases/caseloads":
            return {"caseloads": []}
        return {"cases": [], "actions": [{"action_id": "a"}]}


async def test_the_team_page_asks_each_service_for_its_own_filtered_list_one_page_each() -> None:
    client = _Recorder()

    listing = await _marac_actions(client)  # type: ignore[arg-type]
    await _cases(client, status="open", closure_requested=True)  # type: ignore[arg-type]

    assert listing.rows == [{"action_id": "a"}]
    assert client.calls == [
        (
            "referrals",
            "/marac/actions",
            {"completed": False, "limit": LIST_BOUND, "offset": 0},
        ),
        (
            "cases",
            "/cases",
            {"status": "open", "closure_requested": True, "limit": LIST_BOUND, "offset": 0},
        ),
    ]


async def test_closure_requests_come_from_the_list_and_only_unlisted_ones_read_their_case() -> None:
    """A row that carries its request costs no read of the case (a read the audit trail
    would record as the manager's); a row from before the list carried requests is read."""
    client = _Recorder()
    listed = {
        "case_id": "11111111-aaaa",
        "closure_requested": True,
        "closure_request": {
            "requested_by": "cso-0002",
            "requested_at": "2026-11-05T14:30:00+00:00",
            "reason": "survivor_moved",
            "has_notes": False,
        },
    }
    unlisted = {"case_id": "22222222-bbbb", "closure_requested": True, "closure_request": None}

    requests = await _closure_requests(
        client,  # type: ignore[arg-type]
        Listing([listed, unlisted], complete=True),
    )

    assert client.calls == [("cases", "/cases/22222222-bbbb", {})]
    request = requests["11111111-aaaa"]
    assert request is not None and request.requested_by == "cso-0002"
    assert request.why == "The survivor has moved"
    assert requests["22222222-bbbb"] is None  # the recorder's case has no request
