"""Reading the web form's fields into a submission, or into errors a resident can act on."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from hearth.contracts.events.common import Channel, Gender, ReporterKind, ThirdPartyRelationship
from hearth.intake.forms import parse_report_form

TODAY = date(2025, 3, 7)


def _form(**fields: Any) -> dict[str, list[str]]:
    base: dict[str, Any] = {
        "reporter": "self",
        "account": "He will not let me leave the house.",
        "immediate_danger": "no",
    }
    base.update(fields)
    return {k: v if isinstance(v, list) else [v] for k, v in base.items() if v is not None}


def _errors(**fields: Any) -> list[tuple[str, str]]:
    parsed = parse_report_form(_form(**fields), today=TODAY)
    assert parsed.submission is None
    return [(e.field, e.message) for e in parsed.errors]


def test_the_least_a_resident_can_send_is_who_they_are_what_is_happening_and_any_danger() -> None:
    parsed = parse_report_form(_form(), today=TODAY)
    assert parsed.errors == []
    submission = parsed.submission
    assert submission is not None
    assert submission.channel is Channel.WEB_FORM
    assert submission.reporter.kind is ReporterKind.SURVIVOR
    assert submission.survivor.name is None
    assert submission.safe_contact is None
    assert submission.consent_to_contact is None
    assert submission.advised_to_call_999 is True
    assert submission.children == ()


def test_missing_answers_are_listed_in_page_order() -> None:
    assert _errors(reporter=None, account="  ", immediate_danger=None) == [
        ("reporter", "Select who is filling in this form"),
        ("account", "Tell us what is happening"),
        ("immediate_danger", "Select yes if anyone is in immediate danger now"),
    ]


def test_someone_reporting_for_another_person_says_how_they_know_them() -> None:
    assert _errors(reporter="someone_else") == [
        ("relationship", "Select how you know the person this is happening to")
    ]
    parsed = parse_report_form(
        _form(
            reporter="someone_else", relationship="neighbour", reporter_name="Pat", consent="yes"
        ),
        today=TODAY,
    )
    assert parsed.submission is not None
    reporter = parsed.submission.reporter
    assert reporter.kind is ReporterKind.THIRD_PARTY
    assert reporter.relationship is ThirdPartyRelationship.NEIGHBOUR
    assert reporter.name == "Pat"
    # Only the person it is happening to can consent to contact.
    assert parsed.submission.consent_to_contact is None


def test_someone_who_would_rather_not_say_is_anonymous_and_leaves_no_details() -> None:
    parsed = parse_report_form(_form(reporter="rather_not_say"), today=TODAY)
    assert parsed.submission is not None
    assert parsed.submission.reporter.kind is ReporterKind.ANONYMOUS
    assert [f for f, _ in _errors(reporter="rather_not_say", reporter_phone="07700 900111")] == [
        "reporter_phone"
    ]


def test_safe_contact_is_built_from_what_was_said_and_never_leaves_voicemail_by_default() -> None:
    parsed = parse_report_form(
        _form(
            contact_methods=["call", "letter"],
            safe_phone="07700 900 222",
            safe_days=["friday", "monday"],
            safe_from="09:30",
            safe_to="11:30",
            withheld_number_only="yes",
            interpreter_language="Polish",
            consent="yes",
        ),
        today=TODAY,
    )
    assert parsed.submission is not None
    safe = parsed.submission.safe_contact
    assert safe is not None
    assert (safe.safe_to_call, safe.safe_to_text, safe.safe_to_write) == (True, False, True)
    assert safe.safe_phone_numbers == ("07700 900 222",)
    assert [(w.day.value, w.start, w.end) for w in safe.safe_times] == [
        ("monday", time(9, 30), time(11, 30)),
        ("friday", time(9, 30), time(11, 30)),
    ]
    assert safe.never_leave_voicemail is True
    assert safe.withheld_number_only is True
    assert safe.interpreter_needed is True and safe.interpreter_language == "Polish"
    assert parsed.submission.consent_to_contact is True


def test_times_without_days_apply_every_day_and_days_without_times_all_day() -> None:
    every_day = parse_report_form(_form(safe_from="18:00", safe_to="20:00"), today=TODAY)
    assert every_day.submission is not None and every_day.submission.safe_contact is not None
    assert len(every_day.submission.safe_contact.safe_times) == 7
    all_day = parse_report_form(_form(safe_days="sunday"), today=TODAY)
    assert all_day.submission is not None and all_day.submission.safe_contact is not None
    [window] = all_day.submission.safe_contact.safe_times
    assert (window.start, window.end) == (time(0, 0), time(23, 59, 59))


def test_contact_details_must_be_given_and_usable_for_the_methods_chosen() -> None:
    assert _errors(contact_methods=["text", "email"]) == [
        ("safe_phone", "Enter a phone number that is safe for us to call or text"),
        ("safe_email", "Enter an email address that is safe for us to use"),
    ]
    assert [f for f, _ in _errors(safe_phone="ring me", safe_email="nope")] == [
        "safe_phone",
        "safe_email",
    ]
    assert _errors(safe_from="11:00") == [("safe_to", "Enter both times, or neither")]
    assert _errors(safe_from="11:00", safe_to="10:00") == [
        ("safe_to", "The end time must be after the start time")
    ]


def test_children_in_the_home_are_recorded_as_affected_unless_the_reporter_says_not() -> None:
    two = parse_report_form(_form(children="yes", children_count="2"), today=TODAY)
    assert two.submission is not None
    assert [c.affected_by_abuse for c in two.submission.children] == [True, True]
    unaffected = parse_report_form(_form(children="yes", children_affected="no"), today=TODAY)
    assert unaffected.submission is not None
    assert [c.affected_by_abuse for c in unaffected.submission.children] == [False]
    none = parse_report_form(_form(children="no", children_count="3"), today=TODAY)
    assert none.submission is not None and none.submission.children == ()
    assert [f for f, _ in _errors(children="yes", children_count="lots")] == ["children_count"]


def test_an_address_needs_its_first_line_and_a_birthday_must_be_past() -> None:
    assert [f for f, _ in _errors(postcode="ZZ1 1ZZ")] == ["address_line1"]
    assert [f for f, _ in _errors(survivor_dob="2030-01-01")] == ["survivor_dob"]
    assert [f for f, _ in _errors(survivor_dob="31/02/1990")] == ["survivor_dob"]
    parsed = parse_report_form(
        _form(address_line1="Flat 2", address_town="Exampletown", postcode="ZZ1 1ZZ"), today=TODAY
    )
    assert parsed.submission is not None
    address = parsed.submission.survivor.address
    assert address is not None
    assert address.lines == ("Flat 2", "Exampletown") and address.postcode == "ZZ1 1ZZ"


def test_over_long_answers_say_how_long_they_may_be() -> None:
    assert _errors(postcode="X" * 11, address_line1="1 Street") == [
        ("postcode", "Postcode must be 10 characters or fewer")
    ]


def test_what_was_typed_is_kept_for_the_form_to_show_again() -> None:
    parsed = parse_report_form(_form(account="", survivor_name="Robin"), today=TODAY)
    assert parsed.values["survivor_name"] == ["Robin"]
    assert parsed.error_for("account") == "Tell us what is happening"


def test_a_survivor_can_ask_for_a_woman_or_a_man_to_contact_them() -> None:
    woman = parse_report_form(_form(case_manager_gender="woman"), today=TODAY)
    assert woman.submission is not None
    assert woman.submission.preferred_case_manager_gender is Gender.WOMAN
    either = parse_report_form(_form(case_manager_gender="no_preference"), today=TODAY)
    assert either.submission is not None
    assert either.submission.preferred_case_manager_gender is None
    # A neighbour cannot choose for the survivor.
    neighbour = parse_report_form(
        _form(reporter="someone_else", relationship="neighbour", case_manager_gender="man"),
        today=TODAY,
    )
    assert neighbour.submission is not None
    assert neighbour.submission.preferred_case_manager_gender is None


def test_anyone_reporting_can_say_the_home_is_damaged_and_not_safe() -> None:
    damaged = parse_report_form(
        _form(reporter="someone_else", relationship="neighbour", home_damaged="yes"),
        today=TODAY,
    )
    assert damaged.submission is not None
    assert damaged.submission.home_damaged_safety_at_risk is True
    unticked = parse_report_form(_form(), today=TODAY)
    assert unticked.submission is not None
    assert unticked.submission.home_damaged_safety_at_risk is False
    # Only the box's own value counts.
    odd = parse_report_form(_form(home_damaged="on"), today=TODAY)
    assert odd.submission is not None
    assert odd.submission.home_damaged_safety_at_risk is False


def test_the_person_causing_harm_is_recorded_when_named_or_described() -> None:
    parsed = parse_report_form(
        _form(perpetrator_name="Sam", perpetrator_relationship="former_intimate_partner"),
        today=TODAY,
    )
    assert parsed.submission is not None
    [perpetrator] = parsed.submission.alleged_perpetrators
    assert perpetrator.name == "Sam"
    assert perpetrator.relationship_to_survivor.value == "former_intimate_partner"


def test_given_hidden_control_characters_then_the_form_asks_again_and_keeps_the_rest() -> None:
    # Issue 10, point 15: a NUL lost the whole report. The answer comes back without the
    # characters no report may hold, with a plain message, so sending again works.
    parsed = parse_report_form(
        _form(account="He hit me.\x00\r\nTwice.", survivor_name="Robin\x07 Example"),
        today=TODAY,
    )
    assert parsed.submission is None
    assert [e.field for e in parsed.errors] == ["survivor_name", "account"]
    assert all("hidden characters" in e.message for e in parsed.errors)
    assert parsed.values["account"] == ["He hit me.\r\nTwice."]
    assert parsed.values["survivor_name"] == ["Robin Example"]

    again = parse_report_form(parsed.values, today=TODAY)
    assert again.errors == []
    assert again.submission is not None
    assert again.submission.account == "He hit me.\r\nTwice."


def test_given_a_tab_or_line_break_in_a_one_line_box_then_it_is_read_as_a_space() -> None:
    parsed = parse_report_form(_form(survivor_name="Robin\tExample"), today=TODAY)
    assert parsed.errors == []
    assert parsed.submission is not None
    assert parsed.submission.survivor.name == "Robin Example"


def test_a_resident_can_say_the_person_causing_harm_or_the_survivor_works_for_us() -> None:
    """Point 12 (issue 10): they cannot know the staff id; the case is then restricted to
    the DA leads until staff record it."""
    parsed = parse_report_form(_form(perpetrator_works_here="yes"), today=TODAY)
    assert parsed.submission is not None
    [perpetrator] = parsed.submission.alleged_perpetrators
    assert perpetrator.is_staff_member is True
    assert perpetrator.staff_id is None
    assert parsed.submission.survivor.is_staff_member is False

    parsed = parse_report_form(_form(survivor_works_here="yes"), today=TODAY)
    assert parsed.submission is not None
    assert parsed.submission.survivor.is_staff_member is True
    assert parsed.submission.alleged_perpetrators == ()
