"""Every command the cases, risk and referrals APIs accept has a form, for the same
roles, and a filled form is a body the API's own request model accepts."""

from __future__ import annotations

import inspect
import typing
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

import hearth.cases.domain as cases_domain
import hearth.referrals.domain as referrals_domain
import hearth.risk.domain as risk_domain
from hearth.cases.service import SPEC as CASES_SPEC
from hearth.contracts.envelope import Role
from hearth.referrals.service import SPEC as REFERRALS_SPEC
from hearth.risk.service import SPEC as RISK_SPEC
from hearth.risk.settings import load_config as load_risk_config
from hearth.risk.views import instrument_view
from hearth.web.case_links import CLOSED_GROUPS, OPEN_GROUPS
from hearth.web.forms.body import build_body, field_for
from hearth.web.forms.catalogue import BY_SLUG, CONTACT_REFUSALS, DASH, FORMS
from hearth.web.forms.dash import dash_form, questions
from hearth.web.forms.fields import Field, Form, FormValue, Kind

SPECS = {"cases": CASES_SPEC, "risk": RISK_SPEC, "referrals": REFERRALS_SPEC}


def post_routes() -> Iterator[tuple[str, APIRoute]]:
    for service, spec in SPECS.items():
        for router in spec.routers:
            for route in router.routes:
                if isinstance(route, APIRoute) and "POST" in route.methods:
                    yield service, route


ROUTES = {(service, route.path): route for service, route in post_routes()}


def allowed_roles(route: APIRoute) -> frozenset[Role]:
    for dependency in route.dependant.dependencies:
        call = dependency.call
        if call is not None and "require_actor" in getattr(call, "__qualname__", ""):
            allowed = inspect.getclosurevars(call).nonlocals["allowed"]
            return frozenset(allowed)
    raise AssertionError(f"{route.path}: no role check found")


def request_model(route: APIRoute) -> type[BaseModel] | None:
    hints = typing.get_type_hints(route.endpoint)
    model = hints.get("body")
    assert model is None or issubclass(model, BaseModel)
    return model


def dash_instrument() -> dict[str, Any]:
    catalogue = load_risk_config().rules.catalogue
    return instrument_view(catalogue.instruments[catalogue.default_id], catalogue)


def the_form(form: Form) -> Form:
    return dash_form(dash_instrument()) if form is DASH else form


def test_every_command_the_apis_accept_has_a_form() -> None:
    forms = {(f.service, f.api_path) for f in FORMS}
    assert len(ROUTES) > 30
    assert set(ROUTES) - forms == set(), "commands without a form"
    assert forms - set(ROUTES) == set(), "forms for no command"


def test_slugs_are_unique_and_carry_the_apis_ids() -> None:
    assert len(BY_SLUG) == len(FORMS)
    for form in FORMS:
        for param in form.path_params:
            assert f"{{{param}}}" in form.api_path, form.slug


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.slug)
def test_a_form_is_offered_to_the_roles_its_api_allows(form: Form) -> None:
    assert form.roles == allowed_roles(ROUTES[(form.service, form.api_path)])


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.slug)
def test_every_field_of_a_form_is_in_its_apis_body(form: Form) -> None:
    model = request_model(ROUTES[(form.service, form.api_path)])
    form = the_form(form)
    assert form.has_body == (model is not None)
    if model is None:
        return
    properties = model.model_json_schema()["properties"]
    for item in form.items():
        top = item.api_path.split(".")[0]
        assert top in properties, f"{form.slug}: {item.api_path} is not in {model.__name__}"


# --- a filled form is a body the API accepts ----------------------------------------------

SAMPLES = {
    "phone": "07700 900123",
    "phone_number": "07700 900123",
    "safe_phone_numbers": "07700 900123\n07700 900456",
    "email": "someone@example.org",
    "safe_email": "someone@example.org",
    "staff_id": "cm-1",
    "approved_by": "mgr-1",
    "owner_staff_id": "cm-2",
    "permitted_staff_ids": "cm-1\ncm-2",
    "question_set_id": "dash-ric-24",
    "postcode": "ME14 1XX",
    "person_id": str(uuid.uuid4()),
}


def sample(one: Field, *, full: bool) -> FormValue | None:
    """A value a member of staff could give; with `full` false, required fields only."""
    if not (full or one.required):
        return None
    key = one.name.rsplit(".", 1)[-1]
    if key in SAMPLES:
        return SAMPLES[key]
    return {
        Kind.TEXT: "Kent and Medway",
        Kind.TEXTAREA: "What was said,\nin two lines.",
        Kind.DATE: "2026-11-30",
        Kind.DATETIME: "2026-11-30T10:30",
        Kind.NUMBER: "12",
        Kind.SELECT: one.choices[0][0] if one.choices else "",
        Kind.RADIO: one.choices[0][0] if one.choices else "",
        Kind.YES_NO: "yes" if full else "no",
        Kind.CHECKBOX: "on",
        Kind.CHECKBOXES: [value for value, _ in one.choices[:2]],
        Kind.LINES: "First line\nSecond line",
        Kind.SAFE_TIMES: "Monday 09:00-12:00\ntue 13.30 to 15:00",
        Kind.PERSON: str(uuid.uuid4()),
        Kind.HIDDEN: None,
    }[one.kind]


