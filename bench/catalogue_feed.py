"""Feed the bundled catalogue's events straight onto Kafka (what `catalogue publish` emits)."""

from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer

from catalogue.bundled import BUNDLED_CONTENT_DIR
from catalogue.domain import publication_events, resolve
from contracts import Envelope, encode, topics


async def publish_bundled_catalogue(bootstrap: str) -> int:
    events = publication_events(resolve(BUNDLED_CONTENT_DIR), published_at=datetime.now(UTC))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=8 * 2**20)
    await producer.start()
    try:
        for data in events:
            record = encode(
                Envelope(data=data, tenantid=topics.PLATFORM_TENANT, source="/academy/catalogue")
            )
            await producer.send_and_wait(
                record.topic,
                record.value,
                key=record.key,
                headers=[(k, v.encode()) for k, v in record.headers.items()],
            )
    finally:
        await producer.stop()
    return len(events)
