"""The pure hash-chain check behind `audit verify`, on sealed envelopes (no broker)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hearth.audit.chain import verify
from hearth.audit.log import Located, locate
from hearth.contracts.envelope import GENESIS_HASH, Actor, Envelope, Role

TOPIC = "hearth.cases.events"
AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


def stream(stream_id: str, count: int) -> list[Envelope]:
    sealed: list[Envelope] = []
    prev = GENESIS_HASH
    for version in range(1, count + 1):
        envelope = Envelope.seal(
            event_id=uuid.uuid4(),
            type="hearth.cases.CaseReviewed.v1",
            source="hearth.cases",
            subject=stream_id,
            stream_id=stream_id,
            stream_version=version,
            occurred_at=AT + timedelta(minutes=version),
            recorded_at=AT + timedelta(minutes=version),
            correlation_id=uuid.uuid4(),
            causation_id=None,
            actor=Actor(id="cso-0001", role=Role.CASE_MANAGER),
            prev_hash=prev,
            payload={"seq": version},
        )
        prev = envelope.hash
        sealed.append(envelope)
    return sealed


def on(
    partition: int, envelopes: list[Envelope], start: int = 0, topic: str = TOPIC
) -> list[Located]:
    return [Located(topic, partition, start + i, e) for i, e in enumerate(envelopes)]


def test_intact_streams_pass_with_counts() -> None:
    a, b = stream("case-a", 3), stream("case-b", 2)
    report = verify({TOPIC: [*on(0, a), *on(1, b)]})
    assert report.ok
    assert (report.records, report.streams, report.duplicates) == (5, 2, [])


def test_a_changed_payload_is_named_at_its_offset() -> None:
    a = stream("case-a", 3)
    a[1] = a[1].model_copy(update={"payload": {"seq": 99}})
    report = verify({TOPIC: on(2, a, start=10)})
    assert not report.ok
    first = report.first_break
    assert first is not None
    assert (first.topic, first.partition, first.offset, first.stream_version) == (TOPIC, 2, 11, 2)
    assert "hash does not match" in first.reason


def test_a_dropped_event_is_a_gap_at_the_next_one() -> None:
    a = stream("case-a", 4)
    report = verify({TOPIC: on(0, [a[0], a[2], a[3]])})
    first = report.first_break
    assert first is not None
    assert (first.offset, first.stream_version) == (1, 3)
    assert "gap (version 2 is missing)" in first.reason


def test_a_dropped_first_event_is_a_gap_too() -> None:
    report = verify({TOPIC: on(0, stream("case-a", 2)[1:])})
    first = report.first_break
    assert first is not None
    assert (first.offset, "gap (version 1 is missing)" in first.reason) == (0, True)


def test_a_relay_republishing_a_batch_is_a_duplicate_not_a_break() -> None:
    a = stream("case-a", 3)
    report = verify({TOPIC: on(0, [a[0], a[1], a[2], a[1], a[2]])})
    assert report.ok
    assert [(d.offset, d.first_offset, d.stream_version) for d in report.duplicates] == [
        (3, 1, 2),
        (4, 2, 3),
    ]
    assert report.topics[TOPIC].duplicates == 2


def test_the_same_event_id_with_other_content_is_a_break() -> None:
    a = stream("case-a", 2)
    resealed = Envelope.seal(
        **{
            **a[1].model_dump(exclude={"hash"}),
            "payload": {"seq": 7},
        }
    )
    report = verify({TOPIC: on(0, [a[0], a[1], resealed])})
    first = report.first_break
    assert first is not None
    assert first.offset == 2
    assert "first published at partition 0 offset 1 with other content" in first.reason


def test_a_version_taken_twice_is_a_break() -> None:
    a = stream("case-a", 2)
    other = Envelope.seal(
        **{**a[1].model_dump(exclude={"hash"}), "event_id": uuid.uuid4(), "payload": {"seq": 8}}
    )
    report = verify({TOPIC: on(0, [a[0], a[1], other])})
    first = report.first_break
    assert first is not None
    assert (first.offset, "version 2 again" in first.reason) == (2, True)


def test_a_resealed_chain_still_breaks_at_the_link() -> None:
    """Someone rewrites an event and reseals it (a valid hash over new content): its
    successor's prev_hash no longer matches."""
    a = stream("case-a", 3)
    forged = Envelope.seal(**{**a[1].model_dump(exclude={"hash"}), "payload": {"seq": 42}})
    report = verify({TOPIC: on(0, [a[0], forged, a[2]])})
    first = report.first_break
    assert first is not None
    assert (first.offset, first.reason) == (2, "prev_hash does not match the previous event's hash")


def test_a_stream_on_two_partitions_is_reported() -> None:
    a = stream("case-a", 3)
    report = verify({TOPIC: [*on(0, a[:2]), *on(1, a[2:])]})
    assert [(b.partition, b.offset) for b in report.breaks] == [(1, 0)]
    assert "on partitions 0, 1" in report.breaks[0].reason


def test_a_record_that_is_no_event_is_named() -> None:
    junk = locate(TOPIC, 0, 5, b"k", b"{}", [("content-type", b"application/json")])
    report = verify({TOPIC: [junk]})
    first = report.first_break
    assert first is not None
    assert (first.offset, first.stream_id) == (5, None)
    assert "not a Hearth event" in first.reason


def test_breaks_of_several_streams_are_listed_in_log_order() -> None:
    a, b = stream("case-a", 2), stream("case-b", 2)
    b[0] = b[0].model_copy(update={"payload": {"seq": 5}})
    a[1] = a[1].model_copy(update={"payload": {"seq": 5}})
    report = verify({"t1": on(0, a, topic="t1"), "t2": on(0, b, topic="t2")})
    assert [(b.topic, b.offset) for b in report.breaks] == [("t1", 1), ("t2", 0)]
