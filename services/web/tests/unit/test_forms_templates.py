"""Every form renders: a label for every field, errors beside their fields and in a
summary linking to them, the safe-contact arrangements first on a contact form, and
the DASH checklist question by question in the instrument's words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, PackageLoader, StrictUndefined

from hearth.risk.settings import load_config as load_risk_config
from hearth.risk.views import instrument_view
from hearth.web.forms.body import build_body
from hearth.web.forms.catalogue import CONTACT, CONTACT_ATTEMPT, DASH, FORMS, SAFE_CONTACT
from hearth.web.forms.dash import band_words, dash_form, sections_of
from hearth.web.forms.fields import Errors, Form
from hearth.web.forms.problems import group_rows

BASE = (
    "<!doctype html><html lang='en'><title>{{ title }}</title>"
    "<main>{% block content %}{% endblock %}</main></html>"
)

ENV = Environment(
    loader=ChoiceLoader(
        [DictLoader({"base.html": BASE}), PackageLoader("hearth.web", "templates")]
    ),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

CASE = {
    "case_id": "00000000-0000-0000-0000-000000000001",
    "survivor": {"person_id": "p1", "name": "Sam"},
    "alleged_perpetrators": [{"person_id": "p2", "relationship_to_survivor": "intimate_partner"}],
    "children": [],
    "safe_contact": {
        "safe_to_call": False,
        "safe_to_text": True,
        "safe_to_email": False,
        "safe_to_write": False,
        "safe_to_visit": False,
        "safe_phone_numbers": ["07700 900123"],
        "safe_times": [{"day": "monday", "start": "09:00:00", "end": "12:00:00"}],
        "withheld_number_only": True,
        "never_leave_voicemail": True,
        "interpreter_needed": False,
        "safe_people_to_speak_to": [],
    },
    "safe_contact_survivors_own": True,
    "safe_contact_unconfirmed_because": None,
}


def instrument() -> dict[str, Any]:
    catalogue = load_risk_config().rules.catalogue
    return instrument_view(catalogue.instruments[catalogue.default_id], catalogue)


def page(
    form: Form,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    refusal: str = "",
) -> str:
    context: dict[str, Any] = {}
    template = "forms/form.html"
    if form is DASH:
        found = instrument()
        form = dash_form(found)
        template = "forms/dash.html"
        context = {"instrument": found, "sections": sections_of(found), "bands": band_words(found)}
    values = values or {}
    return ENV.get_template(template).render(
        title=form.title,
        csrf_token="csrf",
        form=form,
        case=CASE,
        case_id=CASE["case_id"],
        action="/x",
        values=values,
        errors=errors or Errors(),
        refusal=refusal,
        form_token="token",
        people={"person_id": [("p1", "Survivor: Sam")]},
        rows={g.name: group_rows(g, values) for g in form.groups()},
        **context,
    )


class Inputs(HTMLParser):
    """Controls (with their ids), labels' `for`, and controls inside a fieldset with a legend."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.slug)
def test_every_control_has_a_label_and_ids_are_unique(form: Form) -> None:
    html = page(form)
    found = Inputs()
    found.feed(html)
    assert found.controls or not form.has_body
    for control in found.controls:
        assert control.get("id") in found.label_for, control
    assert len(found.ids) == len(set(found.ids))
    assert html.count("<h1>") == 1
    assert 'name="csrf_token"' in html
    assert 'name="form_token" value="token"' in html


def test_the_safe_contact_arrangements_come_first_on_a_contact_form() -> None:
    html = page(CONTACT_ATTEMPT)
    panel = html.index("Safe contact: check before you contact")
    assert panel < html.index("<form")
    assert "NOT safe" in html
    assert "Withheld number only" in html
    assert "Monday 09:00\u201312:00" in html
    assert "Safe contact: check" not in page(SAFE_CONTACT)


def test_an_error_is_beside_its_field_and_linked_from_the_summary() -> None:
    _, errors = build_body(SAFE_CONTACT, {})
    html = page(SAFE_CONTACT, errors=errors)
    assert 'href="#f-safe_to_call"' in html
    assert 'id="f-safe_to_call-error"' in html
    assert re.search(r'id="f-safe_to_call"[^>]*aria-describedby="f-safe_to_call-error"', html)
    assert "Answer: Is it safe to call?" in html


def test_a_refusal_is_shown_at_the_top_in_the_apis_words() -> None:
    html = page(
        CONTACT_ATTEMPT, values={"method": "call"}, refusal="Calls are not safe for this survivor."
    )
    assert html.index("Calls are not safe for this survivor.") < html.index("<h1>")
    assert '<option value="call" selected>' in html


def test_the_dash_asks_every_question_in_the_instruments_words() -> None:
    found = instrument()
    html = page(DASH)
    for question in found["questions"]:
        assert str(ENV.from_string("{{ t }}").render(t=question["text"])) in html
    for option in found["answer_options"]:
        assert html.count(f'value="{option}"') == found["question_count"]
    assert html.count('class="dash-question"') == found["question_count"]


def test_a_contact_asks_for_arrangements_only_until_the_survivors_own_are_recorded() -> None:
    assert 'id="section-safe-contact-part"' not in page(CONTACT)
    CASE["safe_contact_survivors_own"] = False
    try:
        assert 'id="section-safe-contact-part"' in page(CONTACT)
    finally:
        CASE["safe_contact_survivors_own"] = True
