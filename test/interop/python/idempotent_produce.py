"""Idempotent producer (confluent-kafka-python) for the broker interop tests.

Usage: idempotent_produce.py BOOTSTRAP TOPIC COUNT

Produces COUNT keyed records (key ``k<i % 13>``, value ``v<i>``) with enable.idempotence=true and
acks=all, then prints one JSON line per delivery report, in the order they arrived:
``{"partition": P, "offset": O, "key": K, "value": V, "error": null}``.
Exits 1 if any delivery failed.
"""

import json
import sys

from confluent_kafka import Producer


def main() -> int:
    bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "batch.num.messages": 100,
            "retry.backoff.ms": 50,
            "reconnect.backoff.ms": 50,
            "message.timeout.ms": 30000,
        }
    )
    reports = []

    def on_delivery(err, msg):
        reports.append(
            {
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": msg.key().decode(),
                "value": msg.value().decode(),
                "error": None if err is None else str(err),
            }
        )

    for i in range(count):
        producer.produce(topic, key=f"k{i % 13}", value=f"v{i}", on_delivery=on_delivery)
        producer.poll(0)
    remaining = producer.flush(30)
    for r in reports:
        print(json.dumps(r))
    if remaining or len(reports) != count or any(r["error"] for r in reports):
        print(f"{remaining} undelivered, {len(reports)} reports", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
