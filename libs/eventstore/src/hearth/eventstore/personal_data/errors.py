"""Errors of `hearth.eventstore.personal_data`.

Their messages name settings, key ids, case and person ids and field paths: never a
personal value, never key material. They can be logged and shown as they are.
"""

from __future__ import annotations


class PersonalDataError(Exception):
    """Base of the errors about encrypting personal data and keeping its keys."""

    message_is_safe = True


class MasterKeyError(PersonalDataError):
    """The master keys are missing or malformed (names the setting, never the key)."""


class MasterKeyMissing(MasterKeyError):
    """A data key is wrapped by a master key that is not loaded (retired too early)."""

    def __init__(self, master_key_id: str) -> None:
        self.master_key_id = master_key_id
        super().__init__(
            f"a data key is wrapped by master key {master_key_id!r}, which is not loaded: "
            "keep it in HEARTH_MASTER_KEYS until the key store has been re-wrapped"
        )


class MissingDataKey(PersonalDataError):
    """Encrypting needs a data key for a subject the caller did not supply."""


class NotEncryptable(PersonalDataError):
    """A value at a personal path is neither text nor a date (the contract changed?)."""


class InvalidSubject(PersonalDataError):
    """A `person_id` (or the case id) that encryption keys on is not a UUID."""


class UndecryptableValue(PersonalDataError):
    """An encrypted value failed authentication: changed, moved from another field or
    event, or encrypted under another key. The event cannot be trusted as it is."""


class SubjectErased(PersonalDataError):
    """The subject's key was destroyed (erasure): new personal data about them is refused."""
