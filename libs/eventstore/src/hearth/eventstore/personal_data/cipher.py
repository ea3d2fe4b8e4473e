"""Encrypting events as they are stored and opening them as services read them.

`EventCipher` is what the event store, the relay's readers and the consumers share:

- `plan`, `prefetch`, `seal`: before `EventStore.append` seals the hash chain, every
  personal value of the appended events is encrypted under its subject's key. The keys of
  all the subjects of one append come from the key store inside the append's first
  statement (`KeyStore.prefetch`, which on a new stream also makes them), so they cost
  no round trip of their own; never one query per field or per event. A new case's keys
  are made here, so its values are encrypted (`seal_ahead`) while that statement runs.
- `open_envelopes`: envelopes read from the store or from Kafka, with their personal
  values decrypted. The keys of all the envelopes given are loaded in one query
  (`KeyStore.load`). A value whose key was destroyed (erasure) reads as the contract's
  `REDACTED` marker; a value that fails authentication raises `UndecryptableValue`.

An opened envelope keeps the stored `hash` and `prev_hash`: they cover what is stored
(the ciphertext), so `hash_is_valid()` is only meaningful on the stored form (the relay
publishes it, consumers check it before opening).

The event's case id for keys is its envelope `subject` (`subject_case_id`): the case id,
or for intake's events about an enquiry not yet on a case, the enquiry's id. A subject
that is not a UUID (tests' streams) is mapped to a name-based UUID, so it is encrypted
all the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from uuid import UUID

import structlog
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hearth.contracts.envelope import Envelope
from hearth.contracts.events.base import DomainEvent, registry
from hearth.eventstore.db import Conn
from hearth.eventstore.personal_data.fields import (
    ToEncrypt,
    decrypt_personal,
    key_ids_in,
    plan_personal,
    seal_all,
)
from hearth.eventstore.personal_data.key_store import KeyPrefetch, KeyStore
from hearth.eventstore.personal_data.keys import Subject

log = structlog.get_logger(__name__)

_SUBJECT_NAMESPACE: Final = uuid.UUID("5b0a4c58-6f0e-4f43-9c55-8d3f4a0f2e11")


def subject_case_id(subject: str) -> UUID:
    """The case id keys are kept under for an envelope's `subject`: the subject itself
    when it is a UUID (a case, an enquiry), else a UUID derived from it by name."""
    try:
        return UUID(subject)
    except ValueError:
        return uuid.uuid5(_SUBJECT_NAMESPACE, subject)


_MODELS: dict[str, type[DomainEvent] | None] = {}


def _all_subclasses(cls: type[DomainEvent]) -> list[type[DomainEvent]]:
    found: list[type[DomainEvent]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def model_of(event_type: str) -> type[DomainEvent] | None:
    """The model of a stored event type: the registry's (older versions included), else
    any event class declaring it (the plumbing's own test events); None if unknown."""
    if event_type in _MODELS:
        return _MODELS[event_type]
    model = registry().get(event_type)
    if model is None:
        for candidate in _all_subclasses(DomainEvent):
            if getattr(candidate, "service", None) and candidate.event_type() == event_type:
                model = candidate
                break
    if model is not None:  # unknown types are looked up again: a class may come later
        _MODELS[event_type] = model
    return model


@dataclass(frozen=True, slots=True)
class SealPlan:
    """One append's payloads planned for sealing (`EventCipher.plan`)."""

    case_id: UUID
    payloads: tuple[ToEncrypt, ...]
    event_ids: tuple[UUID, ...]
    subjects: frozenset[Subject] | set[Subject]
    events: tuple[ToSeal, ...]
    subject: str


@dataclass(frozen=True, slots=True)
class ToSeal:
    """One event about to be appended: its model, JSON payload and id."""

    model: type[DomainEvent]
    payload: dict[str, Any]
    event_id: UUID


class EventCipher:
    """Personal values in, ciphertext out, and back, with the key store's keys."""

    def __init__(self, key_store: KeyStore) -> None:
        self.key_store = key_store
        self._ready = False

    async def ready(self) -> None:
        """Make sure the key store's schema exists (once per cipher; idempotent)."""
        if not self._ready:
            await self.key_store.migrate()
            self._ready = True

    def plan(self, events: Sequence[ToSeal], *, subject: str) -> SealPlan:
        """What sealing `events` (one append, so one case) needs: their payloads' personal
        values and subjects, found in one walk. Pure: no key yet."""
        case_id = subject_case_id(subject)
        # Shared by the events' plans: every subject with a value in them, made once each.
        persons: dict[Any, Subject] = {}
        planned = tuple(
            plan_personal(e.model, e.payload, case_id=case_id, persons=persons) for e in events
        )
        return SealPlan(
            case_id,
            planned,
            tuple(e.event_id for e in events),
            frozenset(persons.values()),
            tuple(events),
            subject,
        )

    async def prefetch(self, plan: SealPlan, *, new_stream: bool) -> KeyPrefetch | None:
        """The key store's part of the append's first statement (`KeyStore.prefetch`), or
        None when nothing in the events is personal. On a `new_stream` it also makes the
        keys not made yet."""
        if not plan.subjects:
            return None
        await self.ready()
        return self.key_store.prefetch(plan.case_id, plan.subjects, make=new_stream)

    def seal_ahead(
        self, plan: SealPlan, prefetch: KeyPrefetch | None
    ) -> list[dict[str, Any]] | None:
        """For a new case (`prefetch` makes its keys), the payloads sealed with the keys the
        append's first statement is making, before it answers: pure, so the append runs it
        while the database works. None when `prefetch` makes no key. The result holds only
        if the statement made every key (`seal`, given it as `ahead`, checks)."""
        if prefetch is None or not prefetch.made:
            return None
        keys = {key.subject: key for key in prefetch.made.values()}
        return seal_all(plan.payloads, event_ids=plan.event_ids, keys=keys)

    async def seal(
        self,
        plan: SealPlan,
        prefetched: Any,
        *,
        conn: Conn,
        prefetch: KeyPrefetch | None = None,
        ahead: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """The payloads with every personal value encrypted, in order, with the keys the
        append's first statement fetched (`prefetched`: its row; `prefetch`: what `prefetch`
        gave for it). `ahead`: what `seal_ahead` gave, used when the statement made every
        key it was to make."""
        if not plan.subjects:
            return [p.payload for p in plan.payloads]
        if ahead is not None and prefetch is not None:
            if self.key_store.made_all(prefetched, prefetch):
                return ahead
            # The case had keys already: seal again, from the events (sealing ahead
            # replaced the plan's values), with the keys the key store holds.
            plan = self.plan(plan.events, subject=plan.subject)
        keys = await self.key_store.keys_from_prefetch(
            plan.case_id, plan.subjects, prefetched, conn=conn, prefetch=prefetch
        )
        return seal_all(plan.payloads, event_ids=plan.event_ids, keys=keys)

    async def open_envelopes(
        self, envelopes: Sequence[Envelope], *, conn: Conn | None = None
    ) -> list[Envelope]:
        """The envelopes with their personal values decrypted (or `REDACTED` where the key
        is destroyed). One key-store query for all of them, none when nothing is encrypted."""
        models = [model_of(e.type) for e in envelopes]
        sealed: list[bool] = []
        key_ids: set[str] = set()
        for envelope, model in zip(envelopes, models, strict=True):
            ids = key_ids_in(model, envelope.payload) if model is not None else frozenset()
            sealed.append(bool(ids))
            key_ids |= ids
        if not key_ids:
            return list(envelopes)
        await self.ready()
        keys = await self.key_store.load(key_ids, conn=conn)
        ciphers: dict[str, AESGCM] = {}  # each key's AES-GCM object, set up once
        opened: list[Envelope] = []
        for envelope, model, encrypted in zip(envelopes, models, sealed, strict=True):
            if model is None or not encrypted:
                opened.append(envelope)
                continue
            result = decrypt_personal(
                model, envelope.payload, event_id=envelope.event_id, keys=keys, ciphers=ciphers
            )
            if result.redacted:
                # Paths and ids only: never a value.
                log.debug(
                    "personal values redacted (keys destroyed)",
                    event_id=str(envelope.event_id),
                    paths=list(result.redacted),
                )
            opened.append(envelope.model_copy(update={"payload": result.payload}))
        return opened
