"""`python -m hearth.audit`: the auditor's tool, needing only the broker.

    audit verify [--topics T ...]                  every stream's hash chain on the topics
    audit case CASE_ID [--json] [--as-of TIME] [--decrypt]
                                                   the case's history across all topics
    audit access CASE_ID [--json]                  who read the case, and when

Exit codes: 0 all is well; 1 a problem was found (a broken chain, an unknown case, an
unreachable broker, an event that fails its hash); 2 bad usage (arguments, settings).
Errors go to stderr and name the problem, never personal data. Personal values are shown
only with `--decrypt`, for an auditor with access to the key store (DATABASE_URL) and the
master keys (HEARTH_MASTER_KEYS or HEARTH_MASTER_KEYS_FILE).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

import asyncpg
from aiokafka.errors import KafkaError

from hearth.audit import chain
from hearth.audit.access import NOTE as ACCESS_NOTE
from hearth.audit.access import access_rows
from hearth.audit.as_of import CaseAsOf, case_as_of
from hearth.audit.log import (
    BOOTSTRAP_SETTING,
    DEFAULT_BOOTSTRAP,
    Located,
    TopicMissing,
    read_topic,
    resolve_topics,
    service_topics,
)
from hearth.audit.timeline import Entry, History, enquiry_ids, history, up_to
from hearth.contracts.envelope import EnvelopeError, format_time, parse_time
from hearth.contracts.topics import INTAKE_EVENTS
from hearth.eventstore.db import create_pool
from hearth.eventstore.kafka import namespaced
from hearth.eventstore.personal_data import (
    EventCipher,
    KeyStore,
    PersonalDataError,
    load_master_keys,
)

NAMESPACE_SETTING = "HEARTH_TOPIC_NAMESPACE"
DATABASE_SETTING = "DATABASE_URL"


class Problem(Exception):
    """Something the auditor must know: exit 1, the message on stderr."""


class Usage(Exception):
    """Bad arguments or settings: exit 2, the message on stderr."""


# --- arguments ---------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--namespace",
        default=os.environ.get(NAMESPACE_SETTING, ""),
        help=f"topic namespace (default ${NAMESPACE_SETTING}, else none)",
    )
    common.add_argument(
        "--bootstrap-servers",
        default=os.environ.get(BOOTSTRAP_SETTING, DEFAULT_BOOTSTRAP),
        help=f"Kafka bootstrap servers (default ${BOOTSTRAP_SETTING}, else {DEFAULT_BOOTSTRAP})",
    )
    parser = argparse.ArgumentParser(
        prog="python -m hearth.audit",
        description="Hearth's auditor's tool: verify the log, replay a case, list its reads.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    verify = commands.add_parser(
        "verify",
        parents=[common],
        help="check every stream's hash chain and stream versions on the topics",
    )
    verify.add_argument(
        "--topics",
        nargs="+",
        metavar="TOPIC",
        help="service names (intake, cases, risk, referrals: their events topic in the "
        "namespace) or full topic names; default the four services' topics",
    )
    verify.add_argument("--json", action="store_true", help="print the report as JSON")

    case = commands.add_parser(
        "case", parents=[common], help="the case's whole history across all topics"
    )
    case.add_argument("case_id", help="the case's id (a UUID)")
    case.add_argument("--json", action="store_true", help="print JSON instead of a timeline")
    case.add_argument(
        "--as-of",
        metavar="TIMESTAMP",
        help="only what was recorded up to this moment (ISO 8601 with a timezone, e.g. "
        "2026-12-01T09:30:00Z), and the case's state at that time",
    )
    case.add_argument(
        "--decrypt",
        action="store_true",
        help="show personal values (needs DATABASE_URL and HEARTH_MASTER_KEYS or "
        "HEARTH_MASTER_KEYS_FILE); a destroyed key reads as the REDACTED marker",
    )

    access = commands.add_parser(
        "access", parents=[common], help="who read the case, and when (recorded reads)"
    )
    access.add_argument("case_id", help="the case's id (a UUID)")
    access.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _case_id(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise Usage("CASE_ID must be a case's id, a UUID") from None


def _moment(text: str) -> datetime:
    try:
        return parse_time(text)
    except EnvelopeError:
        raise Usage("--as-of needs a timezone, e.g. 2026-12-01T09:30:00Z") from None
    except ValueError:
        raise Usage("--as-of must be an ISO 8601 timestamp, e.g. 2026-12-01T09:30:00Z") from None


# --- verify ------------------------------------------------------------------------


async def _verify(args: argparse.Namespace, out: TextIO) -> int:
    topics = (
        resolve_topics(args.topics, args.namespace)
        if args.topics
        else service_topics(args.namespace)
    )
    report = chain.Report()
    for topic in topics:  # one topic in memory at a time
        chain.check_topic(report, topic, await read_topic(args.bootstrap_servers, topic))
    if args.json:
        print(json.dumps(_report_json(report), indent=2), file=out)
    else:
        _print_report(report, out)
    return 0 if report.ok else 1


def _report_json(report: chain.Report) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "records": report.records,
        "streams": report.streams,
        "topics": {
            name: {
                "records": t.records,
                "partitions_with_records": sorted(t.partitions),
                "streams": len(t.streams),
                "duplicates": t.duplicates,
            }
            for name, t in report.topics.items()
        },
        "breaks": _breaks_json(report),
        "duplicates": [
            {
                "topic": d.topic,
                "partition": d.partition,
                "offset": d.offset,
                "stream_id": d.stream_id,
                "stream_version": d.stream_version,
                "event_id": str(d.event_id),
                "first_partition": d.first_partition,
                "first_offset": d.first_offset,
            }
            for d in report.duplicates
        ],
    }


def _print_report(report: chain.Report, out: TextIO) -> None:
    for name, t in report.topics.items():
        print(
            f"{name:40} {t.records:7} records {len(t.streams):6} streams "
            f"{t.duplicates:4} duplicates",
            file=out,
        )
    print(
        f"checked {len(report.topics)} topics: {report.records} records, "
        f"{report.streams} streams, {len(report.duplicates)} duplicates",
        file=out,
    )
    for d in report.duplicates[:10]:
        print(
            f"duplicate (not a break): {d.topic} partition {d.partition} offset {d.offset} "
            f"repeats event {d.event_id} (stream {d.stream_id} version {d.stream_version}) "
            f"first at offset {d.first_offset}: published again by the relay, skipped by "
            "every consumer's inbox",
            file=out,
        )
    if len(report.duplicates) > 10:
        print(f"... and {len(report.duplicates) - 10} more duplicates", file=out)
    if report.ok:
        print("OK: every hash chain holds", file=out)
        return
    first = report.first_break
    assert first is not None
    print(f"BROKEN: first broken link at {first.describe()}", file=out)
    for b in report.breaks[1:]:
        print(f"BROKEN: {b.describe()}", file=out)


# --- case history ------------------------------------------------------------------


async def _case_history(args: argparse.Namespace, case_id: str) -> History:
    topics = service_topics(args.namespace)
    key = case_id.encode()
    records: list[Located] = []
    for topic in topics:
        records.extend(await read_topic(args.bootstrap_servers, topic, keys=lambda k: k == key))
    subjects = [case_id]
    enquiries = enquiry_ids(records, case_id)
    if enquiries:
        keys = {e.encode() for e in enquiries}
        intake = namespaced(INTAKE_EVENTS, args.namespace)
        records.extend(await read_topic(args.bootstrap_servers, intake, keys=lambda k: k in keys))
        subjects.extend(sorted(enquiries))
    found = history(records, subjects)
    if not found.entries:
        raise Problem(f"case {case_id}: no events on the topics {', '.join(topics)}")
    # The case's own streams, checked as `verify` checks every stream: a changed, dropped
    # or reordered event of this case shows here too.
    by_topic: dict[str, list[Located]] = {}
    for record in records:
        by_topic.setdefault(record.topic, []).append(record)
    for topic, located in by_topic.items():
        located.sort(key=lambda r: (r.partition, r.offset))
        chain.check_topic(found.integrity, topic, located)
    return found


class ReadingCipher(EventCipher):
    """`EventCipher` as an auditor uses it: it reads keys and never creates or migrates the
    key store (the auditor's database role needs only to read it)."""

    async def ready(self) -> None:
        return None


async def _decrypt(entries: list[Entry]) -> list[Entry]:
    url = os.environ.get(DATABASE_SETTING)
    if not url:
        raise Usage(f"--decrypt needs {DATABASE_SETTING}: the database holding the key store")
    try:
        masters = load_master_keys()
    except PersonalDataError as exc:
        raise Usage(f"--decrypt: {exc}") from None
    try:
        pool = await create_pool(url, min_size=1, max_size=2)
    except Exception as exc:  # asyncpg raises many kinds; the type names the problem
        raise Problem(f"--decrypt: cannot reach the database ({type(exc).__name__})") from None
    try:
        cipher = ReadingCipher(KeyStore(pool, masters))
        opened = await cipher.open_envelopes([e.envelope for e in entries])
    except PersonalDataError as exc:
        raise Problem(f"--decrypt: {exc}") from None
    except asyncpg.PostgresError as exc:
        raise Problem(f"--decrypt: cannot read the key store ({type(exc).__name__})") from None
    finally:
        await pool.close()
    return [
        Entry(e.located, o, e.hash_valid, decrypted=True)
        for e, o in zip(entries, opened, strict=True)
    ]


def _state_lines(state: CaseAsOf) -> list[str]:
    lines = [
        f"State at {format_time(state.as_of)} ({state.events} events recorded by then):",
        f"  status        {state.status.value}",
        "  restricted    "
        + (
            f"yes ({state.restriction_reason}): only {', '.join(state.permitted_staff)}"
            if state.restricted
            else "no"
        ),
        f"  case manager  {state.case_manager or 'none'}",
        f"  risk level    {state.risk_level or 'not assessed'}",
        f"  MARAC         {state.marac or 'none'}",
        f"  reports       {state.reports}",
        f"  abuse types   {', '.join(state.abuse_types) or 'none recorded'}",
        f"  people        {state.alleged_perpetrators} alleged perpetrators, "
        f"{state.children} children; safe contact "
        + ("recorded" if state.safe_contact_recorded else "not recorded"),
        f"  contact       {state.contacts} contacts, {state.contact_attempts} attempts",
        f"  assessments   {state.assessments}",
        f"  referrals     {', '.join(state.referrals) or 'none'}",
        f"  flags         {', '.join(sorted(state.flags.values())) or 'none'}",
        "  deadlines:",
    ]
    if not state.deadlines:
        lines.append("    none")
    for d in state.deadlines:
        ref = f" {d.ref}" if d.ref else ""
        done = f", done {format_time(d.done_at)}" if d.done_at else ""
        recorded = " (overdue recorded)" if d.overdue_recorded else ""
        lines.append(
            f"    {d.kind}{ref}: {d.status.value}, due {format_time(d.due_at)}{done}{recorded}"
        )
    lines.append("  who had done what:")
    for a in state.actors.values():
        did = ", ".join(f"{name} x{n}" for name, n in a.events.items())
        lines.append(f"    {a.actor_id} ({a.role}): {did}")
    return lines


def _print_timeline(entries: list[Entry], out: TextIO) -> None:
    print(f"{'RECORDED':28} {'SERVICE':10} {'EVENT':30} {'ACTOR (ROLE)':32} SUMMARY", file=out)
    for entry in entries:
        e = entry.envelope
        actor = f"{e.actor.id} ({e.actor.role.value})"
        flag = "" if entry.hash_valid else "  [HASH INVALID]"
        print(
            f"{format_time(e.recorded_at):28} {entry.service:10} {e.event_name:30} "
            f"{actor:32} {entry.summary}{flag}",
            file=out,
        )
        personal = entry.personal()
        if personal:
            shown = "; ".join(f"{path}={value}" for path, value in personal)
            print(f"{'':28} personal: {shown}", file=out)


def _integrity(found: History, case_id: str, err: TextIO) -> int:
    """0 when the case's streams verify, else 1 with the first broken link on stderr."""
    breaks = found.integrity.breaks
    if not breaks:
        return 0
    print(
        f"case {case_id}: the log of this case is broken ({len(breaks)} broken links); "
        f"first at {breaks[0].describe()}; run `audit verify`",
        file=err,
    )
    return 1


def _breaks_json(report: chain.Report) -> list[dict[str, Any]]:
    return [
        {
            "topic": b.topic,
            "partition": b.partition,
            "offset": b.offset,
            "stream_id": b.stream_id,
            "stream_version": b.stream_version,
            "reason": b.reason,
        }
        for b in report.breaks
    ]


async def _case(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    case_id = _case_id(args.case_id)
    moment = _moment(args.as_of) if args.as_of else None
    found = await _case_history(args, case_id)
    entries = up_to(found.entries, moment) if moment is not None else found.entries
    if moment is not None and not entries:
        raise Problem(f"case {case_id}: nothing was recorded by {format_time(moment)}")
    if args.decrypt:
        entries = await _decrypt(entries)
    state = case_as_of((e.fact() for e in entries), moment) if moment is not None else None
    if args.json:
        answer = {
            "case_id": case_id,
            "as_of": format_time(moment) if moment is not None else None,
            "decrypted": bool(args.decrypt),
            "events": [e.to_json() for e in entries],
            "duplicates_skipped": found.duplicates,
            "integrity": {
                "ok": found.integrity.ok,
                "breaks": _breaks_json(found.integrity),
            },
            "state": state.to_json() if state is not None else None,
        }
        print(json.dumps(answer, indent=2, ensure_ascii=False), file=out)
    else:
        upto = f", recorded up to {format_time(moment)}" if moment is not None else ""
        print(
            f"Case {case_id}: {len(entries)} events on "
            f"{len({e.located.topic for e in entries})} topics{upto}"
            + ("" if args.decrypt else " (personal values [encrypted]; --decrypt to read them)"),
            file=out,
        )
        _print_timeline(entries, out)
        if found.duplicates:
            print(f"({found.duplicates} records published twice by a relay shown once)", file=out)
        if state is not None:
            print(file=out)
            print("\n".join(_state_lines(state)), file=out)
    return _integrity(found, case_id, err)


# --- access ------------------------------------------------------------------------


async def _access(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    case_id = _case_id(args.case_id)
    found = await _case_history(args, case_id)
    rows = access_rows(found.entries)
    if args.json:
        answer = {
            "case_id": case_id,
            "reads": rows,
            "note": ACCESS_NOTE,
            "integrity": {"ok": found.integrity.ok, "breaks": _breaks_json(found.integrity)},
        }
        print(json.dumps(answer, indent=2), file=out)
        return _integrity(found, case_id, err)
    print(f"Case {case_id}: {len(rows)} recorded reads", file=out)
    print(f"{'READ AT':28} {'SERVICE':10} {'STAFF':24} {'ROLE':14} {'VIEW':14} ACCESS", file=out)
    for r in rows:
        read_at = r["read_at"] or r["recorded_at"]
        access = "granted" if r["access_granted"] else "REFUSED"
        if r["restricted"]:
            access += " (restricted)"
        print(
            f"{read_at!s:28} {r['service']:10} {r['staff_id']!s:24} {r['role']:14} "
            f"{r['view']!s:14} {access}",
            file=out,
        )
    print(ACCESS_NOTE, file=out)
    return _integrity(found, case_id, err)


# --- entry -------------------------------------------------------------------------


async def run(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; the exit code is returned (argparse exits 2 on bad arguments)."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(list(argv))
    try:
        if args.command == "verify":
            return await _verify(args, out)
        if args.command == "case":
            return await _case(args, out, err)
        return await _access(args, out, err)
    except Usage as exc:
        print(f"audit {args.command}: {exc}", file=err)
        return 2
    except (Problem, TopicMissing) as exc:
        print(f"audit {args.command}: {exc}", file=err)
        return 1
    except (KafkaError, OSError, TimeoutError) as exc:
        print(
            f"audit {args.command}: cannot read the topics from {args.bootstrap_servers} "
            f"({type(exc).__name__})",
            file=err,
        )
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    # The Kafka client logs each failed connection attempt; the tool says once what failed.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    return asyncio.run(run(sys.argv[1:] if argv is None else argv))
