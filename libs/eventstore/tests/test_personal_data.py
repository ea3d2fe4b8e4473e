"""Encrypting personal fields per subject, without a database: the contract's own examples."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from contract_examples import (
    ACCOUNT,
    CASE_ID,
    CHILD_ID,
    PERPETRATOR_ID,
    SURVIVOR_ID,
    SURVIVOR_NAME,
    examples,
)

from hearth.contracts.events.base import REDACTED, DomainEvent, personal_paths
from hearth.contracts.events.cases import CaseOpened, FlagRaised, PeopleUpdated, SafeContactUpdated
from hearth.contracts.events.intake import ReportReceived
from hearth.eventstore.personal_data import (
    ENCRYPTED_PREFIX,
    DataKey,
    MasterKey,
    MasterKeyError,
    MasterKeyMissing,
    MasterKeys,
    MissingDataKey,
    Subject,
    UndecryptableValue,
    decrypt_personal,
    encrypt_personal,
    is_encrypted,
    key_ids_in,
    load_master_keys,
    new_data_key,
    parse_master_keys,
    subjects_for,
)
from hearth.eventstore.personal_data.keys import unwrap, wrap

EXAMPLES = examples()
EVENT_ID = uuid.UUID("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
MASKED = object()


# --- helpers, written independently of the code under test ------------------------


def _payload(event: DomainEvent) -> dict[str, Any]:
    return event.model_dump(mode="json")


def _mask(data: Any, path: list[str]) -> None:
    """Replace every value at `path` (through objects and lists) with MASKED, in place."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            if not path:
                data[index] = MASKED if item is not None else None
            else:
                _mask(item, path)
        return
    if not isinstance(data, dict) or data.get(path[0]) is None:
        return
    if len(path) == 1:
        if isinstance(data[path[0]], list):
            _mask(data[path[0]], [])
        else:
            data[path[0]] = MASKED
        return
    _mask(data[path[0]], path[1:])


def _masked(model: type[DomainEvent], payload: dict[str, Any]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(payload))
    for path in personal_paths(model):
        _mask(copy, path.split("."))
    return copy


def _personal_strings(model: type[DomainEvent], payload: dict[str, Any]) -> list[str]:
    original = json.loads(json.dumps(payload))
    masked = _masked(model, payload)
    found: list[str] = []

    def walk(a: Any, b: Any) -> None:
        if b is MASKED:
            found.append(str(a))
        elif isinstance(b, dict):
            for key in b:
                walk(a[key], b[key])
        elif isinstance(b, list):
            for x, y in zip(a, b, strict=True):
                walk(x, y)

    walk(original, masked)
    return found


WITH_PERSONAL_DATA = sorted(
    t for t, e in EXAMPLES.items() if _personal_strings(type(e), e.model_dump(mode="json"))
)
"""The examples holding personal values (in others the personal fields are left out)."""
WITHOUT = sorted(set(EXAMPLES) - set(WITH_PERSONAL_DATA))


def _keys_for(
    model: type[DomainEvent], payload: dict[str, Any], case_id: uuid.UUID = CASE_ID
) -> dict[Subject, DataKey]:
    return {s: new_data_key(s) for s in subjects_for(model, payload, case_id=case_id)}


def _by_id(keys: dict[Subject, DataKey]) -> dict[str, DataKey]:
    return {key.key_id: key for key in keys.values()}


def _key_id_of(value: str) -> str:
    assert value.startswith(ENCRYPTED_PREFIX)
    return value[len(ENCRYPTED_PREFIX) :].split(":", 1)[0]


def _sealed_report() -> tuple[dict[str, Any], dict[Subject, DataKey]]:
    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    keys = _keys_for(ReportReceived, payload)
    sealed = encrypt_personal(
        ReportReceived, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=keys
    )
    return sealed, keys


# --- round trips -------------------------------------------------------------------


