"""Reads a partition's watermarks (confluent-kafka-python's get_watermark_offsets: ListOffsets).

Usage: watermarks.py BOOTSTRAP TOPIC PARTITION

Prints ``{"low": N, "high": N}`` as the partition's leader answered them, or
``{"error": NAME}`` when librdkafka gave up with a Kafka error.
"""

import json
import sys

from confluent_kafka import Consumer, KafkaException, TopicPartition


def main() -> int:
    bootstrap, topic, partition = sys.argv[1:4]
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "watermarks"})
    try:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, int(partition)), timeout=30)
        print(json.dumps({"low": low, "high": high}))
    except KafkaException as e:
        print(json.dumps({"error": e.args[0].name()}))
    finally:
        consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
