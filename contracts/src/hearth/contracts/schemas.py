"""JSON Schemas and the AsyncAPI document generated from the event models.

    python -m hearth.contracts.schemas write   # regenerate contracts/schemas and asyncapi
    python -m hearth.contracts.schemas check   # exit 1, listing drift, if they differ

`write` refuses (exit 2) to overwrite a committed schema with one that is not backward
compatible, or to drop a committed schema: old events stay readable forever, so such a
change needs a new event version and an upcaster instead. Output is deterministic:
sorted keys, two-space indent, a trailing newline.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from hearth.contracts import envelope, topics
from hearth.contracts.compat import check_backward_compatible
from hearth.contracts.events import event_types
from hearth.contracts.events.base import (
    ENCRYPTED_PATTERN,
    PERSONAL_SCHEMA_KEY,
    DomainEvent,
    model_for,
    personal_paths,
)

CONTRACTS_DIR: Final = Path(__file__).resolve().parents[3]
"""The `contracts/` directory of a source checkout."""
SCHEMA_DIR_NAME: Final = "schemas"
ASYNCAPI_PATH: Final = Path("asyncapi") / "asyncapi.json"
ENVELOPE_FILE: Final = "envelope.json"
JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
KAFKA_BINDING_VERSION: Final = "0.5.0"


def render(document: Mapping[str, Any]) -> str:
    """The one text form of a generated file."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


ENCRYPTED_VALUE: Final[dict[str, Any]] = {
    "type": "string",
    "pattern": ENCRYPTED_PATTERN,
    "description": "A personal value encrypted under its data subject's key "
    "(hearth:enc:v1:<key id>:<base64url>), as every personal value is stored and "
    "published. Readers granted key access decrypt it; others see only this.",
}
"""The encrypted form of a personal value, an alternative of every `x-personal` property."""

_KEEP_ON_PROPERTY: Final = frozenset({"title", "description", "default", PERSONAL_SCHEMA_KEY})


def _with_encrypted_form(value: dict[str, Any]) -> dict[str, Any]:
    """A personal value's schema that also accepts its encrypted form."""
    if "anyOf" in value:
        return {**value, "anyOf": [*value["anyOf"], dict(ENCRYPTED_VALUE)]}
    if value.get("type") == "array" and isinstance(value.get("items"), dict):
        return {**value, "items": _with_encrypted_form(value["items"])}
    plain = {k: v for k, v in value.items() if k not in _KEEP_ON_PROPERTY}
    kept = {k: v for k, v in value.items() if k in _KEEP_ON_PROPERTY}
    if value.get(PERSONAL_SCHEMA_KEY):
        plain[PERSONAL_SCHEMA_KEY] = True
    return {**kept, "anyOf": [plain, dict(ENCRYPTED_VALUE)]}


def _describe_encrypted_forms(schema: dict[str, Any]) -> None:
    """Every `x-personal` property, at the top and in `$defs`, accepts the encrypted form."""
    holders = [schema, *schema.get("$defs", {}).values()]
    for holder in holders:
        properties = holder.get("properties")
        if not isinstance(properties, dict):
            continue
        for name, value in properties.items():
            if isinstance(value, dict) and value.get(PERSONAL_SCHEMA_KEY):
                properties[name] = _with_encrypted_form(value)


def event_schema(model: type[DomainEvent]) -> dict[str, Any]:
    """The JSON Schema of one event type's payload, as it is published: every personal
    value (`x-personal`) in its plain form or its encrypted form (`ENCRYPTED_VALUE`)."""
    schema = model.model_json_schema(mode="validation")
    _describe_encrypted_forms(schema)
    schema["$schema"] = JSON_SCHEMA_DIALECT
    schema["title"] = model.event_type()
    schema["x-hearth-event-type"] = model.event_type()
    schema["x-hearth-topic"] = topics.events_topic(model.service)
    schema["x-personal-paths"] = sorted(personal_paths(model))
    return schema


def envelope_schema() -> dict[str, Any]:
    """The JSON Schema of a stored, sealed event envelope."""
    schema = envelope.Envelope.model_json_schema(mode="validation")
    schema["$schema"] = JSON_SCHEMA_DIALECT
    return schema


def generated_schemas() -> dict[str, str]:
    """Every schema file's text, by file name."""
    files = {f"{t}.json": render(event_schema(model_for(t))) for t in event_types()}
    files[ENVELOPE_FILE] = render(envelope_schema())
    return files


def expected_files(root: Path = CONTRACTS_DIR) -> dict[Path, str]:
    """Every generated file under `root`, with the text it should have."""
    schema_dir = root / SCHEMA_DIR_NAME
    files = {schema_dir / name: text for name, text in generated_schemas().items()}
    files[root / ASYNCAPI_PATH] = render(asyncapi_document())
    return files


def committed_schemas(root: Path = CONTRACTS_DIR) -> dict[str, str]:
    """The schema files now on disk, by file name."""
    schema_dir = root / SCHEMA_DIR_NAME
    if not schema_dir.is_dir():
        return {}
    return {path.name: path.read_text("utf-8") for path in sorted(schema_dir.glob("*.json"))}


def compatibility_problems(existing: Mapping[str, str], generated: Mapping[str, str]) -> list[str]:
    """Why replacing the `existing` schema files with `generated` would break old events."""
    problems: list[str] = []
    for name in sorted(existing):
        label = name.removesuffix(".json")
        if name not in generated:
            problems.append(f"{label}: schema would be dropped; keep the model of every version")
            continue
        if existing[name] == generated[name]:
            continue
        old, new = json.loads(existing[name]), json.loads(generated[name])
        problems += [f"{label}: {p}" for p in check_backward_compatible(old, new)]
    return problems