@pytest.mark.parametrize("event_type", WITH_PERSONAL_DATA)
def test_every_example_round_trips_and_its_personal_text_is_gone(event_type: str) -> None:
    event = EXAMPLES[event_type]
    model = type(event)
    payload = _payload(event)
    keys = _keys_for(model, payload)

    sealed = encrypt_personal(model, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=keys)

    personal = _personal_strings(model, payload)
    stored = json.dumps(sealed)
    for text in personal:
        assert text not in stored
    assert _masked(model, sealed) == _masked(model, payload)  # nothing else changed
    assert all(is_encrypted(v) for v in _personal_strings(model, sealed))
    assert key_ids_in(model, sealed) <= {k.key_id for k in keys.values()}

    opened = decrypt_personal(model, sealed, event_id=EVENT_ID, keys=_by_id(keys))

    assert opened.payload == payload
    assert opened.redacted == ()
    assert model.model_validate(opened.payload) == event
    assert payload == _payload(event)  # the input is not changed


def test_the_examples_cover_survivor_perpetrator_child_and_free_text() -> None:
    assert len(WITH_PERSONAL_DATA) >= 20
    assert {ReportReceived.event_type(), CaseOpened.event_type()} <= set(WITH_PERSONAL_DATA)


@pytest.mark.parametrize("event_type", WITHOUT)
def test_an_event_without_personal_values_needs_no_key_and_is_unchanged(event_type: str) -> None:
    event = EXAMPLES[event_type]
    payload = _payload(event)
    model = type(event)
    assert subjects_for(model, payload, case_id=CASE_ID) == frozenset()
    assert encrypt_personal(model, payload, case_id=CASE_ID, event_id=EVENT_ID, keys={}) == payload


def test_a_report_is_encrypted_under_one_key_per_person_and_the_case_key() -> None:
    sealed, keys = _sealed_report()
    survivor = keys[Subject(CASE_ID, SURVIVOR_ID)].key_id
    perpetrator = keys[Subject(CASE_ID, PERPETRATOR_ID)].key_id
    child = keys[Subject(CASE_ID, CHILD_ID)].key_id
    case = keys[Subject(CASE_ID)].key_id

    assert len({survivor, perpetrator, child, case}) == 4
    assert set(keys) == {
        Subject(CASE_ID),
        Subject(CASE_ID, SURVIVOR_ID),
        Subject(CASE_ID, PERPETRATOR_ID),
        Subject(CASE_ID, CHILD_ID),
    }
    assert _key_id_of(sealed["survivor"]["name"]) == survivor
    assert _key_id_of(sealed["survivor"]["date_of_birth"]) == survivor
    assert {_key_id_of(line) for line in sealed["survivor"]["address"]["lines"]} == {survivor}
    assert _key_id_of(sealed["alleged_perpetrators"][0]["name"]) == perpetrator
    assert _key_id_of(sealed["children"][0]["name"]) == child
    assert _key_id_of(sealed["children"][0]["date_of_birth"]) == child
    # No person object around them: the reporter, the account, the tenancy: the case's key.
    assert _key_id_of(sealed["reporter"]["name"]) == case
    assert _key_id_of(sealed["account"]) == case
    assert _key_id_of(sealed["tenancy_reference"]) == case
    assert ACCOUNT not in json.dumps(sealed) and SURVIVOR_NAME not in json.dumps(sealed)


def test_ids_shape_none_and_non_personal_fields_stay_as_they_were() -> None:
    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    sealed, _ = _sealed_report()

    assert sealed["survivor"]["person_id"] == str(SURVIVOR_ID)
    assert sealed["survivor"]["email"] is None and payload["survivor"]["email"] is None
    assert sealed["survivor"]["equality"] == payload["survivor"]["equality"]
    assert sealed["alleged_perpetrators"][0]["relationship_to_survivor"] == "intimate_partner"
    assert sealed["children"][0]["age_band"] == payload["children"][0]["age_band"]
    lines = payload["survivor"]["address"]["lines"]
    assert len(sealed["survivor"]["address"]["lines"]) == len(lines)
    assert sealed["received_at"] == payload["received_at"]
    assert sealed.keys() == payload.keys()


