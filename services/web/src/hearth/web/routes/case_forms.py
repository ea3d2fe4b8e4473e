"""Forms for the commands the APIs accept: `/cases/{case_id}/{command-slug}`.

One GET and one POST per form of the catalogue (`hearth.web.forms.catalogue`). GET shows
the form, starting from the case where the command replaces what is recorded (people,
safe contact), with the survivor's safe-contact arrangements first on a contact form.
POST checks the form (CSRF, origin: `checked_form`), builds the API's body, and sends
it with the form's own token as idempotency key, and once only (`forms.sent.SentForms`,
claimed in PostgreSQL: the cases, risk and referrals APIs ignore the key), so a double
submit is one command, across replicas too; success is
a 303 to the case page with a flash, a refusal the form again with the API's words next
to the field it names (422) or at the top (403, 409), answered with the API's status.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hearth.web.client import ApiRefusal
from hearth.web.deps import FormData, SignedIn, checked_form, require_role
from hearth.web.forms.body import LONDON, Built, build_body
from hearth.web.forms.catalogue import DASH, FORMS
from hearth.web.forms.dash import band_words, dash_form, sections_of
from hearth.web.forms.fields import Errors, Form, FormValue, Kind
from hearth.web.forms.problems import group_rows, place
from hearth.web.forms.sent import AlreadySent, StillSending, body_hash
from hearth.web.manager.team import closure_request, when
from hearth.web.pages import error_page, redirect_with_flash, render
from hearth.web.sessions import session_hash
from hearth.web.state import web_state

router = APIRouter()

STILL_SENDING = (
    "This form was already sent and is still being recorded. Open the case page to see "
    "whether it was recorded before sending it again."
)

NOT_FOUND = "There is nothing here, or it is not yours to see."


def _ids(request: Request, form: Form) -> dict[str, str] | None:
    """The case's and the slug's ids from the URL, each a UUID (else None: no page)."""
    ids = {}
    for name in ("case_id", *form.path_params):
        try:
            ids[name] = str(uuid.UUID(str(request.path_params.get(name, ""))))
        except ValueError:
            return None
    return ids


def _token(values: FormData) -> str:
    """The form's idempotency key as posted (a UUID the GET gave), or a new one."""
    posted = values.pop("form_token", "")
    try:
        return str(uuid.UUID(posted if isinstance(posted, str) else ""))
    except ValueError:
        return str(uuid.uuid4())


def _person_label(kind: str, person: Mapping[str, Any], n: int) -> str:
    what = {"survivor": "Survivor", "alleged_perpetrators": "Alleged perpetrator"}.get(
        kind, "Child"
    )
    name = person.get("name")
    return f"{what}: {name}" if name else f"{what} {n}"


