"""The event models: wire types, reading any event back, and what each model accepts."""

from __future__ import annotations

import inspect
import json
import re
from datetime import datetime, time
from enum import Enum
from typing import Any, get_args
from uuid import UUID

import pytest
from contract_examples import examples
from pydantic import BaseModel, ValidationError

from hearth.contracts import topics
from hearth.contracts.envelope import Envelope
from hearth.contracts.events import (
    InvalidEvent,
    case_values,
    cases,
    common,
    event_types,
    intake,
    parse_event,
    referrals,
    risk,
)
from hearth.contracts.events.base import DomainEvent, model_for, registry
from hearth.contracts.upcasters import registered, upcast

WIRE_TYPE = re.compile(r"^hearth\.(intake|cases|risk|referrals)\.[A-Z][A-Za-z]+\.v[1-9][0-9]*$")
EVENT_MODULES = (common, case_values, intake, cases, risk, referrals)
EXAMPLES = examples()
ENVELOPE_TYPE_PATTERN = Envelope.model_json_schema()["properties"]["type"]["pattern"]


def _current(event_type: str) -> bool:
    return upcast(event_type, {})[0] == event_type


# --- wire types ----------------------------------------------------------------------


@pytest.mark.parametrize("event_type", event_types())
def test_wire_types_follow_the_pattern(event_type: str) -> None:
    assert WIRE_TYPE.fullmatch(event_type)
    model = model_for(event_type)
    assert model.event_type() == event_type
    assert event_type.startswith(f"hearth.{model.service}.")
    assert model.service in topics.PRODUCING_SERVICES
    assert re.fullmatch(ENVELOPE_TYPE_PATTERN, event_type)


def test_the_contract_covers_every_service() -> None:
    services = {model.service for model in registry().values()}
    assert services == set(topics.PRODUCING_SERVICES)
    assert len(event_types()) >= 40


def test_intermediate_bases_are_not_events() -> None:
    names = {model.__name__ for model in registry().values()}
    assert not names & {"IntakeEvent", "CasesEvent", "RiskEvent", "ReferralsEvent"}


def test_event_names_are_unique_across_services() -> None:
    # Upcasters are keyed by (event name, version), so a name means one event.
    owners: dict[str, set[str]] = {}
    for model in registry().values():
        owners.setdefault(model.event_name(), set()).add(model.service)
    assert {name: s for name, s in owners.items() if len(s) > 1} == {}


def test_every_older_version_upcasts_to_the_newest() -> None:
    newest: dict[str, int] = {}
    for model in registry().values():
        newest[model.event_name()] = max(newest.get(model.event_name(), 0), model.version)
    for event_type, model in registry().items():
        upcast_type, _ = upcast(event_type, {})
        assert model_for(upcast_type).version == newest[model.event_name()], event_type
    for name, version in registered():
        assert any(m.event_name() == name and m.version == version for m in registry().values())


@pytest.mark.parametrize(
    "model", [m for m in registry().values() if m.service != "intake"], ids=str
)
def test_every_case_event_carries_the_case_id(model: type[DomainEvent]) -> None:
    assert model.model_fields["case_id"].annotation is UUID
    assert model.model_fields["case_id"].is_required()


def test_every_class_in_the_contract_has_a_docstring() -> None:
    for module in EVENT_MODULES:
        for name, value in vars(module).items():
            is_ours = inspect.isclass(value) and value.__module__ == module.__name__
            if is_ours and issubclass(value, BaseModel | Enum):
                assert (value.__doc__ or "").strip(), f"{module.__name__}.{name}"


def _annotations(annotation: Any) -> list[Any]:
    return [annotation, *(a for arg in get_args(annotation) for a in _annotations(arg))]


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for field in model.model_fields.values():
        for annotation in _annotations(field.annotation):
            if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
                found += _models(annotation)
    return found


@pytest.mark.parametrize("model", list(registry().values()), ids=str)
def test_timestamps_are_timezone_aware(model: type[DomainEvent]) -> None:
    for part in _models(model):
        for name, field in part.model_fields.items():
            assert datetime not in _annotations(field.annotation), f"{part.__name__}.{name}"