def test_a_date_of_birth_is_encrypted_as_its_iso_text() -> None:
    sealed, keys = _sealed_report()
    opened = decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))
    assert opened.payload["survivor"]["date_of_birth"] == "1990-05-17"
    assert "1990-05-17" not in json.dumps(sealed)


def test_each_item_of_a_list_of_personal_values_is_encrypted_on_its_own() -> None:
    payload = _payload(EXAMPLES[SafeContactUpdated.event_type()])
    payload["safe_contact"]["safe_phone_numbers"] = ["07700 900456", "07700 900456"]
    keys = _keys_for(SafeContactUpdated, payload)
    sealed = encrypt_personal(
        SafeContactUpdated, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=keys
    )
    first, second = sealed["safe_contact"]["safe_phone_numbers"]
    assert is_encrypted(first) and is_encrypted(second) and first != second
    assert set(keys) == {Subject(CASE_ID)}  # safe contact sits outside a person: the case key


def test_the_same_value_encrypts_differently_each_time() -> None:
    a, keys = _sealed_report()
    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    b = encrypt_personal(ReportReceived, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=keys)
    assert a["survivor"]["name"] != b["survivor"]["name"]


def test_an_event_about_one_person_uses_that_persons_key() -> None:
    payload = _payload(EXAMPLES[FlagRaised.event_type()])
    keys = _keys_for(FlagRaised, payload)
    assert set(keys) == {Subject(CASE_ID, SURVIVOR_ID)}
    sealed = encrypt_personal(FlagRaised, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=keys)
    assert _key_id_of(sealed["reason"]) == keys[Subject(CASE_ID, SURVIVOR_ID)].key_id


def test_encrypting_without_a_subjects_key_is_refused_and_names_no_value() -> None:
    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    keys = _keys_for(ReportReceived, payload)
    del keys[Subject(CASE_ID, CHILD_ID)]
    with pytest.raises(MissingDataKey) as raised:
        encrypt_personal(ReportReceived, payload, case_id=CASE_ID, event_id=EVENT_ID, keys=keys)
    assert str(CHILD_ID) in str(raised.value) and "children.0" in str(raised.value)
    assert "Jo Example" not in str(raised.value)


# --- erasure -------------------------------------------------------------------------


def test_a_destroyed_person_key_redacts_only_that_persons_fields() -> None:
    sealed, keys = _sealed_report()
    perpetrator = keys.pop(Subject(CASE_ID, PERPETRATOR_ID))

    opened = decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))

    perp = opened.payload["alleged_perpetrators"][0]
    assert perp["name"] == REDACTED
    assert perp["person_id"] == str(PERPETRATOR_ID)
    assert perp["relationship_to_survivor"] == "intimate_partner"
    assert opened.redacted == ("alleged_perpetrators.0.name",)
    assert opened.payload["survivor"]["name"] == SURVIVOR_NAME
    assert opened.payload["children"][0]["name"] == "Jo Example"
    assert opened.payload["account"] == ACCOUNT
    assert "Sam Sample" not in json.dumps(opened.payload)
    assert perpetrator.key_id in key_ids_in(ReportReceived, sealed)


def test_without_the_case_key_case_level_text_is_redacted_and_people_still_open() -> None:
    sealed, keys = _sealed_report()
    keys.pop(Subject(CASE_ID))
    opened = decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))
    assert opened.payload["account"] == REDACTED
    assert opened.payload["reporter"]["name"] == REDACTED
    assert opened.payload["survivor"]["name"] == SURVIVOR_NAME


def test_with_no_keys_at_all_every_personal_value_is_redacted() -> None:
    sealed, _ = _sealed_report()
    opened = decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys={})
    assert set(_personal_strings(ReportReceived, opened.payload)) == {REDACTED}
    assert _masked(ReportReceived, opened.payload) == _masked(ReportReceived, sealed)


# --- authentication ------------------------------------------------------------------


