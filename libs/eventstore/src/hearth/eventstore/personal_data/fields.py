"""Encrypting and decrypting the personal fields of an event's JSON payload. Pure: keys in.

Which fields: every path `personal_paths(model)` gives for the event's model (the
contract's `PersonalStr`, `PersonalDate` and the like), followed through nested objects
and lists. Nothing else changes: the payload keeps its shape, `None` stays `None`, each
item of a list of personal values is encrypted on its own.

Whose key (`Subject`): the nearest object enclosing the value, on its path from the
payload's top, that has a `person_id` (a survivor, an alleged perpetrator, a child, or an
event about one person such as `FlagRaised`); with none, the case's key (the reporter,
the account, notes, safe-contact details). `case_id` is the event's subject: its case
(or, for intake's events about an enquiry not yet on a case, that enquiry's id).

The stored form of a value is text: `hearth:enc:v1:<key id>:<base64url(nonce||ciphertext)>`
(no padding). AES-256-GCM with a fresh 96-bit nonce; the associated data binds it to the
key id, the event type, the event id and the value's concrete path (list indexes
included), so a ciphertext moved to another field, another list item, another event or
another event type fails to open.

Opening (`decrypt_personal`): a value whose key the caller holds is decrypted; one whose
key is not among the keys given (destroyed by erasure, or withheld from this caller)
becomes the contract's `REDACTED` marker and its path is listed in `Decrypted.redacted`;
a value that fails authentication raises `UndecryptableValue` (tampering is never
silently redacted). A consumer that never calls this (no key store access) sees the
ciphertext strings themselves. Values at personal paths that are not in the encrypted
form (events stored before encryption) are returned as they are.

Open an event as it is stored, before any upcaster: the associated data names the stored
event type and paths.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Final
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hearth.contracts.events.base import ENCRYPTED_PREFIX, REDACTED, DomainEvent, personal_paths
from hearth.eventstore.personal_data.errors import (
    InvalidSubject,
    MissingDataKey,
    NotEncryptable,
    UndecryptableValue,
)
from hearth.eventstore.personal_data.keys import NONCE_BYTES, DataKey, Subject

PERSON_ID_FIELD: Final = "person_id"
"""The field that makes an object a person with a key of their own."""

_ENCRYPTED: Final = re.compile(r"^hearth:enc:v1:([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9_-]+)$")
_TAG_BYTES: Final = 16

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class _Leaf:
    """One personal value in a payload: where it sits and whose it is."""

    holder: dict[str, Any] | list[Any]
    key: str | int
    path: Path
    person_id: Any

    @property
    def value(self) -> Any:
        return self.holder[self.key]  # type: ignore[index]

    def replace(self, value: Any) -> None:
        self.holder[self.key] = value  # type: ignore[index]

    def dotted(self) -> str:
        return ".".join(str(part) for part in self.path)


@dataclass(frozen=True, slots=True)
class Decrypted:
    """An opened payload, and the paths whose keys were missing (now `REDACTED`)."""

    payload: dict[str, Any]
    redacted: tuple[str, ...] = ()


@cache
def _paths(model: type[DomainEvent]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(path.split(".")) for path in personal_paths(model))


def _leaves(
    container: dict[str, Any], parts: tuple[str, ...], path: Path, person_id: Any
) -> Iterator[_Leaf]:
    if container.get(PERSON_ID_FIELD) is not None:
        person_id = container[PERSON_ID_FIELD]
    name, rest = parts[0], parts[1:]
    value = container.get(name)
    if value is None:
        return
    if not rest:
        if isinstance(value, list):
            for index, item in enumerate(value):
                if item is not None:
                    yield _Leaf(value, index, (*path, name, index), person_id)
        else:
            yield _Leaf(container, name, (*path, name), person_id)
        return
    if isinstance(value, dict):
        yield from _leaves(value, rest, (*path, name), person_id)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield from _leaves(item, rest, (*path, name, index), person_id)


def _personal_leaves(model: type[DomainEvent], payload: dict[str, Any]) -> Iterator[_Leaf]:
    for parts in _paths(model):
        yield from _leaves(payload, parts, (), None)


def _uuid(value: Any, what: str) -> UUID:
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidSubject(f"{what} is not a UUID") from None


def _subject(case_id: UUID, leaf: _Leaf, persons: dict[Any, Subject] | None = None) -> Subject:
    if leaf.person_id is None:
        if persons is None:
            return Subject(case_id)
        case = persons.get(None)
        if case is None or case.case_id != case_id:
            case = persons[None] = Subject(case_id)
        return case
    if persons is not None:
        known = persons.get(leaf.person_id)
        if known is not None:
            return known
    subject = Subject(case_id, _uuid(leaf.person_id, f"the person_id enclosing {leaf.dotted()}"))
    if persons is not None:
        persons[leaf.person_id] = subject
    return subject


@dataclass(frozen=True, slots=True)
class ToEncrypt:
    """A payload about to be sealed: a copy of it, and its personal values with their
    subjects, found in one walk (`plan_personal`) so the subjects' keys can be fetched
    before `seal_planned` encrypts the values in place."""

    model: type[DomainEvent]
    payload: dict[str, Any]
    leaves: tuple[tuple[_Leaf, Subject], ...]

    @property
    def subjects(self) -> frozenset[Subject]:
        return frozenset(subject for _, subject in self.leaves)


def plan_personal(
    model: type[DomainEvent],
    payload: Mapping[str, Any],
    *,
    case_id: UUID | str,
    persons: dict[Any, Subject] | None = None,
) -> ToEncrypt:
    """The payload's personal values and whose they are, on a copy of it ready for
    `seal_planned`. `persons` may be shared across the payloads of one append (one
    case): each person's subject is then made once."""
    if not _paths(model):  # nothing personal in this event type: nothing to copy
        return ToEncrypt(model, dict(payload), ())
    case = _uuid(case_id, "case_id")
    copied: dict[str, Any] = _copy_json(dict(payload))
    subjects = {} if persons is None else persons
    leaves = tuple(
        (leaf, _subject(case, leaf, subjects)) for leaf in _personal_leaves(model, copied)
    )
    return ToEncrypt(model, copied, leaves)


