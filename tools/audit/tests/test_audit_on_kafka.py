"""The auditor's tool on a real history: intake, cases and risk run on real Kafka and
PostgreSQL, a case is reported, assessed, restricted and read; then, with the services
stopped (only the broker up), `audit` replays, verifies and lists reads, and names the
exact offset in tampered copies of the log.

The tests share one history (a module fixture) and read it only, except the last one,
which destroys one person's key (erasure) and so runs last.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord

from hearth.audit.cli import run
from hearth.cases.service import SPEC as CASES
from hearth.contracts.envelope import Envelope, Role, format_time
from hearth.contracts.events.base import REDACTED
from hearth.contracts.topics import CASES_EVENTS, EVENT_TOPICS, REFERRALS_EVENTS, RISK_EVENTS
from hearth.eventstore.clock import ControllableClock
from hearth.eventstore.db import create_pool
from hearth.eventstore.kafka import ensure_topics, namespaced, partitions_of
from hearth.eventstore.personal_data import KeyStore, load_master_keys
from hearth.eventstore.testing.kafka import read_to_end
from hearth.eventstore.testing.service import (
    RunningService,
    fresh_namespace,
    fresh_topic,
    running_service,
)
from hearth.eventstore.testing.waiting import eventually
from hearth.intake.service import SPEC as INTAKE
from hearth.referrals.service import SPEC as REFERRALS
from hearth.risk.service import SPEC as RISK

pytestmark = pytest.mark.integration

REPORTED = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
ASSESSED = REPORTED + timedelta(hours=2)
RESTRICTED = REPORTED + timedelta(hours=4)
READ = REPORTED + timedelta(hours=5)
LEAD = ("dalead-0001", Role.MANAGER)
OUTSIDER = ("cso-0099", Role.CASE_MANAGER)
SURVIVOR_NAME = "Marigold Auditcase"
PERPETRATOR_NAME = "Tobias Auditcase"
ACCOUNT = "He took my keys and said I would never leave the flat again."


@dataclass(frozen=True)
class Story:
    case_id: str
    namespace: str
    manager: str
    phone: str
    master_keys: str

    @property
    def plaintext(self) -> list[str]:
        return [SURVIVOR_NAME, PERPETRATOR_NAME, ACCOUNT, self.phone]


async def _get(service: RunningService, path: str, who: tuple[str, Role]) -> Any:
    response = await service.client.get(path, headers=service.auth(*who))
    return response.json() if response.status_code == 200 else None


async def _events(bootstrap: str, topic: str, case_id: str) -> list[Envelope]:
    envelopes = (
        Envelope.from_kafka(r.key, r.value, list(r.headers))
        for r in await read_to_end(bootstrap, topic)
    )
    return [e for e in envelopes if e.subject == case_id]


async def _until(probe: Callable[[], Awaitable[Any]], what: str) -> Any:
    return await eventually(probe, timeout=60, what=what)


@pytest.fixture(scope="module")
async def story(kafka_bootstrap: str, database_url: str) -> Story:
    """A case reported, assessed high risk, restricted and read; the services then stop."""
    master_keys = f"audit-test:{base64.b64encode(os.urandom(32)).decode()}"
    namespace = fresh_namespace()
    clock = ControllableClock(REPORTED)
    phone = f"07700 9{uuid.uuid4().int % 100000:05d}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HEARTH_MASTER_KEYS", master_keys)

        def start(spec: Any) -> Any:
            return running_service(
                spec,
                kafka_bootstrap=kafka_bootstrap,
                database_url=database_url,
                clock=clock,
                topic_namespace=namespace,
            )

        async with (
            start(INTAKE) as intake,
            start(CASES) as cases,
            start(RISK) as risk,
            start(REFERRALS) as referrals,
        ):
            sent = await intake.client.post(
                "/reports",
                json={
                    "channel": "phone",
                    "reporter": {"kind": "survivor"},
                    "survivor": {"name": SURVIVOR_NAME, "phone": phone},
                    "alleged_perpetrators": [{"name": PERPETRATOR_NAME}],
                    "abuse_types": ["physical"],
                    "immediate_danger": False,
                    "account": ACCOUNT,
                },
                headers=intake.auth("intake-0007", Role.INTAKE),
            )
            assert sent.status_code == 202, sent.text
            case_id = sent.json()["case_id"]
            view = await _until(lambda: _get(cases, f"/cases/{case_id}", LEAD), "the case")
            manager = view["case_manager"]["staff_id"]
            caseworker = (manager, Role.CASE_MANAGER)

            # A high-risk DASH, answered from the instrument risk offers.
            instrument = await _get(risk, "/instruments/dash-ric-24", caseworker)
            threshold = instrument["visible_high_risk_at"]
            answers = [
                {"question": q["number"], "answer": "yes" if i < threshold else "no"}
                for i, q in enumerate(instrument["questions"])
            ]
            await _until(lambda: _get(risk, f"/cases/{case_id}/risk", caseworker), "risk")
            clock.set(ASSESSED)
            assessed = await risk.client.post(
                f"/cases/{case_id}/assessments",
                json={"completed_at": clock.now().isoformat(), "answers": answers},
                headers=risk.auth(*caseworker),
            )
            assert assessed.status_code == 201, assessed.text

            async def dash_met() -> bool:
                case = await _get(cases, f"/cases/{case_id}", LEAD)
                kinds = {d["kind"]: d["status"] for d in case["deadlines"]} if case else {}
                return kinds.get("dash") == "met"

            await _until(dash_met, "cases to record the DASH deadline met")

            # Restricted to the case manager; then read by them and refused to another.
            clock.set(RESTRICTED)
            restricted = await cases.client.post(
                f"/cases/{case_id}/restriction",
                json={"reason": "other_sensitivity", "permitted_staff_ids": [manager]},
                headers=cases.auth(*LEAD),
            )
            assert restricted.status_code in (200, 201), restricted.text
            clock.set(READ)
            url = f"/cases/{case_id}"
            assert (await cases.client.get(url, headers=cases.auth(*caseworker))).status_code == 200
            assert (await cases.client.get(url, headers=cases.auth(*OUTSIDER))).status_code == 404

            async def risk_refuses() -> bool:
                got = await risk.client.get(f"{url}/risk", headers=risk.auth(*OUTSIDER))
                return got.status_code == 404

            await _until(risk_refuses, "risk to learn of the restriction")
            assert await _get(risk, f"{url}/risk", caseworker)

            async def referrals_refuse() -> bool:
                got = await referrals.client.get(
                    f"{url}/referrals", headers=referrals.auth(*OUTSIDER)
                )
                return got.status_code == 404

            await _until(referrals_refuse, "referrals to learn of the restriction")
            assert await _get(referrals, f"{url}/referrals", caseworker)

            async def published() -> bool:
                cases_events = await _events(
                    kafka_bootstrap, namespaced(CASES_EVENTS, namespace), case_id
                )
                risk_events = await _events(
                    kafka_bootstrap, namespaced(RISK_EVENTS, namespace), case_id
                )
                referrals_events = await _events(
                    kafka_bootstrap, namespaced(REFERRALS_EVENTS, namespace), case_id
                )
                case_reads = [e for e in cases_events if e.event_name == "RestrictedCaseRead"]
                risk_reads = [e for e in risk_events if e.event_name == "RestrictedRiskRecordRead"]
                referrals_reads = [
                    e for e in referrals_events if e.event_name == "RestrictedReferralRecordRead"
                ]
                return len(case_reads) >= 2 and len(risk_reads) >= 2 and len(referrals_reads) >= 2

            await _until(published, "the reads on the topics")
    return Story(case_id, namespace, manager, phone, master_keys)


async def audit(*argv: str, bootstrap: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run([*argv, "--bootstrap-servers", bootstrap], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


# --- audit case ----------------------------------------------------------------------


async def test_the_timeline_lists_every_service_in_order_without_personal_values(
    story: Story, kafka_bootstrap: str
) -> None:
    code, out, err = await audit(
        "case", story.case_id, "--namespace", story.namespace, "--json", bootstrap=kafka_bootstrap
    )
    assert (code, err) == (0, "")
    answer = json.loads(out)
    events = answer["events"]
    names = [e["event"] for e in events]
    for expected in (
        "ReportReceived",
        "CaseOpened",
        "CaseManagerAssigned",
        "DashCompleted",
        "RiskLevelChanged",
        "CaseRestricted",
        "RestrictedCaseRead",
        "RestrictedRiskRecordRead",
        "MaracReferralDue",
        "RestrictedReferralRecordRead",
    ):
        assert expected in names
    assert names.index("ReportReceived") < names.index("CaseOpened") < names.index("CaseRestricted")
    times = [e["recorded_at"] for e in events]
    assert times == sorted(times)
    # Never an effect before its cause: risk's DashCompleted before cases' DashDeadlineMet,
    # though both were recorded at the same moment and cases comes first in service order.
    assert names.index("DashCompleted") < names.index("DashDeadlineMet")
    position = {e["event_id"]: i for i, e in enumerate(events)}
    for i, e in enumerate(events):
        if e["causation_id"] in position:
            assert position[e["causation_id"]] < i
    # Otherwise, on a tie, service order: intake's report before the case it opened.
    assert names.index("ReportLinkedToCase") < names.index("CaseOpened")
    assert {e["service"] for e in events} == {"intake", "cases", "risk", "referrals"}
    assert len({e["event_id"] for e in events}) == len(events)
    restricted = next(e for e in events if e["event"] == "CaseRestricted")
    assert restricted["actor"] == {"id": LEAD[0], "role": "manager"}
    assert restricted["recorded_at"] == format_time(RESTRICTED)
    opened = next(e for e in events if e["event"] == "ReportReceived")
    assert opened["payload"]["survivor"]["name"] == "[encrypted]"
    assert all(e["hash_valid"] for e in events)
    for value in story.plaintext:
        assert value not in out

    code, text, err = await audit(
        "case", story.case_id, "--namespace", story.namespace, bootstrap=kafka_bootstrap
    )
    assert (code, err) == (0, "")
    assert "survivor.name=[encrypted]" in text
    assert f"{LEAD[0]} (manager)" in text
    assert "restricted (other_sensitivity) to " + story.manager in text
    for value in story.plaintext:
        assert value not in text


async def test_decrypting_needs_the_keys_and_then_shows_personal_values(
    story: Story, kafka_bootstrap: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HEARTH_MASTER_KEYS", raising=False)
    monkeypatch.delenv("HEARTH_MASTER_KEYS_FILE", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    argv = ("case", story.case_id, "--namespace", story.namespace, "--decrypt")
    code, out, err = await audit(*argv, bootstrap=kafka_bootstrap)
    assert (code, out) == (2, "")
    assert "HEARTH_MASTER_KEYS" in err

    monkeypatch.setenv("HEARTH_MASTER_KEYS", story.master_keys)
    monkeypatch.delenv("DATABASE_URL")
    code, out, err = await audit(*argv, bootstrap=kafka_bootstrap)
    assert code == 2
    assert "DATABASE_URL" in err

    # Another master key than the one that wrapped the case's keys: refused, nothing shown.
    other = f"other:{base64.b64encode(os.urandom(32)).decode()}"
    monkeypatch.setenv("HEARTH_MASTER_KEYS", other)
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, out, err = await audit(*argv, bootstrap=kafka_bootstrap)
    assert (code, out) == (1, "")
    assert "master key 'audit-test'" in err
    assert other.split(":")[1] not in err

    monkeypatch.setenv("HEARTH_MASTER_KEYS", story.master_keys)
    code, out, err = await audit(*argv, bootstrap=kafka_bootstrap)
    assert (code, err) == (0, "")
    assert f"survivor.name={SURVIVOR_NAME}" in out
    assert ACCOUNT in out
    assert "[encrypted]" not in out
    code, out, err = await audit(*argv, "--json", bootstrap=kafka_bootstrap)
    received = next(e for e in json.loads(out)["events"] if e["event"] == "ReportReceived")
    assert received["payload"]["survivor"]["name"] == SURVIVOR_NAME
    assert received["payload"]["account"] == ACCOUNT


async def test_as_of_shows_the_case_before_and_after_it_was_restricted(
    story: Story, kafka_bootstrap: str
) -> None:
    async def state_at(moment: datetime) -> dict[str, Any]:
        code, out, err = await audit(
            "case",
            story.case_id,
            "--namespace",
            story.namespace,
            "--json",
            "--as-of",
            format_time(moment),
            bootstrap=kafka_bootstrap,
        )
        assert (code, err) == (0, "")
        answer: dict[str, Any] = json.loads(out)
        assert all(e["recorded_at"] <= format_time(moment) for e in answer["events"])
        return answer

    before = await state_at(RESTRICTED - timedelta(seconds=1))
    after = await state_at(RESTRICTED)
    assert "CaseRestricted" not in [e["event"] for e in before["events"]]
    assert "CaseRestricted" in [e["event"] for e in after["events"]]
    assert (before["state"]["restricted"], before["state"]["permitted_staff"]) == (False, [])
    assert (after["state"]["restricted"], after["state"]["permitted_staff"]) == (
        True,
        [story.manager],
    )
    for state in (before["state"], after["state"]):
        assert (state["status"], state["case_manager"], state["risk_level"]) == (
            "open",
            story.manager,
            "high",
        )
    known = after["state"]["known"]
    assert (known["abuse_types"], known["alleged_perpetrators"], known["assessments"]) == (
        ["physical"],
        1,
        1,
    )
    deadlines = {d["kind"]: d["status"] for d in before["state"]["deadlines"]}
    assert deadlines == {
        "first_contact": "due",
        "dash": "met",
        "review": "due",
        "reassessment": "due",
    }
    who = {(a["actor_id"], a["role"]) for a in after["state"]["actors"]}
    assert (LEAD[0], "manager") in who
    assert (LEAD[0], "manager") not in {
        (a["actor_id"], a["role"]) for a in before["state"]["actors"]
    }

    # As the report arrived (the case opened at once), before any assessment.
    earliest = await state_at(REPORTED)
    assert earliest["state"]["risk_level"] is None

    code, text, _ = await audit(
        "case",
        story.case_id,
        "--namespace",
        story.namespace,
        "--as-of",
        format_time(RESTRICTED),
        bootstrap=kafka_bootstrap,
    )
    assert code == 0
    assert f"restricted    yes (other_sensitivity): only {story.manager}" in text
    assert "first_contact: due" in text


async def test_bad_case_ids_and_moments_are_refused(story: Story, kafka_bootstrap: str) -> None:
    ns = ("--namespace", story.namespace)
    code, out, err = await audit("case", "not-a-case", *ns, bootstrap=kafka_bootstrap)
    assert (code, out) == (2, "")
    assert "CASE_ID" in err
    code, _, err = await audit(
        "case", story.case_id, *ns, "--as-of", "2026-11-30T09:30:00", bootstrap=kafka_bootstrap
    )
    assert (code, "timezone" in err) == (2, True)
    unknown = str(uuid.uuid4())
    code, out, err = await audit("case", unknown, *ns, bootstrap=kafka_bootstrap)
    assert (code, out) == (1, "")
    assert f"case {unknown}: no events" in err
    code, _, err = await audit(
        "case", story.case_id, *ns, "--as-of", "2020-01-01T00:00:00Z", bootstrap=kafka_bootstrap
    )
    assert (code, "nothing was recorded" in err) == (1, True)


# --- audit access --------------------------------------------------------------------


async def test_access_lists_who_read_the_restricted_case(
    story: Story, kafka_bootstrap: str
) -> None:
    code, out, err = await audit(
        "access", story.case_id, "--namespace", story.namespace, "--json", bootstrap=kafka_bootstrap
    )
    assert (code, err) == (0, "")
    every = json.loads(out)["reads"]
    # The reads while the case was restricted; before that, the story's staff opened it
    # (unrestricted reads, each recorded too: what they are is tested in
    # test_access_reads_on_kafka.py).
    rows = [r for r in every if r["restricted"]]
    before = [r for r in every if not r["restricted"]]
    assert before and all(r["access_granted"] for r in before)
    assert {r["event"] for r in before} <= {
        "CaseRecordRead",
        "RiskRecordRead",
        "ReferralRecordRead",
    }
    seen = {(r["service"], r["staff_id"], r["view"], r["access_granted"]) for r in rows}
    assert ("cases", story.manager, "timeline", True) in seen
    assert ("cases", OUTSIDER[0], "timeline", False) in seen
    assert ("risk", story.manager, "risk_record", True) in seen
    assert ("risk", OUTSIDER[0], "risk_record", False) in seen
    assert ("referrals", story.manager, "summary", True) in seen
    assert ("referrals", OUTSIDER[0], "summary", False) in seen
    assert len(rows) == 6
    assert all(r["recorded_at"] == format_time(READ) for r in rows)

    code, text, _ = await audit(
        "access", story.case_id, "--namespace", story.namespace, bootstrap=kafka_bootstrap
    )
    assert code == 0
    assert f"Case {story.case_id}: {len(every)} recorded reads" in text
    assert "REFUSED" in text and "granted" in text


# --- audit verify --------------------------------------------------------------------


async def test_verify_passes_on_the_real_topics(story: Story, kafka_bootstrap: str) -> None:
    code, out, err = await audit(
        "verify", "--namespace", story.namespace, bootstrap=kafka_bootstrap
    )
    assert (code, err) == (0, "")
    assert "OK: every hash chain holds" in out
    total = 0
    for topic in EVENT_TOPICS:
        total += len(await read_to_end(kafka_bootstrap, namespaced(topic, story.namespace)))
    assert f"checked 4 topics: {total} records" in out


def test_the_module_runs_as_a_command(story: Story, kafka_bootstrap: str) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    done = subprocess.run(
        [sys.executable, "-m", "hearth.audit", "verify", "--namespace", story.namespace, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    missing = subprocess.run(
        [sys.executable, "-m", "hearth.audit", "verify", "--topics", "no.such.topic"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "topic no.such.topic does not exist" in missing.stderr


async def _copy(
    bootstrap: str,
    records: list[ConsumerRecord],
    partitions: int,
    change: Callable[[int, ConsumerRecord], bytes | None],
    repeat: tuple[int, int] | None = None,
    topic: str | None = None,
) -> str:
    """The records on a new topic (`topic`, or a fresh one), same partitions, each value
    through `change` (None drops the record); `repeat=(i, j)` publishes records i..j-1
    again after record j-1."""
    topic = topic or fresh_topic()
    await ensure_topics(bootstrap, [topic], partitions=partitions)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        order = list(range(len(records)))
        if repeat is not None:
            order[repeat[1] : repeat[1]] = list(range(*repeat))
        for index in order:
            record = records[index]
            value = change(index, record)
            if value is None:
                continue
            await producer.send_and_wait(
                topic,
                value=value,
                key=record.key,
                headers=list(record.headers),
                partition=record.partition,
            )
    finally:
        await producer.stop()
    return topic


def _offset_of(copied: list[ConsumerRecord], event_id: str) -> tuple[int, int]:
    for record in copied:
        if dict(record.headers).get("ce_id") == event_id.encode():
            return record.partition, record.offset
    raise AssertionError(f"event {event_id} is not on the copy")


async def test_verify_names_the_offset_of_a_changed_byte_in_a_copy(
    story: Story, kafka_bootstrap: str
) -> None:
    source = namespaced(CASES_EVENTS, story.namespace)
    records = await read_to_end(kafka_bootstrap, source)
    partitions = len(await partitions_of(kafka_bootstrap, source))
    case = [r for r in records if r.key == story.case_id.encode()]
    target = next(r for r in case if dict(r.headers)["ce_type"].endswith(b".CaseOpened.v1"))
    assert b'"channel": "phone"' in target.value

    def changed(_index: int, record: ConsumerRecord) -> bytes:
        if record is target:
            return record.value.replace(b'"channel": "phone"', b'"channel": "phonE"', 1)
        return record.value

    copy = await _copy(kafka_bootstrap, records, partitions, changed)
    copied = await read_to_end(kafka_bootstrap, copy)
    partition, offset = _offset_of(copied, dict(target.headers)["ce_id"].decode())
    code, out, err = await audit("verify", "--topics", copy, bootstrap=kafka_bootstrap)
    assert (code, err) == (1, "")
    assert f"BROKEN: first broken link at {copy} partition {partition} offset {offset}: " in out
    assert "hash does not match the event's content" in out
    code, out, _ = await audit("verify", "--topics", copy, "--json", bootstrap=kafka_bootstrap)
    [broken] = json.loads(out)["breaks"]
    assert (broken["topic"], broken["partition"], broken["offset"]) == (copy, partition, offset)

    # The original is untouched and still verifies.
    code, out, _ = await audit("verify", "--topics", source, bootstrap=kafka_bootstrap)
    assert code == 0


async def test_verify_names_the_offset_after_a_dropped_record_in_a_copy(
    story: Story, kafka_bootstrap: str
) -> None:
    source = namespaced(CASES_EVENTS, story.namespace)
    records = await read_to_end(kafka_bootstrap, source)
    partitions = len(await partitions_of(kafka_bootstrap, source))
    envelopes = [Envelope.from_kafka(r.key, r.value, list(r.headers)) for r in records]
    opened = next(
        e for e in envelopes if e.subject == story.case_id and e.event_name == "CaseOpened"
    )
    stream = {
        e.stream_version: r
        for e, r in zip(envelopes, records, strict=True)
        if e.stream_id == opened.stream_id
    }
    dropped, follower = stream[2], stream[3]
    copy = await _copy(
        kafka_bootstrap, records, partitions, lambda _i, r: None if r is dropped else r.value
    )
    copied = await read_to_end(kafka_bootstrap, copy)
    partition, offset = _offset_of(copied, dict(follower.headers)["ce_id"].decode())
    code, out, _ = await audit("verify", "--topics", copy, bootstrap=kafka_bootstrap)
    assert code == 1
    assert f"first broken link at {copy} partition {partition} offset {offset}: " in out
    assert "gap (version 2 is missing)" in out


async def test_a_batch_published_twice_is_reported_as_duplicates_not_a_break(
    story: Story, kafka_bootstrap: str
) -> None:
    source = namespaced(CASES_EVENTS, story.namespace)
    records = await read_to_end(kafka_bootstrap, source)
    partitions = len(await partitions_of(kafka_bootstrap, source))
    indexes = [i for i, r in enumerate(records) if r.key == story.case_id.encode()]
    first, last = indexes[0], indexes[2] + 1
    copy = await _copy(
        kafka_bootstrap, records, partitions, lambda _i, r: r.value, repeat=(first, last)
    )
    code, out, err = await audit("verify", "--topics", copy, bootstrap=kafka_bootstrap)
    assert (code, err) == (0, "")
    assert "OK: every hash chain holds" in out
    assert f"{last - first} duplicates" in out
    assert "duplicate (not a break)" in out


async def test_case_and_access_say_when_a_read_was_dropped_from_the_log(
    story: Story, kafka_bootstrap: str
) -> None:
    """A copy of all four topics in another namespace, one recorded read of the case
    left out: `access` lists what is left but exits 1 naming where the chain breaks, and
    `case` does the same."""
    namespace = fresh_namespace()
    dropped: ConsumerRecord | None = None
    follower: ConsumerRecord | None = None
    for name in EVENT_TOPICS:
        source = namespaced(name, story.namespace)
        records = await read_to_end(kafka_bootstrap, source)
        if name == CASES_EVENTS:
            reads = [
                r for r in records if dict(r.headers)["ce_type"].endswith(b".RestrictedCaseRead.v1")
            ]
            dropped, follower = reads[0], reads[1]
        await _copy(
            kafka_bootstrap,
            records,
            len(await partitions_of(kafka_bootstrap, source)),
            lambda _i, r, gone=dropped: None if r is gone else r.value,
            topic=namespaced(name, namespace),
        )
    assert dropped is not None and follower is not None
    copy = namespaced(CASES_EVENTS, namespace)
    partition, offset = _offset_of(
        await read_to_end(kafka_bootstrap, copy), dict(follower.headers)["ce_id"].decode()
    )
    broken_at = f"first at {copy} partition {partition} offset {offset}: "

    code, out, err = await audit(
        "access", story.case_id, "--namespace", namespace, "--json", bootstrap=kafka_bootstrap
    )
    assert code == 1
    assert len([r for r in json.loads(out)["reads"] if r["restricted"]]) == 5
    assert broken_at in err
    assert "gap" in err
    code, out, err = await audit(
        "case", story.case_id, "--namespace", namespace, bootstrap=kafka_bootstrap
    )
    assert code == 1
    assert "RestrictedCaseRead" in out
    assert broken_at in err


async def test_a_destroyed_key_reads_redacted_and_the_chains_still_verify(
    story: Story, kafka_bootstrap: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erasing the alleged perpetrator's data (their key destroyed): the auditor who
    decrypts reads the REDACTED marker for them, the survivor's values still, and the
    log itself is unchanged, so every chain verifies."""
    monkeypatch.setenv("HEARTH_MASTER_KEYS", story.master_keys)
    monkeypatch.setenv("DATABASE_URL", database_url)
    argv = ("case", story.case_id, "--namespace", story.namespace, "--decrypt", "--json")
    code, out, _ = await audit(*argv, bootstrap=kafka_bootstrap)
    received = next(e for e in json.loads(out)["events"] if e["event"] == "ReportReceived")
    perpetrator = uuid.UUID(received["payload"]["alleged_perpetrators"][0]["person_id"])
    pool = await create_pool(database_url, min_size=1, max_size=1)
    try:
        store = KeyStore(pool, load_master_keys())
        destroyed = await store.destroy_person(
            uuid.UUID(story.case_id), perpetrator, reason="audit tool test: erasure"
        )
    finally:
        await pool.close()
    assert destroyed == 1

    code, out, err = await audit(*argv, bootstrap=kafka_bootstrap)
    assert (code, err) == (0, "")
    received = next(e for e in json.loads(out)["events"] if e["event"] == "ReportReceived")
    assert received["payload"]["alleged_perpetrators"][0]["name"] == REDACTED
    assert received["payload"]["survivor"]["name"] == SURVIVOR_NAME
    assert PERPETRATOR_NAME not in out
    code, out, _ = await audit("verify", "--namespace", story.namespace, bootstrap=kafka_bootstrap)
    assert code == 0