def test_a_ciphertext_moved_to_another_field_fails_to_open() -> None:
    sealed, keys = _sealed_report()
    sealed["survivor"]["phone"] = sealed["survivor"]["name"]  # same person, same key
    with pytest.raises(UndecryptableValue) as raised:
        decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))
    assert "survivor.phone" in str(raised.value)
    assert SURVIVOR_NAME not in str(raised.value)


def test_a_ciphertext_moved_to_another_list_item_fails_to_open() -> None:
    sealed, keys = _sealed_report()
    lines = sealed["survivor"]["address"]["lines"]
    lines[0], lines[1] = lines[1], lines[0]
    with pytest.raises(UndecryptableValue):
        decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))


def test_a_ciphertext_moved_to_another_event_fails_to_open() -> None:
    opened_payload = _payload(EXAMPLES[CaseOpened.event_type()])
    keys = _keys_for(CaseOpened, opened_payload)
    case_opened = encrypt_personal(
        CaseOpened, opened_payload, case_id=CASE_ID, event_id=EVENT_ID, keys=keys
    )
    people = _payload(EXAMPLES[PeopleUpdated.event_type()])
    people_keys = {**keys, **_keys_for(PeopleUpdated, people)}
    other_id = uuid.uuid4()
    updated = encrypt_personal(
        PeopleUpdated, people, case_id=CASE_ID, event_id=other_id, keys=people_keys
    )
    by_id = _by_id(people_keys)

    moved = {**updated, "survivor": case_opened["survivor"]}  # another event type
    with pytest.raises(UndecryptableValue):
        decrypt_personal(PeopleUpdated, moved, event_id=other_id, keys=by_id)

    # The same event type, but another event: the event id is bound in too.
    with pytest.raises(UndecryptableValue):
        decrypt_personal(CaseOpened, case_opened, event_id=other_id, keys=by_id)


def test_changing_one_byte_of_a_ciphertext_fails_to_open() -> None:
    sealed, keys = _sealed_report()
    value = sealed["account"]
    prefix, encoded = value.rsplit(":", 1)
    blob = bytearray(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    for position in (0, len(blob) // 2, len(blob) - 1):  # nonce, ciphertext, tag
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        text = base64.urlsafe_b64encode(bytes(tampered)).rstrip(b"=").decode()
        sealed["account"] = f"{prefix}:{text}"
        with pytest.raises(UndecryptableValue) as raised:
            decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))
        assert "account" in str(raised.value)


def test_a_malformed_ciphertext_is_refused_not_redacted() -> None:
    sealed, keys = _sealed_report()
    sealed["account"] = f"{ENCRYPTED_PREFIX}{keys[Subject(CASE_ID)].key_id}:!!"
    with pytest.raises(UndecryptableValue, match="malformed"):
        decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))


def test_a_ciphertext_relabelled_with_another_key_id_fails_to_open() -> None:
    sealed, keys = _sealed_report()
    survivor = keys[Subject(CASE_ID, SURVIVOR_ID)].key_id
    case = keys[Subject(CASE_ID)].key_id
    sealed["account"] = sealed["account"].replace(case, survivor)
    with pytest.raises(UndecryptableValue):
        decrypt_personal(ReportReceived, sealed, event_id=EVENT_ID, keys=_by_id(keys))


def test_plaintext_from_before_encryption_is_returned_as_it_is() -> None:
    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    opened = decrypt_personal(ReportReceived, payload, event_id=EVENT_ID, keys={})
    assert opened.payload == payload and opened.redacted == ()


# --- master keys and wrapping ---------------------------------------------------------

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))


def _b64(material: bytes) -> str:
    return base64.b64encode(material).decode()


def test_master_keys_come_from_the_environment_current_first() -> None:
    keys = load_master_keys({"HEARTH_MASTER_KEYS": f"b:{_b64(KEY_B)}, a:{_b64(KEY_A)}"})
    assert keys.current == MasterKey("b", KEY_B)
    assert keys.ids == ("b", "a")
    assert keys.get("a").material == KEY_A
    assert _b64(KEY_A) not in repr(keys) and "a" in repr(keys)
    assert repr(KEY_A) not in repr(keys.get("a"))


