"""Prometheus metrics shared by every service. Labels never carry personal data or ids."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_PUBLISHED = Counter(
    "hearth_outbox_published_total", "Events the outbox relay published to Kafka", ["service"]
)
OUTBOX_BACKLOG = Gauge(
    "hearth_outbox_backlog", "Events found waiting for the relay in its last read", ["service"]
)
EVENTS_HANDLED = Counter(
    "hearth_events_handled_total",
    "Events a consumer took from Kafka, by outcome (handled, duplicate, dead_lettered)",
    ["service", "consumer", "outcome"],
)
HANDLER_SECONDS = Histogram(
    "hearth_handler_seconds", "Time to handle one event", ["service", "consumer"]
)
CONSUMER_LAG = Gauge(
    "hearth_consumer_lag", "Records behind the partition's high watermark", ["service", "consumer"]
)
SLA_BREACHES = Counter(
    "hearth_sla_breaches_total",
    "Deadlines that passed unmet (…Overdue events)",
    ["service", "kind"],
)
