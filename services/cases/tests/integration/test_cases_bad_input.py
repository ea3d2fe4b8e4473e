"""Issue 10, bad input found by fuzzing the running service: refused at the door, never a 500.

Point 15: a NUL (or any control character) in any text of any body is a 422 naming the
field, and nothing is stored. Point 16: paging figures are bounded (422, not 500).
Point 21: no answer with case data may be cached or sniffed.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from hearth.contracts.envelope import Role
from hearth.eventstore.testing.service import RunningService

pytestmark = pytest.mark.integration

MANAGER = ("dalead-0001", Role.MANAGER)


def _fields(response: Any, kind: str = "control_character") -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"] == "invalid request"
    assert all(e["kind"] == kind for e in body["errors"]), body
    return [e["field"] for e in body["errors"]]


async def _stream_length(cases: RunningService, case_id: uuid.UUID) -> int:
    return len(await cases.runtime.event_store.read_stream(f"case-{case_id}"))


async def test_control_characters_in_any_body_are_refused_naming_the_field_and_not_stored(
    cases: RunningService, new_case: Any
) -> None:
    report, manager = await new_case(cases)
    url = f"/cases/{report.case_id}"
    headers = cases.auth(manager, Role.CASE_MANAGER)
    before = await _stream_length(cases, report.case_id)

    repair = await cases.client.post(
        f"{url}/repairs",
        json={"kind": "doors", "description": "Front door \u0000 kicked in"},
        headers=headers,
    )
    assert _fields(repair) == ["description"]

    completion = await cases.client.post(
        f"{url}/repairs/{uuid.uuid4()}/completion",
        json={"notes": "Fitted\u0000"},
        headers=headers,
    )
    assert _fields(completion) == ["notes"]

    wishes = await cases.client.post(
        f"{url}/wishes",
        json={"wanted_actions": [], "in_own_words": "I want him \u0007 gone"},
        headers=headers,
    )
    assert _fields(wishes) == ["in_own_words"]

    contact = await cases.client.post(
        f"{url}/safe-contact",
        json={
            "safe_to_call": True,
            "safe_to_text": False,
            "safe_to_email": False,
            "safe_to_write": False,
            "safe_to_visit": False,
            "safe_phone_numbers": ["07700 900 123"],
            "withheld_number_only": False,
            "never_leave_voicemail": True,
            "interpreter_needed": False,
            "safe_people_to_speak_to": ["Sam\u0000"],
        },
        headers=headers,
    )
    assert _fields(contact) == ["safe_people_to_speak_to.0"]

    people = await cases.client.post(
        f"{url}/people",
        json={"survivor": {"name": "Alex\nExample"}},
        headers=headers,
    )
    assert _fields(people) == ["survivor.name"]

    # Line breaks belong in free text: a multi-line note is still accepted.
    fine = await cases.client.post(
        f"{url}/wishes",
        json={"wanted_actions": [], "in_own_words": "Line one.\r\nLine two,\tand more."},
        headers=headers,
    )
    assert fine.status_code == 201, fine.text
    assert await _stream_length(cases, report.case_id) == before + 1


async def test_a_control_character_in_the_query_is_refused_naming_the_parameter(
    cases: RunningService,
) -> None:
    response = await cases.client.get(
        "/cases", params={"case_manager_id": "cso\u00000001"}, headers=cases.auth(*MANAGER)
    )
    assert response.status_code == 422
    assert "query.case_manager_id" in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=9223372036854775808", "query.offset"),
        ("offset=100001", "query.offset"),
        ("offset=-1", "query.offset"),
        ("limit=0", "query.limit"),
        ("limit=201", "query.limit"),
        ("limit=99999999999999999999999", "query.limit"),
    ],
)
async def test_paging_figures_out_of_range_are_a_422_naming_them(
    cases: RunningService, query: str, field: str
) -> None:
    response = await cases.client.get(f"/cases?{query}", headers=cases.auth(*MANAGER))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_the_furthest_page_is_answered(cases: RunningService) -> None:
    response = await cases.client.get(
        "/cases?offset=100000&limit=200", headers=cases.auth(*MANAGER)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"cases": [], "limit": 200, "offset": 100000}


async def test_case_data_is_never_cached_nor_sniffed(cases: RunningService, new_case: Any) -> None:
    report, _ = await new_case(cases)
    headers = cases.auth(*MANAGER)
    for path in ("/cases", f"/cases/{report.case_id}", f"/cases/{uuid.uuid4()}"):
        response = await cases.client.get(path, headers=headers)
        assert response.status_code in (200, 404), response.text
        assert response.headers["cache-control"] == "no-store", path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path
