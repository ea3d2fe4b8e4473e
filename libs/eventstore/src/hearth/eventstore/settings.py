"""Service settings from the environment (prefix `HEARTH_`), one pattern for every service."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_IDEMPOTENCY_DAYS = 7


class ServiceSettings(BaseSettings):
    """What every Hearth service needs to run. Override with `HEARTH_<NAME>` variables."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_", extra="ignore")

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("HEARTH_KAFKA_BOOTSTRAP_SERVERS", "KAFKA_BOOTSTRAP_SERVERS"),
    )
    database_url: str = Field(
        default="postgresql://hearth@127.0.0.1:15432/hearth",
        validation_alias=AliasChoices("HEARTH_DATABASE_URL", "DATABASE_URL"),
    )
    db_schema: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    """The service's PostgreSQL schema; defaults to the service's name."""
    key_store_schema: str = Field(default="hearth_keys", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    """The key store's schema (personal data's keys), shared by the services of one
    environment: every service that encrypts or decrypts must name the same one."""
    topic_namespace: str = Field(default="", pattern=r"^([a-z0-9][a-z0-9-]{0,40})?$")
    """Prefixes every topic name (`<namespace>.hearth.cases.events`) so that several
    environments (a rehearsal, a test run) can share one Kafka cluster without seeing
    each other's events. Empty in production: the published names as they are."""
    http_host: str = "127.0.0.1"
    http_port: int = 8100
    metrics_port: int = Field(default=9100, ge=0, le=65535)
    """Where Prometheus scrapes `/metrics`: a listener of its own on `http_host`, never the
    public one (intake's serves the web form). 0: no metrics listener."""
    api_docs: bool = False
    """Serve `/openapi.json` and `/docs` (Swagger UI from the installed package, no CDN).
    Off unless asked for, so a production service never lists its API to the public by
    a forgotten setting; deploy/local turns it on for development."""
    log_level: str = "INFO"
    topic_partitions: int = Field(default=3, ge=1)
    topic_replication: int = Field(default=1, ge=1)
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_seconds: float = Field(default=1.0, gt=0)
    consumer_batch_size: int = Field(default=500, ge=1, le=10_000)
    consumer_max_attempts: int = Field(default=5, ge=1, le=100)
    consumer_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    readiness_check_seconds: float = Field(default=5.0, gt=0)
    """How often the service checks the broker for `/readyz`; probes read the last answer,
    which is at most this plus 3 seconds old (see `BrokerCheck`)."""
    idempotency_days: int = Field(default=DEFAULT_IDEMPOTENCY_DAYS, ge=1, le=3650)
    """Days after its first use when an Idempotency-Key is forgotten: a retry after that
    is a new request (see `hearth.eventstore.idempotency`)."""
    db_pool_min: int = Field(default=1, ge=0)
    db_pool_max: int = Field(default=10, ge=1)

    @property
    def idempotency_keep_for(self) -> timedelta:
        return timedelta(days=self.idempotency_days)
