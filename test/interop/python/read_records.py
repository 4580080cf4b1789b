"""Reads partition 0 of a topic from the beginning to its end (confluent-kafka-python), with offsets.

Usage: read_records.py BOOTSTRAP TOPIC

Prints one JSON line per record: ``{"offset": o, "key": k, "value": v}`` (``null`` for a null
key or value), in offset order, for the compaction interop test, which checks the offsets.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition


def text(b):
    return None if b is None else b.decode()


def main() -> int:
    bootstrap, topic = sys.argv[1:3]
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "read-records",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "fetch.wait.max.ms": 100,
        }
    )
    consumer.assign([TopicPartition(topic, 0, -2)])
    deadline = time.monotonic() + 30
    while True:
        if time.monotonic() > deadline:
            print("timed out before the end of the partition", file=sys.stderr)
            return 1
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                break
            print(f"consumer error: {msg.error()}", file=sys.stderr)
            return 1
        print(json.dumps({"offset": msg.offset(), "key": text(msg.key()), "value": text(msg.value())}))
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