# --- reading events back -------------------------------------------------------------


def test_there_is_an_example_of_every_event_type() -> None:
    assert sorted(EXAMPLES) == event_types()


@pytest.mark.parametrize("event_type", event_types())
def test_every_event_type_round_trips_through_parse_event(event_type: str) -> None:
    event = EXAMPLES[event_type]
    wire = json.loads(json.dumps(event.model_dump(mode="json")))
    parsed = parse_event(event_type, wire)
    if _current(event_type):
        assert parsed == event
        assert parsed.model_dump(mode="json") == wire
    else:
        assert parsed.event_type() == upcast(event_type, wire)[0]


def test_events_are_frozen() -> None:
    event = EXAMPLES["hearth.cases.CaseClosed.v1"]
    assert isinstance(event, cases.CaseClosed)
    with pytest.raises(ValidationError):
        event.reason = case_values.ClosureReason.OTHER  # type: ignore[misc]


def test_an_unknown_event_type_is_refused() -> None:
    with pytest.raises(KeyError, match=r"hearth\.cases\.CaseExploded\.v1"):
        parse_event("hearth.cases.CaseExploded.v1", {})


def test_an_unknown_field_is_refused() -> None:
    wire = EXAMPLES["hearth.cases.ContactOverdue.v1"].model_dump(mode="json")
    with pytest.raises(InvalidEvent, match="surname"):
        parse_event("hearth.cases.ContactOverdue.v1", {**wire, "surname": "Example"})


def test_an_invalid_payload_names_the_field_but_not_the_personal_value() -> None:
    wire = EXAMPLES["hearth.intake.ReportReceived.v1"].model_dump(mode="json")
    secret = "Very Secret Name " * 20
    wire["survivor"]["name"] = secret
    with pytest.raises(InvalidEvent) as caught:
        parse_event("hearth.intake.ReportReceived.v1", wire)
    assert "survivor.name" in str(caught.value)
    assert "Very Secret" not in str(caught.value)
    assert caught.value.__cause__ is None


def test_naive_timestamps_are_refused() -> None:
    wire = EXAMPLES["hearth.cases.ContactOverdue.v1"].model_dump(mode="json")
    wire["due_at"] = "2025-03-10T16:30:00"
    with pytest.raises(InvalidEvent, match="due_at"):
        parse_event("hearth.cases.ContactOverdue.v1", wire)


# --- domain rules the models hold ----------------------------------------------------


def _rejects(event_type: str, match: str, **changes: Any) -> None:
    wire = EXAMPLES[event_type].model_dump(mode="json")
    with pytest.raises(ValidationError, match=match):
        model_for(event_type).model_validate({**wire, **changes})


def test_an_anonymous_reporter_leaves_no_name() -> None:
    reporter = {"kind": "anonymous", "name": "Pat Neighbour"}
    _rejects("hearth.intake.ReportReceived.v1", "anonymous", reporter=reporter)


def test_a_third_party_reporter_says_how_they_know_the_survivor() -> None:
    _rejects("hearth.intake.ReportReceived.v1", "relationship", reporter={"kind": "third_party"})


def test_abuse_types_do_not_repeat() -> None:
    types = ["physical", "physical"]
    _rejects("hearth.intake.ReportReceived.v1", "repeat", abuse_types=types)


def test_late_must_agree_with_the_deadline() -> None:
    _rejects("hearth.cases.SurvivorContacted.v1", "late", late=False)


def test_professional_judgement_never_lowers_the_level() -> None:
    judgement = {"raised_to": "medium", "reason": "Seems calmer."}
    _rejects("hearth.risk.DashCompleted.v2", "only raise", professional_judgement=judgement)


def test_the_yes_count_must_match_the_answers() -> None:
    _rejects("hearth.risk.DashCompleted.v2", "yes_count", yes_count=3)


def test_answers_stay_within_the_question_set() -> None:
    _rejects("hearth.risk.DashCompleted.v2", "question_count", question_count=20)