def drift(root: Path = CONTRACTS_DIR) -> list[str]:
    """Generated files missing, different or unexpected on disk, as messages."""
    expected = expected_files(root)
    problems = [
        f"{path.relative_to(root)}: {'differs' if path.exists() else 'missing'}"
        for path, text in sorted(expected.items())
        if not path.exists() or path.read_text("utf-8") != text
    ]
    schema_dir = root / SCHEMA_DIR_NAME
    if schema_dir.is_dir():
        problems += [
            f"{path.relative_to(root)}: no longer generated"
            for path in sorted(schema_dir.glob("*.json"))
            if path not in expected
        ]
    return problems


def write(root: Path = CONTRACTS_DIR) -> int:
    """Regenerate every file under `root`; 2 (and nothing written) if that breaks old events."""
    problems = compatibility_problems(committed_schemas(root), generated_schemas())
    if problems:
        print("refusing to write: not backward compatible", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        print("add a new event version with an upcaster instead", file=sys.stderr)
        return 2
    for path, text in sorted(expected_files(root).items()):
        if path.exists() and path.read_text("utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        print(f"wrote {path.relative_to(root)}")
    return 0


def check(root: Path = CONTRACTS_DIR) -> int:
    """0 when every generated file on disk is current, else 1 with the drift listed."""
    problems = drift(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("run: python -m hearth.contracts.schemas write", file=sys.stderr)
    return 1 if problems else 0


# --- AsyncAPI --------------------------------------------------------------------------


def _contract_version() -> str:
    try:
        return metadata.version("hearth-contracts")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def cloudevents_headers() -> dict[str, Any]:
    """The Kafka headers of a Hearth record: CloudEvents binary mode plus Hearth's extensions."""
    uuid = {"type": "string", "format": "uuid"}
    timestamp = {"type": "string", "format": "date-time"}
    sha256 = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

    def ext(name: str) -> str:
        return f"ce_{name}"

    properties: dict[str, Any] = {
        "ce_specversion": {"const": envelope.SPECVERSION},
        "ce_id": {**uuid, "description": "The event id."},
        "ce_type": {"type": "string", "pattern": r"^hearth\.[a-z]+\.[A-Za-z]+\.v\d+$"},
        "ce_source": {"type": "string", "pattern": r"^hearth\.[a-z]+$"},
        "ce_subject": {
            "type": "string",
            "description": "The case id (for intake, the report or enquiry id); also the key.",
        },
        "ce_time": {**timestamp, "description": "When it happened, UTC with microseconds."},
        "content-type": {"const": envelope.CONTENT_TYPE},
        ext(envelope.EXT_STREAM_ID): {"type": "string"},
        ext(envelope.EXT_STREAM_VERSION): {"type": "string", "pattern": "^[1-9][0-9]*$"},
        ext(envelope.EXT_RECORDED_TIME): timestamp,
        ext(envelope.EXT_CORRELATION_ID): uuid,
        ext(envelope.EXT_CAUSATION_ID): uuid,
        ext(envelope.EXT_ACTOR_ID): {"type": "string", "description": "Staff or system id."},
        ext(envelope.EXT_ACTOR_ROLE): {"enum": [role.value for role in envelope.Role]},
        ext(envelope.EXT_PREV_HASH): sha256,
        ext(envelope.EXT_HASH): {**sha256, "description": "sha256(prevhash || canonical bytes)"},
    }
    optional = {ext(envelope.EXT_CAUSATION_ID)}
    return {
        "type": "object",
        "description": "CloudEvents 1.0 Kafka binary mode; Hearth's extensions are ce_ headers.",
        "properties": properties,
        "required": sorted(set(properties) - optional),
    }


def _message(event_type: str) -> dict[str, Any]:
    model = model_for(event_type)
    return {
        "name": f"{model.event_name()}V{model.version}",
        "title": event_type,
        "summary": (model.__doc__ or "").strip().splitlines()[0],
        "contentType": envelope.CONTENT_TYPE,
        "headers": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEventsHeaders"},
                {
                    "type": "object",
                    "properties": {
                        "ce_type": {"const": event_type},
                        "ce_source": {"const": f"hearth.{model.service}"},
                    },
                },
            ]
        },
        "payload": {"$ref": f"../{SCHEMA_DIR_NAME}/{event_type}.json"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The envelope subject (ce_subject)."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def asyncapi_document() -> dict[str, Any]:
    """An AsyncAPI 3.0 document: the four topics, every event type, the CloudEvents headers."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for service in topics.PRODUCING_SERVICES:
        topic = topics.events_topic(service)
        types = [t for t in event_types() if t.startswith(f"hearth.{service}.")]
        messages.update({t: _message(t) for t in types})
        channels[service] = {
            "address": topic,
            "title": topic,
            "description": f"Events published by the {service} service, keyed by subject.",
            "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in types},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"{service}.publish"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{service}"},
            "messages": [{"$ref": f"#/channels/{service}/messages/{t}"} for t in types],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Hearth events",
            "version": _contract_version(),
            "description": "Domain events of Hearth, case management for domestic abuse in "
            "social housing. Every record is a CloudEvent in Kafka binary mode; payload "
            "properties marked x-personal hold personal data. Events are published in "
            "Kafka transactions: consume with isolation.level=read_committed to get each "
            "case's events in order.",
        },
        "defaultContentType": envelope.CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": {"CloudEventsHeaders": cloudevents_headers()},
        },
    }


# --- command line ----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hearth.contracts.schemas")
    parser.add_argument("command", choices=("write", "check"))
    parser.add_argument("--root", type=Path, default=CONTRACTS_DIR, help="the contracts/ dir")
    args = parser.parse_args(argv)
    root: Path = args.root
    return write(root) if args.command == "write" else check(root)


if __name__ == "__main__":
    sys.exit(main())