def filled(form: Form, *, full: bool) -> dict[str, FormValue]:
    values: dict[str, FormValue] = {}
    for one in form.fields():
        value = sample(one, full=full)
        if value is not None:
            values[one.name] = value
    for group in form.groups():
        for row in range(2 if full else 1):
            for one in group.fields:
                value = sample(one, full=full)
                if value is not None:
                    values[group.field_name(row, one)] = value
    return values


@pytest.mark.parametrize("full", [True, False], ids=["every-field", "required-only"])
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.slug)
def test_a_filled_form_is_a_body_the_api_accepts(form: Form, full: bool) -> None:
    model = request_model(ROUTES[(form.service, form.api_path)])
    form = the_form(form)
    built, errors = build_body(form, filled(form, full=full))
    assert not errors, errors
    if model is None:
        assert built.body == {}
        return
    model.model_validate(built.body)


def test_the_dash_form_asks_every_question_of_the_instrument_in_its_words() -> None:
    instrument = dash_instrument()
    form = dash_form(instrument)
    radios = [f for f in form.fields() if f.kind is Kind.RADIO]
    assert len(radios) == instrument["question_count"] == len(instrument["questions"])
    for radio, question in zip(radios, instrument["questions"], strict=True):
        assert question["text"] in radio.label
        assert [v for v, _ in radio.choices] == instrument["answer_options"]
    assert len(questions(instrument)) == instrument["question_count"]


def test_a_dash_with_a_question_unanswered_is_not_sent_and_names_the_question() -> None:
    instrument = dash_instrument()
    form = dash_form(instrument)
    values = filled(form, full=False)
    last = instrument["questions"][-1]["number"]
    del values[f"q{last}"]
    _, errors = build_body(form, values)
    assert list(errors.fields) == [f"q{last}"]


def test_a_dash_answers_every_question_by_its_number() -> None:
    instrument = dash_instrument()
    form = dash_form(instrument)
    values = filled(form, full=False)
    built, _ = build_body(form, values)
    numbers = [a["question"] for a in built.body["answers"]]
    assert numbers == [q["number"] for q in instrument["questions"]]
    # The API names an answer by its place in the list: it comes back to that question.
    third = instrument["questions"][2]["number"]
    assert field_for(built, "answers.2.answer") == f"q{third}"
    assert field_for(built, "answers.2.question") == f"q{third}"
    assert field_for(built, "answers") is None


@pytest.mark.parametrize(
    ("slug", "bad", "loc_field"),
    [
        ("contact-attempt", {"phone_number": "not a number"}, "phone_number"),
        (
            "safe-contact",
            {"safe_phone_numbers": "07700 900123\nnot a number"},
            "safe_phone_numbers",
        ),
        ("contact", {"safe_contact.safe_email": "no at sign"}, "safe_contact.safe_email"),
        ("person", {"survivor.phone": "xyz"}, "survivor.phone"),
        ("person", {"alleged_perpetrators.1.email": "no at sign"}, "alleged_perpetrators.1.email"),
        ("restriction", {"permitted_staff_ids": "cm-1\nnot a staff id!"}, "permitted_staff_ids"),
    ],
)
def test_the_apis_refusal_of_a_value_comes_back_to_its_field(
    slug: str, bad: dict[str, str], loc_field: str
) -> None:
    form = BY_SLUG[slug]
    model = request_model(ROUTES[(form.service, form.api_path)])
    assert model is not None
    values = {**filled(form, full=True), **bad}
    built, errors = build_body(form, values)
    assert not errors
    with pytest.raises(ValidationError) as refused:
        model.model_validate(built.body)
    names = {field_for(built, ".".join(str(p) for p in e["loc"])) for e in refused.value.errors()}
    assert names == {loc_field}


def test_every_form_the_case_page_links_to_is_served() -> None:
    linked = {slug for _, items in (*OPEN_GROUPS, *CLOSED_GROUPS) for slug, _ in items}
    assert linked - set(BY_SLUG) == set()


@pytest.mark.parametrize("form", [f for f in FORMS if f.refusal_fields], ids=lambda f: f.slug)
def test_a_rules_refusal_is_placed_by_a_code_the_service_really_gives(form: Form) -> None:
    # Every code mapped is one the form's service raises (`code="..."` in its domain).
    package = {"cases": cases_domain, "risk": risk_domain, "referrals": referrals_domain}
    domain = package[form.service]
    said = " ".join(path.read_text() for path in Path(domain.__path__[0]).glob("*.py"))
    names = {one.name for one in form.fields()}
    for code, name in form.refusal_fields:
        assert f'code="{code}"' in said, f"{form.service} never refuses with {code!r}"
        # A field the form lacks only where both contact forms share one mapping.
        assert name in names or (code, name) in CONTACT_REFUSALS
    # Each mapped code is placed beside its field when the form has it, else nowhere.
    for code, name in form.refusal_fields:
        assert form.refused_field(code) == (name if name in names else None)
    assert form.refused_field("the_case_changed") is None
    assert form.refused_field(None) is None


def test_the_contact_forms_place_the_safe_contact_refusals() -> None:
    attempt, contact = BY_SLUG["contact-attempt"], BY_SLUG["contact"]
    assert attempt.refused_field("unsafe_number") == "phone_number"
    assert contact.refused_field("unsafe_channel") == "method"
    assert attempt.refused_field("unsafe_person") == "spoke_to"
    # A refusal about a field this form does not have stays at the top.
    assert contact.refused_field("unsafe_person") is None
