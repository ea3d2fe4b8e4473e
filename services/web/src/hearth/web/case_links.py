"""Which forms the case page links to, and where: pure, from the services' answers.

A case-level form is linked under "Record something" when it applies to the case as it
is (a closure decision only while a closure request waits, reopening only on a closed
case, ...); an item-level form (`repairs/{repair_id}/completion`, ...) is linked beside
its item, only while it applies to that item (an open repair, an active flag, a referral
awaiting an answer, ...). Every link is only for a role the form's catalogue entry
allows (`Form.roles`, the roles the API allows): a link never leads to a 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from hearth.contracts.envelope import Role
from hearth.web.forms.catalogue import BY_SLUG

Link = tuple[str, str]
"""(the path after `/cases/{case_id}/`, the link's words)."""

OPEN_GROUPS: Final[tuple[tuple[str, tuple[Link, ...]], ...]] = (
    (
        "Contact",
        (
            ("contact-attempt", "Record a contact attempt"),
            ("contact", "Record a contact"),
            ("safe-contact", "Update safe-contact arrangements"),
        ),
    ),
    (
        "People and safety",
        (
            ("person", "Update people"),
            ("flag", "Raise a flag"),
            ("wish", "Record the survivor's wishes"),
            ("repair", "Raise an emergency repair"),
            ("security-measure", "Request security work"),
            ("perpetrator-action", "Take action about the perpetrator"),
        ),
    ),
    (
        "Risk and referrals",
        (
            ("dash", "Record a DASH risk assessment"),
            ("dash-declined", "The survivor declined the DASH"),
            ("dash-elsewhere", "Risk assessed by another agency"),
            ("referral", "Make a referral"),
            ("consent", "Record consent"),
            ("marac-referral", "Refer to MARAC"),
            ("incident", "Record an incident"),
        ),
    ),
    (
        "The case",
        (
            ("review", "Record a case review"),
            ("closure-request", "Request closure"),
            ("closure-decision", "Decide on the closure request"),
            ("case-manager", "Change the case manager"),
            ("restriction", "Restrict the case"),
            ("restriction-lifting", "Lift the restriction"),
        ),
    ),
)
"""The case-level forms of an open case, in the page's order (each kept only when it
applies: see `_applies`)."""

CLOSED_GROUPS: Final[tuple[tuple[str, tuple[Link, ...]], ...]] = (
    (
        "The case",
        (
            ("reopening", "Reopen the case"),
            ("erasure-request", "Ask to erase personal data"),
            ("restriction-lifting", "Lift the restriction"),
        ),
    ),
)

OPEN_DEADLINE: Final = frozenset({"due", "overdue"})


def may_use(slug: str, role: Role) -> bool:
    """True when the catalogue's form for `slug` allows this role."""
    form = BY_SLUG.get(slug)
    return form is not None and role in form.roles


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value or () if isinstance(v, Mapping)]


def pending_erasure(case: Mapping[str, Any]) -> str | None:
    """The erasure request still waiting for a manager, from the case's timeline: an
    `ErasureRequested` neither declined nor carried out since."""
    waiting: str | None = None
    for entry in _list(case.get("timeline")):
        data = entry.get("data") or {}
        request_id = data.get("request_id") if isinstance(data, Mapping) else None
        event = entry.get("event")
        if event == "ErasureRequested":
            waiting = str(request_id) if request_id else None
        elif event in ("ErasureRequestDeclined", "CaseErased") and (
            request_id is None or str(request_id) == waiting
        ):
            waiting = None
    return waiting


def dash_due(case: Mapping[str, Any]) -> bool:
    """The first DASH is still due (or overdue) on the case."""
    return any(
        d.get("kind") == "dash" and d.get("status") in OPEN_DEADLINE
        for d in _list(case.get("deadlines"))
    )


def _applies(slug: str, case: Mapping[str, Any]) -> bool:
    closure = case.get("closure") or {}
    if slug == "closure-decision":
        return bool(closure.get("requested"))
    if slug == "closure-request":
        return not closure.get("requested")
    if slug == "restriction":
        return not case.get("restriction")
    if slug == "restriction-lifting":
        return bool(case.get("restriction"))
    if slug in ("dash-declined", "dash-elsewhere"):
        return dash_due(case)
    if slug == "erasure-request":
        return pending_erasure(case) is None
    return True


@dataclass(frozen=True)
class CaseLinks:
    """The case page's links: case-level `groups`, and `items` beside each item, keyed
    by the item's id (repair, security request, flag, referral, consent, MARAC referral,
    MARAC action, erasure request: ids are UUIDs, never shared between items)."""

    groups: list[tuple[str, list[Link]]] = field(default_factory=list)
    items: dict[str, list[Link]] = field(default_factory=dict)
    erasure_request_id: str | None = None

    def of(self, item_id: object) -> list[Link]:
        return self.items.get(str(item_id), [])

    def every(self) -> list[str]:
        """Every path linked (after `/cases/{case_id}/`), for tests and checks."""
        paths = [slug for _, links in self.groups for slug, _ in links]
        return paths + [path for links in self.items.values() for path, _ in links]


