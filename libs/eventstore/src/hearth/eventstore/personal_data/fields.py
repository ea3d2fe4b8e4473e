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
from collections.abc import Iterator, Mapping, Sequence
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


def _subject_of(case_id: UUID, person_id: Any, path: Path, persons: dict[Any, Subject]) -> Subject:
    """The subject of a value whose nearest enclosing `person_id` is `person_id` (None:
    the case), made once per person and shared through `persons`."""
    known = persons.get(person_id)
    if known is not None and known.case_id == case_id:
        return known
    if person_id is None:
        subject = Subject(case_id)
    else:
        dotted = ".".join(str(part) for part in path)
        subject = Subject(case_id, _uuid(person_id, f"the person_id enclosing {dotted}"))
    persons[person_id] = subject
    return subject


_PlannedLeaf = tuple[dict[str, Any] | list[Any], str | int, Path, Subject]
"""One personal value of a planned payload: its holder (in the copy), its key or index
there, its concrete path, and its subject."""


@dataclass(frozen=True, slots=True)
class ToEncrypt:
    """A payload about to be sealed: a copy of it, and its personal values with their
    subjects, found in one walk (`plan_personal`) so the subjects' keys can be fetched
    before `seal_planned` encrypts the values in place.

    Only what sealing replaces is copied (the payload's top, and the objects and lists on
    the way to a personal value); everything else is shared with the payload planned,
    which sealing never changes."""

    model: type[DomainEvent]
    payload: dict[str, Any]
    leaves: tuple[_PlannedLeaf, ...]

    @property
    def subjects(self) -> frozenset[Subject]:
        return frozenset(leaf[3] for leaf in self.leaves)


def _plan_leaves(
    container: dict[str, Any],
    parts: tuple[str, ...],
    path: Path,
    person_id: Any,
    plan: _Planning,
) -> None:
    """Walk one personal path in `container` (a copy this plan owns), copying the objects
    and lists on the way (once each, however many paths cross them), and note each value
    found with its subject."""
    own_person = container.get(PERSON_ID_FIELD)
    if own_person is not None:
        person_id = own_person
    name = parts[0]
    value = container.get(name)
    if value is None:
        return
    here = (*path, name)
    if len(parts) == 1:
        if isinstance(value, list):
            items = plan.own(container, name, value)
            for index, item in enumerate(items):
                if item is not None:
                    where = (*here, index)
                    plan.leaves.append((items, index, where, plan.subject(person_id, where)))
        else:
            plan.leaves.append((container, name, here, plan.subject(person_id, here)))
        return
    rest = parts[1:]
    if isinstance(value, dict):
        _plan_leaves(plan.own(container, name, value), rest, here, person_id, plan)
    elif isinstance(value, list):
        items = plan.own(container, name, value)
        for index, item in enumerate(items):
            if isinstance(item, dict):
                owned = plan.own(items, index, item)
                _plan_leaves(owned, rest, (*here, index), person_id, plan)


class _Planning:
    """One payload's walk: the copies made so far and the values found."""

    __slots__ = ("case_id", "copies", "leaves", "persons")

    def __init__(self, case_id: UUID, persons: dict[Any, Subject]) -> None:
        self.case_id = case_id
        self.persons = persons
        self.leaves: list[_PlannedLeaf] = []
        self.copies: set[int] = set()

    def own(self, holder: Any, key: Any, value: Any) -> Any:
        """`holder[key]` (a dict or a list), replaced by a copy unless it is one already."""
        if id(value) in self.copies:
            return value
        copied = dict(value) if isinstance(value, dict) else list(value)
        holder[key] = copied
        self.copies.add(id(copied))
        return copied

    def subject(self, person_id: Any, path: Path) -> Subject:
        return _subject_of(self.case_id, person_id, path, self.persons)


def plan_personal(
    model: type[DomainEvent],
    payload: Mapping[str, Any],
    *,
    case_id: UUID | str,
    persons: dict[Any, Subject] | None = None,
) -> ToEncrypt:
    """The payload's personal values and whose they are, on a copy of it ready for
    `seal_planned` (the payload given is never changed). `persons` may be shared across
    the payloads of one append (one case): each person's subject is then made once, and
    its values are the subjects of everything planned with it."""
    paths = _paths(model)
    copied = dict(payload)
    if not paths:  # nothing personal in this event type
        return ToEncrypt(model, copied, ())
    plan = _Planning(_uuid(case_id, "case_id"), {} if persons is None else persons)
    plan.copies.add(id(copied))
    for parts in paths:
        _plan_leaves(copied, parts, (), None, plan)
    return ToEncrypt(model, copied, tuple(plan.leaves))


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


