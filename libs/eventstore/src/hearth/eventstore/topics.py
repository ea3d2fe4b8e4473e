"""`python -m hearth.eventstore.topics`: create Hearth's topics, idempotently."""

from __future__ import annotations

import asyncio

from hearth.eventstore.kafka import ensure_topics, hearth_topics
from hearth.eventstore.settings import ServiceSettings


async def _main() -> None:
    settings = ServiceSettings()
    created = await ensure_topics(
        settings.kafka_bootstrap_servers,
        hearth_topics(settings.topic_namespace),
        partitions=settings.topic_partitions,
        replication=settings.topic_replication,
    )
    for topic in hearth_topics(settings.topic_namespace):
        state = "created" if topic in created else "exists"
        print(f"{topic:32} {state}")


if __name__ == "__main__":
    asyncio.run(_main())
