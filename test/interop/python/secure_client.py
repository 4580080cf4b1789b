"""Produces, lists brokers and consumes back over a secured listener (confluent-kafka-python).

Usage: secure_client.py BOOTSTRAP TOPIC COUNT CONFIG_JSON

CONFIG_JSON holds the security settings (security.protocol, ssl.ca.location, sasl.*, ...), added
to both clients. Produces COUNT records "v0".."v{COUNT-1}" to partition 0 of TOPIC, then prints
``{"brokers": [[id, host, port], ...], "values": [...]}``: the brokers as Metadata told them over
this listener, and what a consumer read back from the beginning.
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def main() -> int:
    bootstrap, topic, count, extra = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
    common = {"bootstrap.servers": bootstrap, **extra}
    errors = []
    producer = Producer({**common, "acks": "all"})
    for i in range(count):
        producer.produce(topic, value=f"v{i}", partition=0, on_delivery=lambda e, m: e and errors.append(str(e)))
    if producer.flush(30) != 0 or errors:
        print(f"produce failed: {errors}", file=sys.stderr)
        return 1
    md = producer.list_topics(timeout=10)
    brokers = sorted([b.id, b.host, b.port] for b in md.brokers.values())
    consumer = Consumer({**common, "group.id": "secure-client", "enable.partition.eof": True})
    consumer.assign([TopicPartition(topic, 0, -2)])
    values = []
    deadline = time.monotonic() + 30
    while True:
        if time.monotonic() > deadline:
            print(f"timed out after {len(values)} records", file=sys.stderr)
            return 1
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                break
            print(f"consumer error: {msg.error()}", file=sys.stderr)
            return 1
        values.append(msg.value().decode())
    consumer.close()
    print(json.dumps({"brokers": brokers, "values": values}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
