"""The event envelope: metadata around every Hearth event, its hash chain and its Kafka form.

On Kafka an event is a CloudEvents 1.0 record in binary mode: the value is the JSON
payload; the `ce_*` headers carry the CloudEvents attributes and Hearth's own
extensions (lowercase letters and digits, as the spec requires). The record key is
the case id, so one case's events stay in order on one partition.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final
from uuid import UUID

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SPECVERSION: Final = "1.0"
CONTENT_TYPE: Final = "application/json"
GENESIS_HASH: Final = "0" * 64
"""The `prev_hash` of the first event in every stream."""

# CloudEvents extension attribute names carrying Hearth's own envelope fields.
EXT_STREAM_ID: Final = "streamid"
EXT_STREAM_VERSION: Final = "streamversion"
EXT_RECORDED_TIME: Final = "recordedtime"
EXT_CORRELATION_ID: Final = "correlationid"
EXT_CAUSATION_ID: Final = "causationid"
EXT_ACTOR_ID: Final = "actorid"
EXT_ACTOR_ROLE: Final = "actorrole"
EXT_PREV_HASH: Final = "prevhash"
EXT_HASH: Final = "hash"

_JSON_FORMAT: Final = JSONFormat()

REQUIRED_HEADERS: Final = (
    "ce_specversion",
    "ce_id",
    "ce_type",
    "ce_source",
    "ce_subject",
    "ce_time",
    "content-type",
    *(
        f"ce_{name}"
        for name in (
            EXT_STREAM_ID,
            EXT_STREAM_VERSION,
            EXT_RECORDED_TIME,
            EXT_CORRELATION_ID,
            EXT_ACTOR_ID,
            EXT_ACTOR_ROLE,
            EXT_PREV_HASH,
            EXT_HASH,
        )
    ),
)
"""Headers every Hearth record carries (`ce_causationid` is the only optional one)."""


class Role(StrEnum):
    """The role an actor acted in when an event was caused."""

    INTAKE = "intake"
    CASE_MANAGER = "case_manager"
    MANAGER = "manager"
    AUDITOR = "auditor"
    ADMIN = "admin"
    PUBLIC = "public"
    """A resident using the confidential web form, with no account."""
    PARTNER = "partner"
    """A partner agency's system."""
    SYSTEM = "system"
    """Hearth itself: a deadline scheduler, a reaction to another service's event."""


