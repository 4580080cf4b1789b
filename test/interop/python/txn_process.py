"""Transactional consume-transform-produce (confluent-kafka-python), for the broker interop tests.

Usage: txn_process.py BOOTSTRAP IN_TOPIC OUT_TOPIC GROUP TRANSACTIONAL_ID COUNT

Joins GROUP (read_committed, auto commit off) and reads COUNT records of IN_TOPIC. Its
transactional producer (``init_transactions``) then runs three transactions on OUT_TOPIC:

1. ``commit-<value>`` for each record read, with ``send_offsets_to_transaction`` of the positions
   and the consumer's group metadata; committed;
2. ``abort-<value>`` for each record read; aborted;
3. ``late-<n>`` for n in 0..4; committed.

Prints ``{"committed": [...], "aborted": [...], "offsets": {partition: offset}}``: the values of
the committed and aborted transactions and the offsets sent to the first transaction.
"""

import json
import sys
import time

from confluent_kafka import Consumer, Producer


def main() -> int:
    bootstrap, in_topic, out_topic, group, txn_id, count = sys.argv[1:7]
    count = int(count)
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "session.timeout.ms": 10000,
            "fetch.wait.max.ms": 100,
        }
    )
    consumer.subscribe([in_topic])
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "transactional.id": txn_id,
            "transaction.timeout.ms": 60000,
        }
    )
    producer.init_transactions(30)
    values = []
    deadline = time.monotonic() + 30
    while len(values) < count:
        if time.monotonic() > deadline:
            print(f"timed out after reading {len(values)} records", file=sys.stderr)
            return 1
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            print(f"consumer error: {msg.error()}", file=sys.stderr)
            return 1
        values.append(msg.value().decode())

    def produce_all(prefix, items):
        for v in items:
            producer.produce(out_topic, key=v.encode(), value=f"{prefix}-{v}".encode())
        return [f"{prefix}-{v}" for v in items]

    producer.begin_transaction()
    committed = produce_all("commit", values)
    positions = consumer.position(consumer.assignment())
    producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)

    producer.begin_transaction()
    aborted = produce_all("abort", values)
    producer.flush(30)
    producer.abort_transaction(30)

    producer.begin_transaction()
    committed += produce_all("late", [str(n) for n in range(5)])
    producer.commit_transaction(30)

    offsets = {tp.partition: tp.offset for tp in positions}
    print(json.dumps({"committed": committed, "aborted": aborted, "offsets": offsets}))
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
