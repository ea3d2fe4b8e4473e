"""Reading Hearth's topics as an auditor: committed records only, from offset 0 to the end.

The broker is all the tool needs (no service, no database): each topic is read from the
beginning up to every partition's last stable offset as it was when reading started, with
`isolation_level="read_committed"` as the contract tells every consumer (a relay's aborted
transaction may hold events written ahead of earlier ones).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from hearth.contracts.envelope import Envelope, EnvelopeError
from hearth.contracts.topics import PRODUCING_SERVICES, events_topic
from hearth.eventstore.kafka import namespaced, read_committed

DEFAULT_BOOTSTRAP: Final = "127.0.0.1:19092"
BOOTSTRAP_SETTING: Final = "KAFKA_BOOTSTRAP_SERVERS"


class TopicMissing(LookupError):
    """A topic the auditor asked for is not on the broker."""


@dataclass(frozen=True, slots=True)
class Located:
    """One record read from a topic: where it sits, and the envelope it holds (or why not)."""

    topic: str
    partition: int
    offset: int
    envelope: Envelope | None
    error: str | None = None

    @property
    def where(self) -> str:
        return f"{self.topic} partition {self.partition} offset {self.offset}"


def service_topics(namespace: str = "") -> list[str]:
    """The four services' event topics, in service order, in `namespace`."""
    return [namespaced(events_topic(service), namespace) for service in PRODUCING_SERVICES]


def resolve_topics(names: Iterable[str], namespace: str = "") -> list[str]:
    """Topic names as given on the command line: a producing service's name (`cases`)
    stands for its events topic in `namespace`; anything else is a topic's full name."""
    resolved: list[str] = []
    for name in names:
        topic = namespaced(events_topic(name), namespace) if name in PRODUCING_SERVICES else name
        if topic not in resolved:
            resolved.append(topic)
    return resolved


def locate(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: Iterable[tuple[str, bytes]],
) -> Located:
    """A raw record as an envelope, or the reason it is not one (never its content)."""
    try:
        envelope = Envelope.from_kafka(key, value, list(headers))
    except (EnvelopeError, ValueError) as exc:
        return Located(topic, partition, offset, None, f"not a Hearth event: {exc}")
    return Located(topic, partition, offset, envelope)


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    keys: Callable[[bytes | None], bool] | None = None,
    timeout: float = 120,
) -> list[Located]:
    """Every committed record on `topic` from offset 0 to the end offsets as they are now,
    partition by partition in offset order. With `keys`, only records whose key it accepts
    are decoded and kept (a case's records: its id is their key)."""
    try:
        records = await read_committed(
            bootstrap_servers,
            topic,
            keep=None if keys is None else (lambda record: keys(record.key)),
            timeout=timeout,
        )
    except LookupError:
        raise TopicMissing(f"topic {topic} does not exist on {bootstrap_servers}") from None
    return [locate(topic, r.partition, r.offset, r.key, r.value, r.headers) for r in records]


async def read_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    *,
    keys: Callable[[bytes | None], bool] | None = None,
) -> dict[str, list[Located]]:
    """`read_topic` for each topic, in the order given."""
    return {t: await read_topic(bootstrap_servers, t, keys=keys) for t in topics}
