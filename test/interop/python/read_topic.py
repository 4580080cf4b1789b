"""Reads a whole topic (confluent-kafka-python) at an isolation level, for the interop tests.

Usage: read_topic.py BOOTSTRAP TOPIC ISOLATION_LEVEL

Assigns every partition of TOPIC from the beginning and reads until each is at its end
(``enable.partition.eof``: for read_committed that end is the last stable offset). Prints
``{"values": [...], "ends": {partition: offset}}``, values in partition then offset order.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, TopicPartition


def main() -> int:
    bootstrap, topic, isolation = sys.argv[1:4]
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "read-topic",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "isolation.level": isolation,
            "fetch.wait.max.ms": 100,
        }
    )
    partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
    consumer.assign([TopicPartition(topic, p, -2) for p in partitions])
    by_partition = {p: [] for p in partitions}
    ends = {}
    deadline = time.monotonic() + 30
    while len(ends) < len(partitions):
        if time.monotonic() > deadline:
            print(f"timed out; at end: {sorted(ends)}", file=sys.stderr)
            return 1
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                ends[msg.partition()] = msg.offset()
                continue
            print(f"consumer error: {msg.error()}", file=sys.stderr)
            return 1
        ends.pop(msg.partition(), None)
        by_partition[msg.partition()].append(msg.value().decode())
    values = [v for p in sorted(by_partition) for v in by_partition[p]]
    print(json.dumps({"values": values, "ends": ends}))
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