class Actor(BaseModel):
    """Who caused an event, and in which role. `id` is a staff or system identifier."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:@-]+$")
    role: Role


class EnvelopeError(ValueError):
    """A Kafka record or stored row that is not a valid Hearth event envelope."""


def format_time(value: datetime) -> str:
    """The one text form of a timestamp in Hearth's envelope: UTC, microseconds, `Z`."""
    if value.tzinfo is None:
        raise EnvelopeError("timestamps in the envelope must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Read a timestamp written by `format_time` (or any ISO 8601 form with an offset)."""
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise EnvelopeError(f"timestamp {text!r} has no timezone")
    return parsed.astimezone(UTC)


def canonical_json(value: Any) -> bytes:
    """Canonical JSON bytes: sorted keys, no insignificant whitespace, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def chain_hash(prev_hash: str, canonical: bytes) -> str:
    """`sha256(prev_hash || canonical event bytes)`, hex-encoded."""
    return hashlib.sha256(prev_hash.encode("ascii") + canonical).hexdigest()


_DATA_SLOT: Final = b'"data":0'


def _canonical_envelope(
    *,
    event_id: UUID,
    type: str,
    source: str,
    subject: str,
    stream_id: str,
    stream_version: int,
    time: str,
    recorded_time: str,
    correlation_id: UUID,
    causation_id: UUID | None,
    actor: Actor,
    data: bytes,
) -> bytes:
    """The canonical JSON of an envelope's hashed fields, with `data` (the payload's own
    canonical JSON) put in its sorted place: the same bytes as `canonical_json` of the whole,
    without encoding the payload again. (`"data":0` can only be the key itself: inside a
    JSON string every quote is escaped.)"""
    rest = canonical_json(
        {
            "id": str(event_id),
            "type": type,
            "source": source,
            "subject": subject,
            "streamid": stream_id,
            "streamversion": stream_version,
            "time": time,
            "recordedtime": recorded_time,
            "correlationid": str(correlation_id),
            "causationid": str(causation_id) if causation_id else None,
            "actor": {"id": actor.id, "role": actor.role.value},
            "data": 0,
        }
    )
    return rest.replace(_DATA_SLOT, b'"data":' + data, 1)


def _as_uuid(value: UUID | str) -> UUID:
    """An id as the envelope model holds it (a UUID given as text is read, as pydantic does)."""
    return value if isinstance(value, UUID) else UUID(str(value))


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    """What goes onto (or comes off) Kafka: key, value and headers as aiokafka wants them."""

    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class Envelope(BaseModel):
    """One stored, sealed event: the payload plus everything an auditor needs to trust it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    type: str = Field(pattern=r"^hearth\.[a-z]+\.[A-Za-z]+\.v\d+$")
    source: str = Field(pattern=r"^hearth\.[a-z]+$")
    subject: str = Field(min_length=1, max_length=100)
    """The case id (for intake, the report or enquiry id until it joins a case): the key."""
    stream_id: str = Field(min_length=1, max_length=200)
    stream_version: int = Field(ge=1)
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    correlation_id: UUID
    causation_id: UUID | None = None
    actor: Actor
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    payload: dict[str, Any]

    @property
    def event_name(self) -> str:
        """`CaseOpened` for `hearth.cases.CaseOpened.v1`."""
        return self.type.split(".")[2]

    @property
    def event_version(self) -> int:
        """`1` for `hearth.cases.CaseOpened.v1`."""
        return int(self.type.rsplit(".v", 1)[1])

    def canonical_bytes(self) -> bytes:
        """The bytes this envelope's hash covers: everything but the hashes themselves."""
        return _canonical_envelope(
            event_id=self.event_id,
            type=self.type,
            source=self.source,
            subject=self.subject,
            stream_id=self.stream_id,
            stream_version=self.stream_version,
            time=format_time(self.occurred_at),
            recorded_time=format_time(self.recorded_at),
            correlation_id=self.correlation_id,
            causation_id=self.causation_id,
            actor=self.actor,
            data=canonical_json(self.payload),
        )

    def computed_hash(self) -> str:
        """The hash this envelope should carry, given its `prev_hash` and content."""
        return chain_hash(self.prev_hash, self.canonical_bytes())

    def hash_is_valid(self) -> bool:
        """False when the content or `prev_hash` was changed after sealing."""
        return self.computed_hash() == self.hash

    @classmethod
    def seal(
        cls,
        *,
        event_id: UUID,
        type: str,
        source: str,
        subject: str,
        stream_id: str,
        stream_version: int,
        occurred_at: datetime,
        recorded_at: datetime,
        correlation_id: UUID,
        causation_id: UUID | None,
        actor: Actor,
        prev_hash: str,
        payload: dict[str, Any],
    ) -> Envelope:
        """Build an envelope and compute its hash from `prev_hash` and its content."""
        # Round-trip the payload and times through their wire forms, so the hash is over
        # exactly what is stored and sent. Each is put in its wire form once, and the hash
        # is computed from those (the same bytes `canonical_bytes` gives) before the
        # envelope is built, so it is built once. Ids and the actor are read as the model
        # reads them.
        time, recorded_time = format_time(occurred_at), format_time(recorded_at)
        data = canonical_json(payload)
        event_id, correlation_id = _as_uuid(event_id), _as_uuid(correlation_id)
        causation_id = None if causation_id is None else _as_uuid(causation_id)
        actor = actor if isinstance(actor, Actor) else Actor.model_validate(actor)
        hashed: dict[str, Any] = {
            "event_id": event_id,
            "type": type,
            "source": source,
            "subject": subject,
            "stream_id": stream_id,
            "stream_version": stream_version,
            "correlation_id": correlation_id,
            "causation_id": causation_id,
            "actor": actor,
        }
        canonical = _canonical_envelope(**hashed, time=time, recorded_time=recorded_time, data=data)
        return cls(
            **hashed,
            occurred_at=parse_time(time),
            recorded_at=parse_time(recorded_time),
            prev_hash=prev_hash,
            hash=chain_hash(prev_hash, canonical),
            payload=json.loads(data),
        )

    # --- CloudEvents / Kafka -------------------------------------------------------

    def to_cloudevent(self) -> CloudEvent:
        """The envelope as a CloudEvent, Hearth's fields as extension attributes."""
        attributes: dict[str, Any] = {
            "specversion": SPECVERSION,
            "id": str(self.event_id),
            "type": self.type,
            "source": self.source,
            "subject": self.subject,
            "time": self.occurred_at,
            "datacontenttype": CONTENT_TYPE,
            EXT_STREAM_ID: self.stream_id,
            EXT_STREAM_VERSION: str(self.stream_version),
            EXT_RECORDED_TIME: format_time(self.recorded_at),
            EXT_CORRELATION_ID: str(self.correlation_id),
            EXT_ACTOR_ID: self.actor.id,
            EXT_ACTOR_ROLE: self.actor.role.value,
            EXT_PREV_HASH: self.prev_hash,
            EXT_HASH: self.hash,
        }
        if self.causation_id is not None:
            attributes[EXT_CAUSATION_ID] = str(self.causation_id)
        return CloudEvent(attributes=attributes, data=self.payload)

    def to_kafka(self) -> KafkaRecord:
        """The binary-mode CloudEvents record, keyed by case id."""
        message = ce_kafka.to_binary(
            self.to_cloudevent(), _JSON_FORMAT, key_mapper=lambda event: event.get_subject()
        )
        headers = dict(message.headers)
        # The SDK writes `time` with whole seconds when microseconds are zero; Hearth
        # always sends the one canonical form so any consumer can re-verify the hash.
        headers["ce_time"] = format_time(self.occurred_at).encode("ascii")
        key = message.key
        key_bytes = key.encode("utf-8") if isinstance(key, str) else (key or b"")
        value = message.value
        return KafkaRecord(
            key=key_bytes,
            value=value if isinstance(value, bytes) else bytes(value or b""),
            headers=sorted(headers.items()),
        )

    @classmethod
    def from_kafka(
        cls, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> Envelope:
        """Read a binary-mode record back into an envelope. Raises EnvelopeError."""
        header_map: dict[str, bytes] = {}
        for name, raw in headers:
            header_map[name.lower()] = raw
        if "ce_specversion" not in header_map:
            raise EnvelopeError("record has no ce_specversion header: not a CloudEvent")
        missing = [name for name in REQUIRED_HEADERS if name not in header_map]
        if missing:
            raise EnvelopeError(f"record is missing headers: {', '.join(missing)}")
        if key is not None and key != header_map["ce_subject"]:
            # The key decides the partition: a record keyed otherwise is out of order.
            raise EnvelopeError("record key does not match its ce_subject header")
        try:
            event = ce_kafka.from_binary(
                ce_kafka.KafkaMessage(headers=header_map, key=key, value=value or b""),
                _JSON_FORMAT,
            )
        except Exception as exc:
            raise EnvelopeError(f"record is not a valid CloudEvent: {type(exc).__name__}") from exc
        return cls.from_cloudevent(event)

    @classmethod
    def from_cloudevent(cls, event: Any) -> Envelope:
        """Read a CloudEvent written by `to_cloudevent`. Raises EnvelopeError."""

        def ext(name: str) -> Any:
            value = event.get_extension(name)
            if value is None:
                raise EnvelopeError(f"CloudEvent is missing the '{name}' extension")
            return value

        data = event.get_data()
        if isinstance(data, bytes | str):
            data = json.loads(data)
        if not isinstance(data, dict):
            raise EnvelopeError("CloudEvent data is not a JSON object")
        causation = event.get_extension(EXT_CAUSATION_ID)
        time = event.get_time()
        if time is None:
            raise EnvelopeError("CloudEvent has no time")
        try:
            return cls(
                event_id=UUID(event.get_id()),
                type=event.get_type(),
                source=event.get_source(),
                subject=event.get_subject() or "",
                stream_id=ext(EXT_STREAM_ID),
                stream_version=int(ext(EXT_STREAM_VERSION)),
                occurred_at=time,
                recorded_at=parse_time(ext(EXT_RECORDED_TIME)),
                correlation_id=UUID(ext(EXT_CORRELATION_ID)),
                causation_id=UUID(causation) if causation else None,
                actor=Actor(id=ext(EXT_ACTOR_ID), role=Role(ext(EXT_ACTOR_ROLE))),
                prev_hash=ext(EXT_PREV_HASH),
                hash=ext(EXT_HASH),
                payload=data,
            )
        except EnvelopeError:
            raise
        except ValueError as exc:
            # pydantic's message may quote input values; name only the fields at fault.
            fields = _error_fields(exc)
            raise EnvelopeError(f"invalid envelope fields: {fields}") from None


def _error_fields(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return ", ".join(".".join(str(p) for p in e["loc"]) for e in errors()) or "unknown"
    return type(exc).__name__
