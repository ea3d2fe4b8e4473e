"""The MARAC referral as the printable document a MARAC coordinator receives: HTML with
a print stylesheet, filled from what is known of the case and the referral itself.

How to contact the survivor safely comes first. The alleged perpetrator is named and
described, but no contact detail of theirs is shown: nothing in the document is a way
to reach anyone but through the survivor's safe arrangements. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from html import escape

from hearth.contracts.events.common import MaracCriterion, SafeContact
from hearth.contracts.events.referrals import MaracReferred
from hearth.referrals.domain.known import KnownAssessment, KnownCase

_CRITERIA = {
    MaracCriterion.VISIBLE_HIGH_RISK: "Visible high risk (the risk checklist's threshold)",
    MaracCriterion.PROFESSIONAL_JUDGEMENT: "Professional judgement",
    MaracCriterion.POTENTIAL_ESCALATION: "Potential escalation (incidents in the last 12 months)",
    MaracCriterion.REPEAT: "Repeat (a new incident within 12 months of the last MARAC referral)",
}

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #000; margin: 2em; }
h1 { font-size: 16pt; margin-bottom: 0.2em; }
h2 { font-size: 13pt; border-bottom: 1px solid #000; margin-top: 1.4em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #555; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
.safe { border: 3px solid #000; padding: 0.6em 1em; margin: 1em 0; }
.warning { font-weight: bold; }
.meta { color: #333; }
@page { size: A4; margin: 15mm; }
@media print {
  body { margin: 0; }
  h2 { page-break-after: avoid; }
  table, .safe { page-break-inside: avoid; }
  a { color: #000; text-decoration: none; }
}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _yes_no(value: bool | None) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


def _when(value: datetime | date | None) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, datetime):
        return value.strftime("%d %B %Y %H:%M %Z").strip()
    return value.strftime("%d %B %Y")


def _rows(pairs: Iterable[tuple[str, object]]) -> str:
    return "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)


def _safe_contact(safe: SafeContact | None) -> str:
    if safe is None:
        return (
            '<div class="safe"><h2>How to contact the survivor safely</h2>'
            '<p class="warning">No safe contact arrangements are recorded. Do not contact '
            "the survivor before speaking to the referring caseworker.</p></div>"
        )
    ways = [
        name
        for name, ok in (
            ("call", safe.safe_to_call),
            ("text", safe.safe_to_text),
            ("email", safe.safe_to_email),
            ("write", safe.safe_to_write),
            ("visit", safe.safe_to_visit),
        )
        if ok
    ]
    pairs: list[tuple[str, object]] = [
        ("Safe to", ", ".join(ways) or "none: contact through the referring caseworker only"),
    ]
    if safe.safe_phone_numbers:
        pairs.append(("Safe phone numbers", ", ".join(safe.safe_phone_numbers)))
    if safe.safe_email:
        pairs.append(("Safe email", safe.safe_email))
    if safe.safe_postal_address:
        address = ", ".join(safe.safe_postal_address.lines)
        if safe.safe_postal_address.postcode:
            address += f", {safe.safe_postal_address.postcode}"
        pairs.append(("Safe postal address", address))
    if safe.safe_times:
        times = "; ".join(
            f"{w.day.value} {w.start.strftime('%H:%M')}-{w.end.strftime('%H:%M')}"
            for w in safe.safe_times
        )
        pairs.append(("Safe times", times))
    pairs += [
        ("Withheld number only", _yes_no(safe.withheld_number_only)),
        ("Never leave voicemail", _yes_no(safe.never_leave_voicemail)),
        ("Interpreter needed", _yes_no(safe.interpreter_needed)),
    ]
    if safe.interpreter_language:
        pairs.append(("Interpreter language", safe.interpreter_language))
    if safe.safe_people_to_speak_to:
        pairs.append(("Safe people to speak to", ", ".join(safe.safe_people_to_speak_to)))
    if safe.notes:
        pairs.append(("Notes", safe.notes))
    return (
        '<div class="safe"><h2>How to contact the survivor safely</h2>'
        f"<table>{_rows(pairs)}</table></div>"
    )


def _assessment(assessment: KnownAssessment | None, referred: MaracReferred) -> str:
    if assessment is None:
        return "<h2>Risk assessment</h2><p>No risk checklist is recorded.</p>"
    note = ""
    if referred.assessment_id is not None and referred.assessment_id != assessment.assessment_id:
        note = '<p class="warning">A later risk checklist than the one referred is shown.</p>'
    judgement = assessment.professional_judgement
    pairs: list[tuple[str, object]] = [
        ("Checklist", assessment.question_set_id),
        ("Completed", _when(assessment.completed_at)),
        ("Score", f"{assessment.score} ({assessment.yes_count} yes)"),
        ("Answered", f"{len(assessment.answers)} of {assessment.question_count} questions"),
        ("Don't know", assessment.dont_know_count),
        ("Scored level", assessment.scored_level.value),
        ("Risk level", assessment.risk_level.value),
    ]
    if judgement is not None:
        pairs.append(
            ("Professional judgement", f"raised to {judgement.raised_to.value}: {judgement.reason}")
        )
    # Each question as risk published it with the answer; assessments published before
    # risk sent the wording show the question's number only.
    worded = any(a.wording for a in assessment.answers)
    answers = "".join(
        "<tr>"
        f"<td>{_e(a.question)}</td>"
        + (f"<td>{_e(a.wording or '')}</td>" if worded else "")
        + f"<td>{_e(a.answer.value.replace('_', ' '))}</td>"
        f"<td>{_e(a.source.value.replace('_', ' ') if a.source else 'survivor')}</td>"
        f"<td>{_e(a.comment or '')}</td>"
        "</tr>"
        for a in sorted(assessment.answers, key=lambda a: a.question)
    )
    question = "<th>No.</th><th>Question</th>" if worded else "<th>Question</th>"
    return (
        f"<h2>Risk assessment</h2>{note}<table>{_rows(pairs)}</table>"
        f"<h3>Answers</h3><table><thead><tr>{question}<th>Answer</th>"
        f"<th>Source</th><th>Comment</th></tr></thead><tbody>{answers}</tbody></table>"
    )


def _people(known: KnownCase) -> str:
    survivor = known.survivor
    parts = ["<h2>Survivor</h2>"]
    if survivor is None:
        parts.append("<p>Not yet identified.</p>")
    else:
        parts.append(
            "<table>"
            + _rows(
                [
                    ("Name", survivor.name or "not given"),
                    ("Date of birth", _when(survivor.date_of_birth)),
                    ("Gender", survivor.gender.value if survivor.gender else "not recorded"),
                ]
            )
            + "</table>"
        )
    parts.append("<h2>Children</h2>")
    if not known.children:
        parts.append("<p>None recorded.</p>")
    else:
        rows = "".join(
            "<tr>"
            f"<td>{_e(c.name or 'not given')}</td>"
            f"<td>{_e(_when(c.date_of_birth) if c.date_of_birth else (c.age_band.value if c.age_band else 'not recorded'))}</td>"  # noqa: E501
            f"<td>{_e(_yes_no(c.lives_in_household))}</td>"
            f"<td>{_e(_yes_no(c.affected_by_abuse))}</td>"
            "</tr>"
            for c in known.children
        )
        parts.append(
            "<table><thead><tr><th>Name</th><th>Date of birth or age</th>"
            "<th>Lives in the household</th><th>Affected by the abuse</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    parts.append("<h2>Alleged perpetrator(s)</h2>")
    if not known.perpetrators:
        parts.append("<p>None recorded.</p>")
    else:
        rows = "".join(
            "<tr>"
            f"<td>{_e(p.name or 'not given')}</td>"
            f"<td>{_e(_when(p.date_of_birth) if p.date_of_birth else 'not recorded')}</td>"
            f"<td>{_e(p.relationship_to_survivor.value.replace('_', ' '))}</td>"
            f"<td>{_e(_yes_no(p.lives_with_survivor))}</td>"
            "</tr>"
            for p in known.perpetrators
        )
        parts.append(
            '<p class="warning">No contact details of the alleged perpetrator are given: '
            "nothing about this referral is ever addressed to them.</p>"
            "<table><thead><tr><th>Name</th><th>Date of birth</th><th>Relationship</th>"
            f"<th>Lives with the survivor</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def render(referred: MaracReferred, known: KnownCase) -> str:
    """The referral document, escaped throughout."""
    criteria = "".join(f"<li>{_e(_CRITERIA[c])}</li>" for c in referred.criteria)
    referral: list[tuple[str, object]] = [
        ("MARAC", referred.marac_area),
        ("Referred", _when(referred.referred_at)),
        ("Referral id", referred.referral_id),
        ("Case id", referred.case_id),
        ("Incidents in the last 12 months", referred.incidents_in_last_12_months or 0),
        ("Survivor told of the referral", _yes_no(referred.survivor_informed)),
    ]
    if not referred.survivor_informed:
        referral.append(("Why not", referred.survivor_not_informed_reason or ""))
    referral.append(("Survivor consented", _yes_no(referred.survivor_consented)))
    if referred.previous_marac_referral_id:
        referral.append(("Repeat of referral", referred.previous_marac_referral_id))
    shared = ", ".join(i.value.replace("_", " ") for i in referred.information_shared)
    referral.append(("Information shared", shared))
    summary = (
        f"<h2>Risk summary</h2><p>{_e(referred.risk_summary)}</p>".replace("\n", "<br>")
        if referred.risk_summary
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="robots" content="noindex">'
        f"<title>MARAC referral {_e(referred.referral_id)}</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Referral to MARAC</h1>"
        '<p class="meta">OFFICIAL-SENSITIVE. Shared under the MARAC information-sharing '
        "protocol. Do not share with the alleged perpetrator.</p>"
        f"{_safe_contact(known.safe_contact)}"
        f"<h2>Referral</h2><table>{_rows(referral)}</table>"
        f"<h2>MARAC criteria met</h2><ul>{criteria}</ul>"
        f"{_people(known)}"
        f"{_assessment(known.assessment, referred)}"
        f"{summary}"
        "</body></html>\n"
    )
