"""Verifying hash chains as published: pure, records in, a report out.

Per stream (a topic's events with one `stream_id`), in the order a consumer reads them:

- every record's `hash` is valid over its stored form (the ciphertext of personal values
  included), so a changed byte anywhere in the event shows;
- its `prev_hash` is the previous event's `hash` (the first event's is the genesis hash);
- `stream_version` runs 1, 2, 3, ... with no gap and no version taken twice.

A record that repeats an event already read (same `event_id`, same hash, same version) is
a duplicate, not a break: the outbox relay publishes at least once (a batch whose Kafka
transaction committed but whose position was not saved is published again), and every
consumer's inbox skips an event id it has handled. The report counts duplicates and says
where the first one was. The same `event_id` with another hash or version is a break.

A stream is keyed by its case id, so it lives on one partition; one found on several
partitions (say, after partitions were added to the topic) is reported as a break too,
since consumers may then read it out of order. Its chain is still checked, in version order.

A record that is not a Hearth event at all is reported at its offset. Deleting a stream's
last events cannot be seen from the log alone (nothing follows them); the services'
`EventStore.verify` compares the store itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from hearth.audit.log import Located
from hearth.contracts.envelope import GENESIS_HASH


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link of one stream (or a record that is no event)."""

    topic: str
    partition: int
    offset: int
    stream_id: str | None
    stream_version: int | None
    reason: str

    def describe(self) -> str:
        stream = (
            f" stream {self.stream_id} version {self.stream_version}:"
            if self.stream_id is not None
            else ""
        )
        return (
            f"{self.topic} partition {self.partition} offset {self.offset}:{stream} {self.reason}"
        )


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A record that repeats an event already read, byte for byte in what the hash covers."""

    topic: str
    partition: int
    offset: int
    stream_id: str
    stream_version: int
    event_id: UUID
    first_partition: int
    first_offset: int


@dataclass
class TopicTally:
    records: int = 0
    partitions: set[int] = field(default_factory=set)
    streams: set[str] = field(default_factory=set)
    duplicates: int = 0


@dataclass
class Report:
    """What `verify` found: counts per topic, the first break of every broken stream (in
    log order), and the duplicates."""

    topics: dict[str, TopicTally] = field(default_factory=dict)
    breaks: list[Break] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def records(self) -> int:
        return sum(t.records for t in self.topics.values())

    @property
    def streams(self) -> int:
        return sum(len(t.streams) for t in self.topics.values())

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def _check_stream(records: list[Located], report: Report) -> list[Break]:
    """Walk one stream's records; duplicates go into `report`; returns its breaks: the
    first broken link, and where the stream left its partition if it did."""
    first = records[0]
    partitions = sorted({r.partition for r in records})
    if len(partitions) == 1:
        found = _walk(records, report)
        return [found] if found else []
    # Order across partitions means nothing: say where the stream is split, then check
    # its chain in version order.
    stray = next(r for r in records if r.partition != first.partition)
    assert stray.envelope is not None
    split = Break(
        stray.topic,
        stray.partition,
        stray.offset,
        stray.envelope.stream_id,
        stray.envelope.stream_version,
        f"stream is on partitions {', '.join(map(str, partitions))}: a stream is keyed by "
        "its case id and must stay on one partition, or consumers read it out of order",
    )
    ordered = sorted(records, key=_version_order)
    found = _walk(ordered, report)
    return [split, found] if found else [split]


def _version_order(record: Located) -> tuple[int, int, int]:
    assert record.envelope is not None
    return (record.envelope.stream_version, record.partition, record.offset)


def _walk(records: list[Located], report: Report) -> Break | None:
    seen: dict[UUID, tuple[str, int, Located]] = {}
    expected_version = 1
    expected_prev = GENESIS_HASH
    for record in records:
        e = record.envelope
        assert e is not None

        def broken(reason: str, record: Located = record) -> Break:
            envelope = record.envelope
            assert envelope is not None
            return Break(
                record.topic,
                record.partition,
                record.offset,
                envelope.stream_id,
                envelope.stream_version,
                reason,
            )

        if not e.hash_is_valid():
            return broken("hash does not match the event's content: changed after it was sealed")
        if e.event_id in seen:
            first_hash, first_version, where = seen[e.event_id]
            if first_hash == e.hash and first_version == e.stream_version:
                duplicate = Duplicate(
                    record.topic,
                    record.partition,
                    record.offset,
                    e.stream_id,
                    e.stream_version,
                    e.event_id,
                    where.partition,
                    where.offset,
                )
                report.duplicates.append(duplicate)
                report.topics.setdefault(record.topic, TopicTally()).duplicates += 1
                continue
            return broken(
                f"event {e.event_id} was first published at partition {where.partition} offset "
                f"{where.offset} with other content: the same event cannot change"
            )
        if e.stream_version != expected_version:
            if e.stream_version < expected_version:
                reason = (
                    f"stream version {e.stream_version} again, after {expected_version - 1}: "
                    "a second event for a version already taken"
                )
            else:
                reason = (
                    f"stream version {e.stream_version} follows {expected_version - 1}: "
                    f"gap (version {expected_version} is missing)"
                )
            return broken(reason)
        if e.prev_hash != expected_prev:
            return broken("prev_hash does not match the previous event's hash")
        seen[e.event_id] = (e.hash, e.stream_version, record)
        expected_version += 1
        expected_prev = e.hash
    return None


def check_topic(report: Report, topic: str, records: Iterable[Located]) -> None:
    """Check every stream on one topic (records in partition, offset order) into `report`.
    Topics are independent (a stream belongs to one service's topic), so a caller may
    read and check them one at a time."""
    tally = report.topics.setdefault(topic, TopicTally())
    streams: dict[str, list[Located]] = defaultdict(list)
    for record in records:
        tally.records += 1
        tally.partitions.add(record.partition)
        if record.envelope is None:
            report.breaks.append(
                Break(
                    record.topic,
                    record.partition,
                    record.offset,
                    None,
                    None,
                    record.error or "not a Hearth event",
                )
            )
            continue
        tally.streams.add(record.envelope.stream_id)
        streams[record.envelope.stream_id].append(record)
    for stream_records in streams.values():
        report.breaks.extend(_check_stream(stream_records, report))
    order = {name: index for index, name in enumerate(report.topics)}
    report.breaks.sort(key=lambda b: (order.get(b.topic, len(order)), b.partition, b.offset))


def verify(records_by_topic: Mapping[str, Iterable[Located]]) -> Report:
    """Check every stream on every topic given (records in partition, offset order)."""
    report = Report()
    for topic, records in records_by_topic.items():
        check_topic(report, topic, records)
    return report
