"""Keys: the subjects personal data belongs to, their data keys, and the master keys.

Pure apart from `load_master_keys`, which reads the environment (or the file it names).

- A `Subject` is whom a data key belongs to: one person on one case (`person_id`), or the
  case itself (`person_id` None) for case-level free text. Ids only: no personal data.
- A `DataKey` is a random 256-bit AES-GCM key with an opaque random id (hex), the id that
  every ciphertext it made carries.
- A `MasterKey` wraps (encrypts) data keys for storage. `MasterKeys` holds the current
  one, which wraps every new key, and older ones still needed to unwrap keys that have
  not been re-wrapped yet (rotation).

Wrapping is AES-GCM too, with the data key's id and subject as associated data, so a
wrapped key copied onto another row of the key store does not unwrap.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hearth.eventstore.personal_data.errors import (
    MasterKeyError,
    MasterKeyMissing,
    UndecryptableValue,
)

KEY_BYTES: Final = 32
"""AES-256: data keys and master keys are 32 random bytes."""
NONCE_BYTES: Final = 12
"""AES-GCM's 96-bit nonce, fresh from the OS for every encryption."""
MASTER_KEYS_SETTING: Final = "HEARTH_MASTER_KEYS"
MASTER_KEYS_FILE_SETTING: Final = "HEARTH_MASTER_KEYS_FILE"

_KEY_ID: Final = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_WRAP_CONTEXT: Final = "hearth:datakey:v1"


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a data key belongs to: a person on a case, or the case (`person_id` None)."""

    case_id: UUID
    person_id: UUID | None = None

    def __str__(self) -> str:
        if self.person_id is None:
            return f"case {self.case_id}"
        return f"person {self.person_id} on case {self.case_id}"

    def sort_key(self) -> tuple[str, str]:
        return (str(self.case_id), "" if self.person_id is None else str(self.person_id))


@dataclass(frozen=True, slots=True)
class DataKey:
    """A subject's data key, unwrapped. Its repr never shows the key."""

    key_id: str
    subject: Subject
    material: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.key_id):
            raise ValueError("a data key id is 1-64 letters, digits, '.', '_' or '-'")
        if len(self.material) != KEY_BYTES:
            raise ValueError(f"data key {self.key_id} is not {KEY_BYTES} bytes")


_KEY_ID_BYTES: Final = 16


def new_data_key(subject: Subject) -> DataKey:
    """A fresh random data key with a fresh opaque id (random: says nothing of its subject).
    Both from the OS's generator, in one call: 128 bits of id (as 32 hex characters), then
    the 256-bit key."""
    drawn = os.urandom(_KEY_ID_BYTES + KEY_BYTES)
    return DataKey(drawn[:_KEY_ID_BYTES].hex(), subject, drawn[_KEY_ID_BYTES:])


@dataclass(frozen=True, slots=True)
class MasterKey:
    """A key-encryption key. Its repr never shows the key."""

    key_id: str
    material: bytes = field(repr=False)
    _aead: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.key_id):
            raise ValueError("a master key id is 1-64 letters, digits, '.', '_' or '-'")
        if len(self.material) != KEY_BYTES:
            raise ValueError(f"master key {self.key_id} is not {KEY_BYTES} bytes")
        # Set up once: every wrap and unwrap with this key uses it.
        object.__setattr__(self, "_aead", AESGCM(self.material))

    @property
    def aead(self) -> AESGCM:
        """This key's AES-GCM object (made once)."""
        return self._aead


class MasterKeys:
    """The master keys in order: the first is current (wraps new keys and re-wraps old
    ones), the others only unwrap keys not yet re-wrapped."""

    __slots__ = ("_by_id", "_keys")

    def __init__(self, keys: Iterable[MasterKey]) -> None:
        self._keys = tuple(keys)
        if not self._keys:
            raise MasterKeyError("at least one master key is needed")
        self._by_id = {key.key_id: key for key in self._keys}
        if len(self._by_id) != len(self._keys):
            raise MasterKeyError("master key ids must be unique")

    @property
    def current(self) -> MasterKey:
        return self._keys[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key.key_id for key in self._keys)

    def get(self, key_id: str) -> MasterKey:
        try:
            return self._by_id[key_id]
        except KeyError:
            raise MasterKeyMissing(key_id) from None

    def __repr__(self) -> str:
        return f"MasterKeys(ids={self.ids!r})"