def test_master_keys_come_from_a_mounted_file(tmp_path: Path) -> None:
    secret = tmp_path / "master-keys"
    secret.write_text(f"b:{base64.urlsafe_b64encode(KEY_B).decode()}\na:{_b64(KEY_A)}\n")
    keys = load_master_keys({"HEARTH_MASTER_KEYS_FILE": str(secret)})
    assert keys.ids == ("b", "a") and keys.current.material == KEY_B


def test_a_missing_master_key_names_both_settings() -> None:
    with pytest.raises(MasterKeyError) as raised:
        load_master_keys({})
    assert "HEARTH_MASTER_KEYS" in str(raised.value)
    assert "HEARTH_MASTER_KEYS_FILE" in str(raised.value)


def test_an_unreadable_master_key_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="HEARTH_MASTER_KEYS_FILE"):
        load_master_keys({"HEARTH_MASTER_KEYS_FILE": str(tmp_path / "absent")})


def test_both_settings_at_once_are_refused() -> None:
    with pytest.raises(MasterKeyError, match="not both"):
        load_master_keys(
            {"HEARTH_MASTER_KEYS": f"a:{_b64(KEY_A)}", "HEARTH_MASTER_KEYS_FILE": "/x"}
        )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "holds no master key"),
        (_b64(KEY_A), "entry 1 is not <id>:<base64"),
        (f"a:{_b64(KEY_A)},b:{_b64(KEY_B[:16])}", "entry 2 is not <id>:<base64 of exactly 32"),
        (f"a:{_b64(KEY_A)[:-3]}***", "entry 1 is not <id>:<base64 of exactly 32"),
        (f"a:{_b64(KEY_A)},a:{_b64(KEY_B)}", "entries 1 and 2 have the same master key id"),
        (f"{_b64(KEY_B)[:10]} x:{_b64(KEY_A)}", "entry 1 is not <id>"),
        # A key written where the id goes (unpadded, so it looks like an id) is not echoed.
        (f"{_b64(KEY_B).rstrip('=')}:short", "entry 1 is not <id>:<base64 of exactly 32"),
    ],
)
def test_malformed_master_keys_name_the_setting_and_never_the_key(text: str, says: str) -> None:
    with pytest.raises(MasterKeyError) as raised:
        parse_master_keys(text)
    message = str(raised.value)
    assert message.startswith("HEARTH_MASTER_KEYS") and says in message
    for material in (KEY_A, KEY_B):
        assert _b64(material)[:8] not in message


def test_a_wrapped_key_unwraps_only_under_its_master_and_for_its_own_row() -> None:
    masters = MasterKeys([MasterKey("b", KEY_B), MasterKey("a", KEY_A)])
    subject = Subject(CASE_ID, SURVIVOR_ID)
    key = new_data_key(subject)
    wrapped = wrap(masters.get("a"), key)

    assert key.material not in wrapped
    assert unwrap(masters.get("a"), wrapped, key_id=key.key_id, subject=subject) == key
    with pytest.raises(UndecryptableValue):
        unwrap(masters.get("b"), wrapped, key_id=key.key_id, subject=subject)
    with pytest.raises(UndecryptableValue):
        unwrap(masters.get("a"), wrapped, key_id=key.key_id, subject=Subject(CASE_ID, CHILD_ID))
    with pytest.raises(UndecryptableValue):
        unwrap(masters.get("a"), wrapped, key_id="another", subject=subject)
    with pytest.raises(MasterKeyMissing, match="'c'"):
        masters.get("c")
    assert repr(key.material) not in repr(key)