def _people(form: Form, case: Mapping[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """For each person field, the case's people it may name (ids, with names as shown)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for one in form.fields():
        if one.kind is not Kind.PERSON:
            continue
        options: list[tuple[str, str]] = []
        for kind in one.people:
            found = case.get(kind)
            people = [found] if isinstance(found, dict) else list(found or ())
            for n, person in enumerate(people, start=1):
                if isinstance(person, dict) and person.get("person_id"):
                    options.append((str(person["person_id"]), _person_label(kind, person, n)))
        out[one.name] = options
    return out


def _now_local(request: Request) -> str:
    moment: datetime = web_state(request).now().astimezone(LONDON)
    # To the second: a contact recorded straight after the report is not "before" it.
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _starting_values(request: Request, form: Form, case: Mapping[str, Any]) -> dict[str, FormValue]:
    values: dict[str, FormValue] = form.prefill(case) if form.prefill else {}
    for one in form.fields():
        if one.kind is Kind.DATETIME and one.required:
            values.setdefault(one.name, _now_local(request))
    return values


INSTRUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
"""An instrument id as the risk API takes it in a path."""


async def _instrument(user: SignedIn, wanted: object = None) -> dict[str, Any]:
    """The instrument asked for (an id the risk service offers), else its default, in
    full (questions and options), with the instruments offered (`offered`) to choose."""
    listed = await user.client.get("risk", "/instruments")
    instruments = listed.get("instruments", [])
    offered = {i["id"] for i in instruments}
    if isinstance(wanted, str) and INSTRUMENT_ID.match(wanted) and wanted in offered:
        chosen = wanted
    else:
        chosen = next((i for i in instruments if i.get("default")), instruments[0])["id"]
    found: dict[str, Any] = await user.client.get("risk", f"/instruments/{chosen}")
    return {**found, "offered": instruments}


async def _page(
    request: Request,
    user: SignedIn,
    form: Form,
    ids: Mapping[str, str],
    *,
    values: Mapping[str, FormValue],
    errors: Errors | None = None,
    refusal: str = "",
    token: str | None = None,
    status_code: int = 200,
    case: Mapping[str, Any] | None = None,
    instrument: Mapping[str, Any] | None = None,
) -> HTMLResponse:
    if case is None:
        case = await user.client.get("cases", f"/cases/{ids['case_id']}")
    context: dict[str, Any] = {}
    if form.shows_closure_request:
        context = {"closure_request": closure_request(case), "when": when}
    template = "forms/form.html"
    if form.slug == DASH.slug:
        if instrument is None:
            instrument = await _instrument(user)
        form = dash_form(instrument)
        template = "forms/dash.html"
        context = {
            "instrument": instrument,
            "sections": sections_of(instrument),
            "bands": band_words(instrument),
        }
    return render(
        request,
        template,
        title=form.title,
        status_code=status_code,
        form=form,
        case=case,
        case_id=ids["case_id"],
        action=str(request.url.path),
        values=values,
        errors=errors or Errors(),
        refusal=refusal,
        form_token=token or str(uuid.uuid4()),
        people=_people(form, case),
        rows={g.name: group_rows(g, values) for g in form.groups()},
        **context,
    )


def _show(form: Form) -> Callable[..., Awaitable[Response]]:
    allowed = Depends(require_role(*form.roles))

    # The dependencies are defaults, not `Annotated`: the annotations are strings here,
    # read from the module's globals, where this form's roles are not.
    async def show(request: Request, user: SignedIn = allowed) -> Response:
        ids = _ids(request, form)
        if ids is None:
            return error_page(request, 404, NOT_FOUND)
        case = await user.client.get("cases", f"/cases/{ids['case_id']}")
        wanted = request.query_params.get("instrument")
        instrument = await _instrument(user, wanted) if form.slug == DASH.slug else None
        shown = dash_form(instrument) if instrument is not None else form
        values = _starting_values(request, shown, case)
        return await _page(
            request, user, shown, ids, values=values, case=case, instrument=instrument
        )

    return show


def _submit(form: Form) -> Callable[..., Awaitable[Response]]:
    allowed = Depends(require_role(*form.roles))

    async def submit(
        request: Request,
        values: Annotated[FormData, Depends(checked_form)],
        user: SignedIn = allowed,
    ) -> Response:
        ids = _ids(request, form)
        if ids is None:
            return error_page(request, 404, NOT_FOUND)
        token = _token(values)
        wanted = values.get("instrument_id")
        instrument = await _instrument(user, wanted) if form.slug == DASH.slug else None
        filled = dash_form(instrument) if instrument is not None else form
        built, errors = build_body(filled, values)

        async def again(errors: Errors, refusal: str = "", status_code: int = 422) -> Response:
            """The form again, as filled, with what is wrong: nothing was recorded."""
            return await _page(
                request,
                user,
                form,
                ids,
                values=values,
                errors=errors,
                refusal=refusal,
                token=token,
                status_code=status_code,
                instrument=instrument,
            )

        if errors:
            # Found without asking the API: nothing was sent.
            return await again(errors)
        body = built.body if form.has_body else None
        api_path = form.api_path.format(**ids)
        case_page = f"/cases/{ids['case_id']}"
        web = web_state(request)
        sent_forms = web.sent_forms_store()
        session = session_hash(request.cookies.get(web.settings.session_cookie, ""))
        form_token = uuid.UUID(token)
        claim = await sent_forms.claim(
            session, form_token, body_hash(body, f"{form.service}:{api_path}"), web.now()
        )
        if isinstance(claim, AlreadySent):
            return redirect_with_flash(request, claim.redirect_to, claim.flash)
        if isinstance(claim, StillSending):
            return error_page(request, 409, STILL_SENDING)
        try:
            await user.client.post(form.service, api_path, body, idempotency_key=token)
        except ApiRefusal as refused:
            await sent_forms.release(session, form_token)
            if refused.status == 404:
                return error_page(request, 404, NOT_FOUND)
            errors, refusal = _refusal(filled, built, refused)
            return await again(errors, refusal, refused.status)
        await sent_forms.sent(session, form_token, case_page, form.flash)
        return redirect_with_flash(request, case_page, form.flash)

    return submit


def _refusal(form: Form, built: Built, refused: ApiRefusal) -> tuple[Errors, str]:
    """The API's words for the form: beside the fields a 422 names, else on top (the
    errors, and the refusal shown on top). `form` is the form as filled: the DASH with
    its instrument's questions."""
    if refused.status == 422:
        return place(form, built, refused.fields, refused.message), ""
    # A rule's refusal (409, 403) names no field; its code may say which one it is
    # (the form's `refusal_fields`). Always at the top too; beside the field when known.
    errors = Errors()
    about = form.refused_field(refused.code)
    if about is not None:
        errors.add(about, refused.message)
    return errors, refused.message


for _form in FORMS:
    _path = f"/cases/{{case_id}}/{_form.slug}"
    _name = _form.slug.replace("/", "-").replace("{", "").replace("}", "")
    router.add_api_route(
        _path, _show(_form), methods=["GET"], include_in_schema=False, name=f"form-{_name}"
    )
    router.add_api_route(
        _path, _submit(_form), methods=["POST"], include_in_schema=False, name=f"submit-{_name}"
    )