Wanted = tuple[str, Mapping[str, object], str]
"""(the catalogue's slug, its path parameters' values, the link's words)."""


def _item_links(role: Role, wanted: Iterable[Wanted]) -> list[Link]:
    """The links to the forms the role may use, with their ids in the path."""
    out: list[Link] = []
    for slug, params, label in wanted:
        if may_use(slug, role) and all(params.values()):
            out.append((slug.format(**{k: str(v) for k, v in params.items()}), label))
    return out


def case_links(
    case: Mapping[str, Any],
    referrals: Mapping[str, Any] | None,
    role: Role,
) -> CaseLinks:
    """The links the case page shows this role, for the case as the services see it."""
    status = case.get("status")
    if status == "open":
        chosen: Sequence[tuple[str, tuple[Link, ...]]] = OPEN_GROUPS
    elif status == "closed":
        chosen = CLOSED_GROUPS
    else:
        chosen = ()  # erased, or a state this page does not know: nothing to record
    groups = [
        (group, [(s, label) for s, label in links if may_use(s, role) and _applies(s, case)])
        for group, links in chosen
    ]
    links = CaseLinks(groups=[(g, ls) for g, ls in groups if ls])
    if status != "open" and status != "closed":
        return links
    items = links.items

    def add(item_id: object, wanted: Iterable[Wanted]) -> None:
        found = _item_links(role, wanted)
        if item_id and found:
            items.setdefault(str(item_id), []).extend(found)

    waiting = pending_erasure(case)
    if waiting is not None:
        add(
            waiting,
            (
                (
                    "erasure-requests/{request_id}/approval",
                    {"request_id": waiting},
                    "Approve erasure",
                ),
                (
                    "erasure-requests/{request_id}/decline",
                    {"request_id": waiting},
                    "Decline erasure",
                ),
            ),
        )
    if status != "open":
        return CaseLinks(links.groups, items, waiting)

    for repair in _list(case.get("emergency_repairs")):
        if not repair.get("completion"):
            repair_id = repair.get("repair_id")
            add(
                repair_id,
                (
                    (
                        "repairs/{repair_id}/completion",
                        {"repair_id": repair_id},
                        "Record the repair completed",
                    ),
                ),
            )
    for work in _list(case.get("security_measures")):
        fitted = {m for i in _list(work.get("installations")) for m in i.get("measures") or ()}
        if not set(work.get("measures") or ()) <= fitted:
            request_id = work.get("request_id")
            add(
                request_id,
                (
                    (
                        "security-measures/{request_id}/installation",
                        {"request_id": request_id},
                        "Record security work fitted",
                    ),
                ),
            )
    for flag in _list(case.get("flags")):
        if flag.get("active"):
            flag_id = flag.get("flag_id")
            add(flag_id, (("flags/{flag_id}/removal", {"flag_id": flag_id}, "Remove this flag"),))
    _referral_links(referrals or {}, add)
    return CaseLinks(links.groups, items, waiting)


def _referral_links(
    referrals: Mapping[str, Any], add: Callable[[object, Iterable[Wanted]], None]
) -> None:
    for referral in _list(referrals.get("referrals")):
        state = referral.get("status")
        ids = {"referral_id": referral.get("referral_id")}
        wanted: list[Wanted] = []
        if state == "made":
            wanted += [
                ("referrals/{referral_id}/acceptance", ids, "Record it accepted"),
                ("referrals/{referral_id}/decline", ids, "Record it declined"),
            ]
        if state in ("made", "accepted", "declined"):
            wanted.append(("referrals/{referral_id}/closure", ids, "Close the referral"))
        add(ids["referral_id"], wanted)
    for consent in _list(referrals.get("consents")):
        scope = set(consent.get("scope") or ())
        if consent.get("given") and not scope <= set(consent.get("withdrawn") or ()):
            ids = {"consent_id": consent.get("consent_id")}
            add(
                ids["consent_id"],
                (("consents/{consent_id}/withdrawal", ids, "Record a withdrawal"),),
            )
    for marac in _list(referrals.get("marac_referrals")):
        ids = {"referral_id": marac.get("referral_id")}
        wanted = []
        if marac.get("status") != "completed":
            wanted.append(("marac-referrals/{referral_id}/listing", ids, "Record a listing"))
        if marac.get("next_meeting_date"):
            wanted.append(("marac-referrals/{referral_id}/hearing", ids, "Record the hearing"))
        add(ids["referral_id"], wanted)
        for action in _list(marac.get("actions")):
            if action.get("completed_at"):
                continue
            both = {**ids, "action_id": action.get("action_id")}
            add(
                both["action_id"],
                (
                    (
                        "marac-referrals/{referral_id}/actions/{action_id}/completion",
                        both,
                        "Record the action completed",
                    ),
                ),
            )
