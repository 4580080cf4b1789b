"""Group consumer (confluent-kafka-python) that commits, for the broker interop tests.

Usage: group_consume.py BOOTSTRAP TOPIC GROUP LIMIT

Joins GROUP, subscribes to TOPIC (auto.offset.reset=earliest, auto commit off) and reads until it
has read LIMIT records, or, with LIMIT -1, until every assigned partition reached its end. It
commits the offsets of what it read synchronously (the next offset to read, per partition), then
closes (leaving the group). Prints one JSON line per record read,
``{"partition": P, "offset": O, "key": K, "value": V}``, then ``{"committed": {P: O, ...}}``.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition


def main() -> int:
    bootstrap, topic, group, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "session.timeout.ms": 10000,
            "fetch.wait.max.ms": 100,
        }
    )
    consumer.subscribe([topic])
    read = 0
    next_offsets = {}
    at_end = set()
    deadline = time.monotonic() + 30
    while limit < 0 or read < limit:
        if time.monotonic() > deadline:
            print(f"timed out after reading {read} records", file=sys.stderr)
            return 1
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                at_end.add(msg.partition())
                assignment = {tp.partition for tp in consumer.assignment()}
                if limit < 0 and assignment and assignment <= at_end:
                    break
                continue
            print(f"consumer error: {msg.error()}", file=sys.stderr)
            return 1
        at_end.discard(msg.partition())
        print(
            json.dumps(
                {
                    "partition": msg.partition(),
                    "offset": msg.offset(),
                    "key": msg.key().decode(),
                    "value": msg.value().decode(),
                }
            )
        )
        next_offsets[msg.partition()] = msg.offset() + 1
        read += 1
    if next_offsets:
        consumer.commit(
            offsets=[TopicPartition(topic, p, o) for p, o in next_offsets.items()],
            asynchronous=False,
        )
    print(json.dumps({"committed": next_offsets}))
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