def subjects_for(
    model: type[DomainEvent], payload: dict[str, Any], *, case_id: UUID | str
) -> frozenset[Subject]:
    """The subjects whose data keys `encrypt_personal` needs for this payload (only those
    with a personal value present)."""
    return plan_personal(model, payload, case_id=case_id).subjects


_JSON: Final = json.JSONEncoder(separators=(",", ":"))
_PATHS_JSON: dict[Path, str] = {}
_PATHS_JSON_MAX: Final = 10_000


_PLAIN_JSON_TEXT: Final = re.compile(r"^[A-Za-z0-9_.:-]*$")


def _associated_head(key_id: str, event_type: str, event_id: UUID) -> str:
    """The associated data's start, shared by every value of one key in one event: the
    JSON text of [prefix, key id, event type, event id] without its closing bracket."""
    if _PLAIN_JSON_TEXT.match(event_type):  # nothing to escape: the same text, quicker
        return f'["{ENCRYPTED_PREFIX}","{key_id}","{event_type}","{event_id}"'
    return _JSON.encode([ENCRYPTED_PREFIX, key_id, event_type, str(event_id)])[:-1]


def _associated_data_from(head: str, path: Path) -> bytes:
    """The associated data, the compact JSON array [prefix, key id, event type, event id,
    *path], from its `_associated_head` (each path's JSON is worked out once)."""
    tail = _PATHS_JSON.get(path)
    if tail is None:
        tail = _JSON.encode(list(path))[1:]
        if len(_PATHS_JSON) < _PATHS_JSON_MAX:
            _PATHS_JSON[path] = tail
    return f"{head},{tail}".encode()


def _plaintext(leaf: _Leaf) -> bytes:
    value = leaf.value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, date):  # a datetime is a date too: ISO text either way
        return value.isoformat().encode()
    raise NotEncryptable(
        f"the personal value at {leaf.dotted()} is a {type(value).__name__}, not text or a date"
    )


def _copy_json(value: Any) -> Any:
    """A copy of JSON data (dicts, lists, scalars): much cheaper than `copy.deepcopy`."""
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy_json(v) for v in value]
    return value


def is_encrypted(value: Any) -> bool:
    """True for a value in the encrypted form (`hearth:enc:v1:...`)."""
    return isinstance(value, str) and value.startswith(ENCRYPTED_PREFIX)