def _path_json(path: Path) -> str:
    """The JSON text of a path's parts without the opening bracket (worked out once)."""
    tail = _PATHS_JSON.get(path)
    if tail is None:
        tail = _JSON.encode(list(path))[1:]
        if len(_PATHS_JSON) < _PATHS_JSON_MAX:
            _PATHS_JSON[path] = tail
    return tail


def _associated_data_from(head: str, path: Path) -> bytes:
    """The associated data, the compact JSON array [prefix, key id, event type, event id,
    *path], from its `_associated_head`."""
    return f"{head},{_path_json(path)}".encode()


def _plaintext(value: Any, path: Path) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, date):  # a datetime is a date too: ISO text either way
        return value.isoformat().encode()
    dotted = ".".join(str(part) for part in path)
    raise NotEncryptable(
        f"the personal value at {dotted} is a {type(value).__name__}, not text or a date"
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


_URLSAFE: Final = bytes.maketrans(b"+/", b"-_")


def seal_all(
    planned: Sequence[ToEncrypt],
    *,
    event_ids: Sequence[UUID],
    keys: Mapping[Subject, DataKey],
) -> list[dict[str, Any]]:
    """Each planned payload with every personal value encrypted under its subject's key
    from `keys`, in order (`event_ids`: the events' ids, one per payload);
    `MissingDataKey` if a key is absent. For the payloads of one append: each key's
    AES-GCM object and each event's associated data are set up once, and the nonces (a
    fresh random 96 bits per value) come from one call to the OS's generator."""
    count = sum(len(p.leaves) for p in planned)
    if not count:
        return [p.payload for p in planned]
    nonces = os.urandom(NONCE_BYTES * count)
    # By subject object: the plan shares one object per subject, so this is one lookup
    # in `keys` per subject rather than one per value.
    by_subject: dict[int, tuple[str, AESGCM, str]] = {}
    ciphers: dict[str, AESGCM] = {}
    position = 0
    for plan, event_id in zip(planned, event_ids, strict=True):
        if not plan.leaves:
            continue
        event_type = plan.model.event_type()
        heads: dict[str, str] = {}
        for holder, where, path, subject in plan.leaves:
            known = by_subject.get(id(subject))
            if known is None:
                key = keys.get(subject)
                if key is None:
                    dotted = ".".join(str(part) for part in path)
                    raise MissingDataKey(f"no data key given for {subject} (needed at {dotted})")
                cipher = ciphers.get(key.key_id)
                if cipher is None:
                    cipher = ciphers[key.key_id] = AESGCM(key.material)
                known = by_subject[id(subject)] = (
                    key.key_id,
                    cipher,
                    f"{ENCRYPTED_PREFIX}{key.key_id}:",
                )
            key_id, cipher, prefix = known
            head = heads.get(key_id)
            if head is None:
                head = heads[key_id] = _associated_head(key_id, event_type, event_id)
            nonce = nonces[position : position + NONCE_BYTES]
            position += NONCE_BYTES
            sealed = nonce + cipher.encrypt(
                nonce,
                _plaintext(holder[where], path),  # type: ignore[index]
                f"{head},{_path_json(path)}".encode(),
            )
            text = binascii.b2a_base64(sealed, newline=False).translate(_URLSAFE).rstrip(b"=")
            holder[where] = prefix + text.decode()  # type: ignore[index]
    return [p.payload for p in planned]


def seal_planned(
    planned: ToEncrypt,
    *,
    event_id: UUID,
    keys: Mapping[Subject, DataKey],
) -> dict[str, Any]:
    """`planned`'s payload with every personal value encrypted under its subject's key from
    `keys`; `MissingDataKey` if one is absent. (`seal_all` does the same for several.)"""
    return seal_all([planned], event_ids=[event_id], keys=keys)[0]


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
    ciphers: dict[str, AESGCM] | None = None,
) -> Decrypted:
    """A copy of an encrypted `payload` with each personal value decrypted with its key
    from `keys` (by key id), or `REDACTED` where the key is not given (destroyed, or not
    for this caller). `UndecryptableValue` when a value fails authentication. `ciphers`
    (AES-GCM objects by key id) may be shared by the events opened with the same `keys`,
    so each key is set up once."""
    event_type = model.event_type()
    opened: dict[str, Any] = _copy_json(dict(payload))
    redacted: list[str] = []
    ciphers = {} if ciphers is None else ciphers
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
