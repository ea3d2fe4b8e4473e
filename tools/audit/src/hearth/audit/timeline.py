"""A case's history across the services' topics, in order, as an auditor reads it.

Which events belong to a case: every event whose envelope `subject` (and so Kafka key) is
the case id, on all four topics (intake's reports join their case that way, and its
`CaseWithheldFromSubmitter` too). An enquiry precedes any case and is keyed by its own id;
a `ReportReceived` on the case that names the `enquiry_id` it came out of brings that
enquiry's events into the history as well.

Order: by `recorded_at`, then service order (intake, cases, risk, referrals), then where
the record sits on its topic; except that an event is never shown before the event that
caused it (its `causation_id`), which a tie on `recorded_at` or services' clocks a few
milliseconds apart would otherwise allow (cases' `DashDeadlineMet` before risk's
`DashCompleted`). A record published twice by the relay (same event id) is shown once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hearth.audit.as_of import Fact
from hearth.audit.chain import Report
from hearth.audit.log import Located
from hearth.audit.personal import masked, personal_values
from hearth.audit.summaries import summary
from hearth.contracts.envelope import Envelope, format_time
from hearth.contracts.topics import PRODUCING_SERVICES

SERVICE_ORDER = {service: index for index, service in enumerate(PRODUCING_SERVICES)}

READ_EVENTS = frozenset(
    {
        "RestrictedCaseRead",
        "RestrictedRiskRecordRead",
        "RestrictedReferralRecordRead",
        "CaseWithheldFromSubmitter",
        "CaseRecordRead",
        "RiskRecordRead",
        "ReferralRecordRead",
    }
)
"""The events that record a member of staff reading (or being refused) a case: every
`Restricted*Read` of cases, risk and referrals, intake's answer to a submitter who was
not told of a restricted case (recorded by cases as a refused read), and every other
staff read of the case (`CaseRecordRead`, `RiskRecordRead`, `ReferralRecordRead`, on the
case's reads streams)."""


def service_of(envelope: Envelope) -> str:
    return envelope.source.removeprefix("hearth.")


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of the case's history: where it was read, and the envelope (opened when
    the auditor decrypts; the stored form otherwise)."""

    located: Located
    envelope: Envelope
    hash_valid: bool
    decrypted: bool = False

    @property
    def service(self) -> str:
        return service_of(self.envelope)

    @property
    def summary(self) -> str:
        e = self.envelope
        return summary(e.event_name, e.type, e.payload)

    def personal(self) -> list[tuple[str, Any]]:
        e = self.envelope
        shown = masked(e.type, e.payload, decrypted=self.decrypted)
        return personal_values(e.type, shown)

    def fact(self) -> Fact:
        e = self.envelope
        return Fact(
            recorded_at=e.recorded_at,
            service=self.service,
            event=e.event_name,
            actor_id=e.actor.id,
            actor_role=e.actor.role.value,
            payload=e.payload,
        )

    def to_json(self) -> dict[str, Any]:
        e = self.envelope
        return {
            "recorded_at": format_time(e.recorded_at),
            "occurred_at": format_time(e.occurred_at),
            "service": self.service,
            "event": e.event_name,
            "type": e.type,
            "event_id": str(e.event_id),
            "correlation_id": str(e.correlation_id),
            "causation_id": str(e.causation_id) if e.causation_id else None,
            "stream_id": e.stream_id,
            "stream_version": e.stream_version,
            "actor": {"id": e.actor.id, "role": e.actor.role.value},
            "summary": self.summary,
            "topic": self.located.topic,
            "partition": self.located.partition,
            "offset": self.located.offset,
            "hash_valid": self.hash_valid,
            "payload": masked(e.type, e.payload, decrypted=self.decrypted),
        }


@dataclass
class History:
    entries: list[Entry] = field(default_factory=list)
    duplicates: int = 0
    unreadable: list[Located] = field(default_factory=list)
    integrity: Report = field(default_factory=Report)
    """The hash-chain check of the case's own streams (see `hearth.audit.chain`)."""

    @property
    def invalid(self) -> list[Entry]:
        return [e for e in self.entries if not e.hash_valid]


def enquiry_ids(records: Iterable[Located], case_id: str) -> set[str]:
    """The enquiries the case's reports came out of (`ReportReceived.enquiry_id`)."""
    found: set[str] = set()
    for record in records:
        e = record.envelope
        if e is not None and e.subject == case_id and e.event_name == "ReportReceived":
            enquiry = e.payload.get("enquiry_id")
            if isinstance(enquiry, str) and enquiry:
                found.add(enquiry)
    return found


def _order(entry: Entry) -> tuple[Any, ...]:
    e = entry.envelope
    return (
        e.recorded_at,
        SERVICE_ORDER.get(entry.service, len(SERVICE_ORDER)),
        entry.located.topic,
        entry.located.partition,
        entry.located.offset,
    )


def history(records: Iterable[Located], subjects: Sequence[str]) -> History:
    """The events about `subjects` (the case, and its enquiries) in timeline order, each
    once; records that are no Hearth event are kept aside."""
    wanted = set(subjects)
    found = History()
    seen: set[Any] = set()
    for record in records:
        e = record.envelope
        if e is None:
            found.unreadable.append(record)
            continue
        if e.subject not in wanted:
            continue
        if e.event_id in seen:
            found.duplicates += 1
            continue
        seen.add(e.event_id)
        found.entries.append(Entry(record, e, e.hash_is_valid()))
    found.entries = causal_order(sorted(found.entries, key=_order))
    return found


def causal_order(entries: list[Entry]) -> list[Entry]:
    """`entries` (already in timeline order) with each event moved, if need be, to just
    after the event that caused it; otherwise unchanged."""
    present = {e.envelope.event_id for e in entries}
    shown: set[Any] = set()
    waiting: dict[Any, list[Entry]] = {}
    ordered: list[Entry] = []

    def show(entry: Entry) -> None:
        ordered.append(entry)
        shown.add(entry.envelope.event_id)
        for follower in waiting.pop(entry.envelope.event_id, []):
            show(follower)

    for entry in entries:
        cause = entry.envelope.causation_id
        if cause is not None and cause in present and cause not in shown:
            waiting.setdefault(cause, []).append(entry)
        else:
            show(entry)
    for left in waiting.values():  # causes that never showed (a cycle cannot happen)
        ordered.extend(left)
    return ordered


def up_to(entries: Iterable[Entry], moment: Any) -> list[Entry]:
    """The entries recorded at or before `moment`."""
    return [e for e in entries if e.envelope.recorded_at <= moment]


def reads(entries: Iterable[Entry]) -> list[Entry]:
    """The entries that record someone reading the case, or being refused it."""
    return [e for e in entries if e.envelope.event_name in READ_EVENTS]