def seal_planned(
    planned: ToEncrypt,
    *,
    event_id: UUID,
    keys: Mapping[Subject, DataKey],
    ciphers: dict[str, AESGCM] | None = None,
) -> dict[str, Any]:
    """`planned`'s payload with every personal value encrypted under its subject's key from
    `keys`; `MissingDataKey` if one is absent. `ciphers` (AES-GCM objects by key id) may
    be shared across the payloads of one append, so each key is set up once."""
    if not planned.leaves:
        return planned.payload
    event_type = planned.model.event_type()
    ciphers = {} if ciphers is None else ciphers
    heads: dict[str, str] = {}
    for leaf, subject in planned.leaves:
        key = keys.get(subject)
        if key is None:
            raise MissingDataKey(f"no data key given for {subject} (needed at {leaf.dotted()})")
        cipher = ciphers.get(key.key_id)
        if cipher is None:
            cipher = ciphers[key.key_id] = AESGCM(key.material)
        head = heads.get(key.key_id)
        if head is None:
            head = heads[key.key_id] = _associated_head(key.key_id, event_type, event_id)
        nonce = os.urandom(NONCE_BYTES)
        ciphertext = cipher.encrypt(nonce, _plaintext(leaf), _associated_data_from(head, leaf.path))
        text = base64.urlsafe_b64encode(nonce + ciphertext).rstrip(b"=").decode()
        leaf.replace(f"{ENCRYPTED_PREFIX}{key.key_id}:{text}")
    return planned.payload


def encrypt_personal(
    model: type[DomainEvent],
    payload: Mapping[str, Any],
    *,
    case_id: UUID | str,
    event_id: UUID,
    keys: Mapping[Subject, DataKey],
) -> dict[str, Any]:
    """A copy of `payload` (the event's JSON data) with every personal value encrypted under
    its subject's key from `keys` (see `subjects_for`); `MissingDataKey` if one is absent."""
    return seal_planned(
        plan_personal(model, payload, case_id=case_id), event_id=event_id, keys=keys
    )


def _parse(leaf: _Leaf, event_type: str) -> tuple[str, bytes] | None:
    value = leaf.value
    if not is_encrypted(value):
        return None
    match = _ENCRYPTED.fullmatch(value)
    blob: bytes | None = None
    if match is not None:
        encoded = match.group(2)
        try:
            blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            blob = None
    if match is None or blob is None or len(blob) < NONCE_BYTES + _TAG_BYTES:
        raise UndecryptableValue(
            f"the encrypted value at {leaf.dotted()} of {event_type} is malformed"
        )
    return match.group(1), blob


def key_ids_in(model: type[DomainEvent], payload: Mapping[str, Any]) -> frozenset[str]:
    """The ids of the data keys an encrypted payload's values were made with (to load them
    in one query before `decrypt_personal`, which checks each value in full)."""
    found: set[str] = set()
    for leaf in _personal_leaves(model, payload):  # type: ignore[arg-type]
        value = leaf.value
        if is_encrypted(value):
            key_id = value[len(ENCRYPTED_PREFIX) :].partition(":")[0]
            if key_id:
                found.add(key_id)
    return frozenset(found)


def decrypt_personal(
    model: type[DomainEvent],
    payload: Mapping[str, Any],
    *,
    event_id: UUID,
    keys: Mapping[str, DataKey],
) -> Decrypted:
    """A copy of an encrypted `payload` with each personal value decrypted with its key
    from `keys` (by key id), or `REDACTED` where the key is not given (destroyed, or not
    for this caller). `UndecryptableValue` when a value fails authentication."""
    event_type = model.event_type()
    opened: dict[str, Any] = _copy_json(dict(payload))
    redacted: list[str] = []
    ciphers: dict[str, AESGCM] = {}
    heads: dict[str, str] = {}
    for leaf in list(_personal_leaves(model, opened)):
        parsed = _parse(leaf, event_type)
        if parsed is None:
            continue
        key_id, blob = parsed
        key = keys.get(key_id)
        if key is None:
            leaf.replace(REDACTED)
            redacted.append(leaf.dotted())
            continue
        cipher = ciphers.get(key_id)
        if cipher is None:
            cipher = ciphers[key_id] = AESGCM(key.material)
        head = heads.get(key_id)
        if head is None:
            head = heads[key_id] = _associated_head(key_id, event_type, event_id)
        try:
            plaintext = cipher.decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _associated_data_from(head, leaf.path)
            )
        except InvalidTag:
            raise UndecryptableValue(
                f"the encrypted value at {leaf.dotted()} of {event_type} (event {event_id}) "
                "fails authentication: changed, or moved from another field or event"
            ) from None
        leaf.replace(plaintext.decode())
    return Decrypted(opened, tuple(redacted))
