"""Grows a topic with an explicit replica assignment (confluent-kafka-python's AdminClient).

Usage: create_partitions.py BOOTSTRAP TOPIC NEW_TOTAL_COUNT ASSIGNMENT_JSON

ASSIGNMENT_JSON is a list of broker-id lists, one per new partition. Prints
``{"error": NAME or null, "partitions": N}``: the error the broker answered (by librdkafka's
name, such as ``INVALID_REPLICA_ASSIGNMENT``) and the topic's partition count read back
afterwards through Metadata.
"""

import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewPartitions


def main() -> int:
    bootstrap, topic, count, assignment = sys.argv[1:5]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    request = NewPartitions(topic, int(count), replica_assignment=json.loads(assignment))
    error = None
    try:
        admin.create_partitions([request], request_timeout=10)[topic].result(timeout=15)
    except KafkaException as e:
        error = e.args[0].name()
    partitions = admin.list_topics(topic, timeout=10).topics[topic].partitions
    print(json.dumps({"error": error, "partitions": len(partitions)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
