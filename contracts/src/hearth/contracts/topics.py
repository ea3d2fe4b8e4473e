"""Topic names and the partition key: the one place other teams look them up."""

from __future__ import annotations

from typing import Final

PRODUCING_SERVICES: Final = ("intake", "cases", "risk", "referrals")
ALL_SERVICES: Final = (*PRODUCING_SERVICES, "reporting")

INTAKE_EVENTS: Final = "hearth.intake.events"
CASES_EVENTS: Final = "hearth.cases.events"
RISK_EVENTS: Final = "hearth.risk.events"
REFERRALS_EVENTS: Final = "hearth.referrals.events"

EVENT_TOPICS: Final = (INTAKE_EVENTS, CASES_EVENTS, RISK_EVENTS, REFERRALS_EVENTS)


def events_topic(service: str) -> str:
    """The topic a producing service publishes its events on."""
    if service not in PRODUCING_SERVICES:
        raise ValueError(f"{service!r} publishes no events")
    return f"hearth.{service}.events"


def dlq_topic(service: str) -> str:
    """Where a consuming service parks events it could not handle after bounded retries."""
    if service not in ALL_SERVICES:
        raise ValueError(f"unknown service {service!r}")
    return f"hearth.{service}.dlq"


def partition_key(case_id: str) -> bytes:
    """The record key: the case id, so one case's events stay in order on one partition."""
    if not case_id:
        raise ValueError("a record needs a case id as its key")
    return case_id.encode("utf-8")