def _decode_key(text: str) -> bytes | None:
    text = text.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_master_keys(text: str, *, setting: str = MASTER_KEYS_SETTING) -> MasterKeys:
    """`id:base64(32 bytes)` entries separated by commas or line breaks, current first.

    Errors name `setting` and the entry's position, never what the entry holds (not even
    its id: a key written where the id goes must not end up in a log).
    """
    entries = [e.strip() for e in re.split(r"[,\n]", text) if e.strip()]
    if not entries:
        raise MasterKeyError(f"{setting} holds no master key: give id:base64(32 bytes), ...")
    keys: list[MasterKey] = []
    for position, entry in enumerate(entries, start=1):
        key_id, colon, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not colon or not _KEY_ID.fullmatch(key_id):
            raise MasterKeyError(
                f"{setting}: entry {position} is not <id>:<base64 of {KEY_BYTES} bytes> "
                "(an id is 1-64 letters, digits, '.', '_' or '-')"
            )
        material = _decode_key(encoded)
        if material is None or len(material) != KEY_BYTES:
            raise MasterKeyError(
                f"{setting}: entry {position} is not <id>:<base64 of exactly {KEY_BYTES} bytes>"
            )
        for earlier, key in enumerate(keys, start=1):
            if key.key_id == key_id:
                raise MasterKeyError(
                    f"{setting}: entries {earlier} and {position} have the same master key id"
                )
        keys.append(MasterKey(key_id, material))
    return MasterKeys(keys)


def load_master_keys(environ: Mapping[str, str] | None = None) -> MasterKeys:
    """The master keys from `HEARTH_MASTER_KEYS`, or from the file `HEARTH_MASTER_KEYS_FILE`
    names (a mounted secret). Exactly one of the two must be set."""
    env = os.environ if environ is None else environ
    inline = env.get(MASTER_KEYS_SETTING)
    path = env.get(MASTER_KEYS_FILE_SETTING)
    if inline and path:
        raise MasterKeyError(f"set {MASTER_KEYS_SETTING} or {MASTER_KEYS_FILE_SETTING}, not both")
    if inline:
        return parse_master_keys(inline, setting=MASTER_KEYS_SETTING)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MasterKeyError(
                f"{MASTER_KEYS_FILE_SETTING}: cannot read {path!r} ({type(exc).__name__})"
            ) from None
        return parse_master_keys(text, setting=f"{MASTER_KEYS_FILE_SETTING} ({path})")
    raise MasterKeyError(
        f"no master key: set {MASTER_KEYS_SETTING} (id:base64(32 bytes), current first) "
        f"or {MASTER_KEYS_FILE_SETTING} (the path of a file holding the same)"
    )


def _wrap_context(key_id: str, subject: Subject) -> bytes:
    person = "" if subject.person_id is None else str(subject.person_id)
    if _KEY_ID.fullmatch(key_id):  # nothing to escape: json.dumps's very text, quicker
        return f'["{_WRAP_CONTEXT}", "{key_id}", "{subject.case_id}", "{person}"]'.encode()
    return json.dumps([_WRAP_CONTEXT, key_id, str(subject.case_id), person]).encode()


def wrap(master: MasterKey, key: DataKey) -> bytes:
    """The data key encrypted under `master`: nonce || ciphertext || tag."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = master.aead.encrypt(nonce, key.material, _wrap_context(key.key_id, key.subject))
    return nonce + sealed


def unwrap(master: MasterKey, wrapped: bytes, *, key_id: str, subject: Subject) -> DataKey:
    """The data key `wrap` made; refused if it was changed or belongs to another row."""
    try:
        material = master.aead.decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_context(key_id, subject)
        )
    except (InvalidTag, ValueError):
        raise UndecryptableValue(
            f"data key {key_id} does not unwrap under master key {master.key_id!r}: "
            "changed, copied from another row, or wrapped by another master key"
        ) from None
    return DataKey(key_id, subject, material)


DEVELOPMENT_MASTER_KEY_ID: Final = "development"
"""The id of the well-known development master key (never to be used in production)."""
_DEVELOPMENT_MASTER_KEY: Final = hashlib.sha256(
    b"hearth-local-development-master-key-change-me-in-production"
).digest()


def development_master_keys() -> MasterKeys:
    """The well-known development master key: `make up` and the tests run with no
    configuration, exactly as with the JWT development key. Anyone can read it in this
    source file, so data keys it wraps protect nothing: production sets
    `HEARTH_MASTER_KEYS` or `HEARTH_MASTER_KEYS_FILE`, and the runtime warns at start-up
    while this key is in use."""
    return MasterKeys([MasterKey(DEVELOPMENT_MASTER_KEY_ID, _DEVELOPMENT_MASTER_KEY)])


def master_keys_or_development(environ: Mapping[str, str] | None = None) -> MasterKeys:
    """`load_master_keys`, or the development key when neither setting is given (a
    setting given but malformed is still an error: never a silent fallback)."""
    env = os.environ if environ is None else environ
    if not env.get(MASTER_KEYS_SETTING) and not env.get(MASTER_KEYS_FILE_SETTING):
        return development_master_keys()
    return load_master_keys(env)


def uses_development_master_key(keys: MasterKeys) -> bool:
    """True when the current master key is the well-known development one."""
    return keys.current.key_id == DEVELOPMENT_MASTER_KEY_ID or (
        keys.current.material == _DEVELOPMENT_MASTER_KEY
    )
