"""Personal data on an immutable log: encrypted per subject, erased by destroying keys.

Step one of issue 12: the library, not yet wired into the event store, the relay or the
consumers (see libs/eventstore/README.md, "Personal data: encryption and erasure").

- `keys`: `Subject` (a person on a case, or the case), `DataKey`, the master keys
  (`load_master_keys` from `HEARTH_MASTER_KEYS` or `HEARTH_MASTER_KEYS_FILE`), wrapping.
- `fields`: encrypt and decrypt the personal fields of an event's JSON payload with keys
  given as a mapping. Pure: no I/O.
- `key_store`: `KeyStore`, the subjects' wrapped keys on PostgreSQL in a schema of its own:
  get or create, load, destroy (erasure), re-wrap (rotation), grant access.
- `errors`: what goes wrong, in messages that hold no personal data and no key.
"""

from hearth.contracts.events.base import ENCRYPTED_PREFIX
from hearth.eventstore.personal_data.cipher import EventCipher, subject_case_id
from hearth.eventstore.personal_data.errors import (
    InvalidSubject,
    MasterKeyError,
    MasterKeyMissing,
    MissingDataKey,
    NotEncryptable,
    PersonalDataError,
    SubjectErased,
    UndecryptableValue,
)
from hearth.eventstore.personal_data.fields import (
    Decrypted,
    decrypt_personal,
    encrypt_personal,
    is_encrypted,
    key_ids_in,
    subjects_for,
)
from hearth.eventstore.personal_data.key_store import DEFAULT_SCHEMA, KeyStore
from hearth.eventstore.personal_data.keys import (
    DataKey,
    MasterKey,
    MasterKeys,
    Subject,
    development_master_keys,
    load_master_keys,
    master_keys_or_development,
    new_data_key,
    parse_master_keys,
)

__all__ = [
    "DEFAULT_SCHEMA",
    "ENCRYPTED_PREFIX",
    "DataKey",
    "Decrypted",
    "EventCipher",
    "InvalidSubject",
    "KeyStore",
    "MasterKey",
    "MasterKeyError",
    "MasterKeyMissing",
    "MasterKeys",
    "MissingDataKey",
    "NotEncryptable",
    "PersonalDataError",
    "Subject",
    "SubjectErased",
    "UndecryptableValue",
    "decrypt_personal",
    "development_master_keys",
    "encrypt_personal",
    "is_encrypted",
    "key_ids_in",
    "load_master_keys",
    "master_keys_or_development",
    "new_data_key",
    "parse_master_keys",
    "subject_case_id",
    "subjects_for",
]
