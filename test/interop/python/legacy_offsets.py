"""Reads a topic's beginning and end offsets with kafka-python as a 0.10.0 client.

Usage: legacy_offsets.py BOOTSTRAP TOPIC

kafka-python (Debian's python3-kafka) told ``api_version=(0, 10, 0)`` asks for offsets with
ListOffsets v0 (``OffsetRequest[0]``, ``max_num_offsets`` 1), as lag monitors built on it do.
Prints ``{"beginning": {partition: offset}, "end": {partition: offset}}``.
"""

import json
import sys

from kafka import KafkaConsumer, TopicPartition


def main() -> int:
    bootstrap, topic = sys.argv[1:3]
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, api_version=(0, 10, 0), request_timeout_ms=11000
    )
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic))]
    beginning = consumer.beginning_offsets(partitions)
    end = consumer.end_offsets(partitions)
    print(
        json.dumps(
            {
                "beginning": {tp.partition: o for tp, o in beginning.items()},
                "end": {tp.partition: o for tp, o in end.items()},
            }
        )
    )
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
