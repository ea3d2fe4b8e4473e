"""From posted values to the API's body: what is left out, how values convert, and what
the form refuses before anything is sent."""

from __future__ import annotations

from hearth.web.forms.body import build_body, field_for
from hearth.web.forms.catalogue import BY_SLUG, CONTACT, MARAC_HEARING, PEOPLE, SAFE_CONTACT
from hearth.web.forms.problems import group_rows, place


def test_a_time_on_the_wall_clock_is_sent_with_londons_offset() -> None:
    winter, _ = build_body(
        BY_SLUG["dash-declined"], {"declined_at": "2026-12-01T10:30", "reason": "x"}
    )
    summer, _ = build_body(
        BY_SLUG["dash-declined"], {"declined_at": "2026-07-01T10:30", "reason": "x"}
    )
    assert winter.body["declined_at"] == "2026-12-01T10:30:00+00:00"
    assert summer.body["declined_at"] == "2026-07-01T10:30:00+01:00"


def test_an_empty_optional_part_is_left_out_whole() -> None:
    values = {"happened_at": "2026-12-01T10:30", "method": "call", "phone_number": " 07700 900123 "}
    built, errors = build_body(CONTACT, values)
    assert not errors
    assert built.body == {
        "happened_at": "2026-12-01T10:30:00+00:00",
        "method": "call",
        "phone_number": "07700 900123",
    }


def test_safe_times_are_read_one_a_line() -> None:
    values = {"safe_times": "Monday 09:00-12:00\r\n\r\nthu 9.30 to 11.00"}
    built, _ = build_body(SAFE_CONTACT, values)
    assert built.body["safe_times"] == [
        {"day": "monday", "start": "09:00", "end": "12:00"},
        {"day": "thursday", "start": "09:30", "end": "11:00"},
    ]


def test_a_safe_time_that_cannot_be_read_is_refused_before_anything_is_sent() -> None:
    _, errors = build_body(SAFE_CONTACT, {"safe_times": "weekday mornings"})
    assert "safe_times" in errors.fields
    assert "Monday 09:00-12:00" in errors.fields["safe_times"]


def test_a_required_value_missing_is_named_next_to_its_field() -> None:
    _, errors = build_body(BY_SLUG["repair"], {"kind": "locks"})
    assert errors.fields == {"description": "Enter: What needs doing"}
    _, errors = build_body(SAFE_CONTACT, {})
    assert errors.fields["safe_to_call"] == "Answer: Is it safe to call?"


def test_empty_rows_of_a_list_are_left_out_and_errors_find_their_row() -> None:
    values = {
        "heard_on": "2026-12-01",
        "actions.1.description": "Fit a door chain",
        "actions.1.owner_agency": "Housing",
        "actions.1.landlord_action": "yes",
        "actions.1.due_on": "2026-12-10",
        "actions.2.description": "Police to visit",
    }
    built, errors = build_body(MARAC_HEARING, values)
    assert len(built.body["actions"]) == 2
    assert built.body["actions"][0]["landlord_action"] is True
    # The second row sent is the form's third: a missing field is named on that row.
    assert errors.fields == {
        "actions.2.owner_agency": "Enter: Owning agency",
        "actions.2.landlord_action": "Answer: Is it ours (the landlord's)?",
        "actions.2.due_on": "Enter: Due on",
    }
    assert field_for(built, "actions.1.owner_agency") == "actions.2.owner_agency"


def test_the_apis_words_go_beside_the_field_or_at_the_top() -> None:
    built, _ = build_body(CONTACT, {"happened_at": "2026-12-01T10:30", "method": "call"})
    errors = place(
        CONTACT,
        built,
        {
            "phone_number": "a call to a number that is not one of the safe numbers",
            "safe_contact.safe_to_call": "Field required",
            "safe_contact": "Value error, safe_email is required when email is safe",
        },
    )
    assert errors.fields == {
        "phone_number": "A call to a number that is not one of the safe numbers",
        "safe_contact.safe_to_call": "Answer: Is it safe to call?",
    }
    assert errors.form == ["safe_contact: Safe_email is required when email is safe"]


def test_a_refusal_without_fields_goes_at_the_top() -> None:
    built, _ = build_body(CONTACT, {})
    errors = place(CONTACT, built, {}, "calls are not safe for this survivor")
    assert errors.form == ["calls are not safe for this survivor"]


def test_the_people_form_starts_from_the_case_and_offers_a_row_more() -> None:
    case = {
        "survivor": {
            "person_id": "p1",
            "name": "A",
            "is_staff_member": False,
            "equality": {"sex": "female"},
        },
        "alleged_perpetrators": [
            {
                "person_id": "p2",
                "name": "B",
                "relationship_to_survivor": "intimate_partner",
                "is_tenant": True,
            }
        ],
        "children": [],
    }
    assert PEOPLE.prefill is not None
    values = PEOPLE.prefill(case)
    assert values["survivor.name"] == "A"
    assert values["survivor.equality.sex"] == "female"
    assert "survivor.is_staff_member" not in values
    assert values["alleged_perpetrators.0.is_tenant"] == "yes"
    perpetrators = next(g for g in PEOPLE.groups() if g.name == "alleged_perpetrators")
    assert group_rows(perpetrators, values) == 2
    built, errors = build_body(PEOPLE, values)
    assert not errors
    assert built.body["alleged_perpetrators"][0]["person_id"] == "p2"
    assert "children" not in built.body


def test_safe_contact_arrangements_recorded_come_back_as_the_form_shows_them() -> None:
    assert SAFE_CONTACT.prefill is not None
    recorded = {
        "safe_to_call": True,
        "safe_to_text": False,
        "safe_phone_numbers": ["07700 900123"],
        "safe_times": [{"day": "monday", "start": "09:00:00", "end": "12:00:00"}],
        "safe_postal_address": None,
        "withheld_number_only": True,
    }
    values = SAFE_CONTACT.prefill({"safe_contact": recorded})
    assert values["safe_to_call"] == "yes"
    assert values["safe_to_text"] == "no"
    assert values["safe_times"] == "Monday 09:00-12:00"
    built, _ = build_body(SAFE_CONTACT, values)
    assert built.body["safe_times"] == [{"day": "monday", "start": "09:00", "end": "12:00"}]


def test_the_wishes_form_starts_from_the_wishes_recorded() -> None:
    wishes = BY_SLUG["wish"]
    assert wishes.prefill is not None
    recorded = {
        "wanted_actions": ["tenancy_warning"],
        "unwanted_actions": ["possession"],
        "wants_to_stay_in_home": True,
        "in_own_words": None,
    }
    values = wishes.prefill({"survivor_wishes": recorded})
    built, errors = build_body(wishes, values)
    assert not errors
    assert built.body == {
        "wanted_actions": ["tenancy_warning"],
        "unwanted_actions": ["possession"],
        "wants_to_stay_in_home": True,
    }
    assert wishes.prefill({"survivor_wishes": None}) == {}
