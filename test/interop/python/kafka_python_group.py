"""A kafka-python (Debian's python3-kafka) group member, for the mixed-group interop tests.

Usage: kafka_python_group.py BOOTSTRAP TOPIC GROUP STOP_FILE

Joins GROUP with the range assignor, reading TOPIC from the earliest offset, and prints one JSON
line per record (``{"partition": p, "offset": o}``) and per assignment it gets
(``{"assigned": [p, ...]}``). Leaves the group and exits once STOP_FILE exists, so the test
decides when both members have read what they were given.
"""

import json
import os
import sys

from kafka import KafkaConsumer
from kafka.coordinator.assignors.range import RangePartitionAssignor


def main() -> int:
    bootstrap, topic, group, stop_file = sys.argv[1:5]
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id="kafka-python-member",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        partition_assignment_strategy=[RangePartitionAssignor],
        heartbeat_interval_ms=500,
        session_timeout_ms=10000,
    )
    assigned = None
    while not os.path.exists(stop_file):
        for records in consumer.poll(timeout_ms=100).values():
            for r in records:
                print(json.dumps({"partition": r.partition, "offset": r.offset}), flush=True)
        now = sorted(tp.partition for tp in consumer.assignment())
        if now != assigned:
            assigned = now
            print(json.dumps({"assigned": now}), flush=True)
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