def test_without_master_key_settings_the_development_key_is_used_and_recognised() -> None:
    from hearth.eventstore.personal_data.keys import (
        master_keys_or_development,
        uses_development_master_key,
    )

    keys = master_keys_or_development({})
    assert uses_development_master_key(keys)
    assert "development" in repr(keys) and _b64(keys.current.material) not in repr(keys)
    given = master_keys_or_development({"HEARTH_MASTER_KEYS": f"prod:{_b64(KEY_A)}"})
    assert not uses_development_master_key(given) and given.current.key_id == "prod"
    with pytest.raises(MasterKeyError, match="HEARTH_MASTER_KEYS"):
        master_keys_or_development({"HEARTH_MASTER_KEYS": "prod:not-a-key"})


# --- the stored forms are exactly the documented ones (written independently) -------


def test_a_wrapped_key_is_aes_gcm_under_the_master_with_its_row_as_json_associated_data() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    master = MasterKey("a", KEY_A)
    for subject in (Subject(CASE_ID, SURVIVOR_ID), Subject(CASE_ID)):
        key = new_data_key(subject)
        wrapped = wrap(master, key)
        person = "" if subject.person_id is None else str(subject.person_id)
        associated = json.dumps(["hearth:datakey:v1", key.key_id, str(CASE_ID), person])
        assert AESGCM(KEY_A).decrypt(wrapped[:12], wrapped[12:], associated.encode()) == (
            key.material
        )


def test_a_value_is_aes_gcm_with_its_event_and_concrete_path_as_json_associated_data() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    sealed, keys = _sealed_report()
    by_id = _by_id(keys)
    paths: list[tuple[str | int, ...]] = [
        ("survivor", "name"),
        ("survivor", "address", "lines", 1),
        ("children", 0, "date_of_birth"),
        ("account",),
    ]
    for path in paths:
        value: Any = sealed
        original: Any = payload
        for part in path:
            value, original = value[part], original[part]
        key_id, encoded = value[len(ENCRYPTED_PREFIX) :].split(":")
        blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        associated = json.dumps(
            [ENCRYPTED_PREFIX, key_id, ReportReceived.event_type(), str(EVENT_ID), *path],
            separators=(",", ":"),
        )
        aead = AESGCM(by_id[key_id].material)
        assert aead.decrypt(blob[:12], blob[12:], associated.encode()).decode() == original


def test_sealing_leaves_the_payload_given_as_it_was() -> None:
    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    before = json.loads(json.dumps(payload))
    sealed, _ = _sealed_report()
    again = encrypt_personal(
        ReportReceived,
        payload,
        case_id=CASE_ID,
        event_id=EVENT_ID,
        keys=_keys_for(ReportReceived, payload),
    )
    assert payload == before
    assert again["survivor"]["address"]["lines"] is not payload["survivor"]["address"]["lines"]
    assert again != payload and sealed != payload


def test_every_value_of_one_append_gets_its_own_nonce() -> None:
    from hearth.eventstore.personal_data.fields import plan_personal, seal_all

    payload = _payload(EXAMPLES[ReportReceived.event_type()])
    persons: dict[Any, Subject] = {}
    planned = [
        plan_personal(ReportReceived, payload, case_id=CASE_ID, persons=persons) for _ in range(20)
    ]
    keys = {s: new_data_key(s) for s in persons.values()}
    sealed = seal_all(planned, event_ids=[uuid.uuid4() for _ in planned], keys=keys)
    values = [v for p in sealed for v in _encrypted_values(p)]
    nonces = {base64.urlsafe_b64decode(v.rsplit(":", 1)[1] + "==")[:12] for v in values}
    assert len(values) > 100 and len(nonces) == len(values)


def _encrypted_values(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [v for item in data.values() for v in _encrypted_values(item)]
    if isinstance(data, list):
        return [v for item in data for v in _encrypted_values(item)]
    return [data] if is_encrypted(data) else []


def test_new_data_keys_have_random_hex_ids_and_random_keys_of_their_own() -> None:
    made = [new_data_key(Subject(CASE_ID)) for _ in range(50)]
    assert all(len(k.key_id) == 32 and int(k.key_id, 16) >= 0 for k in made)
    assert len({k.key_id for k in made}) == len({k.material for k in made}) == len(made)
    assert all(bytes.fromhex(k.key_id) not in k.material for k in made)