def test_acting_against_the_survivors_wishes_needs_an_override() -> None:
    _rejects("hearth.cases.PerpetratorActionTaken.v1", "override", override=None)


def test_acting_without_the_survivors_agreement_needs_an_override() -> None:
    _rejects(
        "hearth.cases.PerpetratorActionTaken.v1",
        "override",
        override=None,
        against_survivor_wishes=False,
        survivor_agreed=False,
    )


def test_consent_based_sharing_names_the_consent() -> None:
    _rejects("hearth.referrals.ReferralMade.v1", "consent_id", consent_id=None)


def test_safeguarding_sharing_records_why() -> None:
    _rejects(
        "hearth.referrals.ReferralMade.v1",
        "safeguarding_reason",
        sharing_basis="safeguarding_child",
        consent_id=None,
    )


def test_a_marac_referral_is_not_a_referral_made() -> None:
    _rejects("hearth.referrals.ReferralMade.v1", "MaracReferred", referral_type="marac")


def test_a_survivor_not_told_of_a_marac_referral_has_a_reason_recorded() -> None:
    _rejects("hearth.referrals.MaracReferred.v1", "not_informed", survivor_informed=False)


def test_a_phone_number_belongs_only_to_a_call_or_text() -> None:
    _rejects("hearth.cases.ContactAttempted.v1", "phone_number", method="letter")
    _rejects("hearth.cases.SurvivorContacted.v1", "phone_number", method="visit")


def test_someone_spoken_to_belongs_only_to_an_attempt_someone_else_answered() -> None:
    _rejects("hearth.cases.ContactAttempted.v1", "spoke_to", outcome="no_answer")
    left = EXAMPLES["hearth.cases.ContactAttempted.v1"].model_dump(mode="json")
    assert cases.ContactAttempted.model_validate({**left, "outcome": "message_left"}).spoke_to


def test_safe_contact_by_phone_needs_a_safe_number() -> None:
    with pytest.raises(ValidationError, match="safe_phone_numbers"):
        common.SafeContact(
            safe_to_call=True,
            safe_to_text=False,
            safe_to_email=False,
            safe_to_write=False,
            safe_to_visit=False,
            withheld_number_only=True,
            never_leave_voicemail=True,
            interpreter_needed=False,
        )


def test_an_interpreter_needs_a_language() -> None:
    wire = EXAMPLES["hearth.cases.SafeContactUpdated.v1"].model_dump(mode="json")
    wire["safe_contact"]["interpreter_needed"] = True
    with pytest.raises(ValidationError, match="interpreter_language"):
        cases.SafeContactUpdated.model_validate(wire)


def test_a_safe_time_window_ends_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="end after"):
        common.SafeTimeWindow(day=common.Weekday.MONDAY, start=time(11), end=time(9))


def test_late_is_judged_by_when_the_contact_happened() -> None:
    _rejects("hearth.cases.SurvivorContacted.v1", "late", happened_at="2025-03-07T16:00:00Z")


def test_only_an_in_person_contact_has_a_place() -> None:
    _rejects("hearth.cases.SurvivorContacted.v1", "place", place="office")
    _rejects("hearth.cases.ContactAttempted.v1", "place", place="survivor_home")


def test_a_message_left_outcome_left_a_message() -> None:
    _rejects(
        "hearth.cases.ContactAttempted.v1",
        "message_left",
        outcome="message_left",
        message_left=False,
    )


def test_unconfirmed_arrangements_say_why() -> None:
    _rejects("hearth.cases.SafeContactUpdated.v1", "unconfirmed_because", unconfirmed_because=None)
    _rejects("hearth.cases.SafeContactUpdated.v1", "unconfirmed_because", survivors_own=True)


def test_only_a_reply_makes_a_text_email_or_letter_contact() -> None:
    _rejects("hearth.cases.SurvivorContacted.v1", "survivor_replied", survivor_replied=True)
    letter = {"method": "letter", "phone_number": None, "number_withheld": None}
    _rejects("hearth.cases.SurvivorContacted.v1", "attempt", survivor_replied=False, **letter)
