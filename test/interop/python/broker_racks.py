"""The brokers a kafka-python (Debian's python3-kafka) client sees in Metadata, with their racks.

Usage: broker_racks.py BOOTSTRAP

Prints one JSON line per broker: ``{"node_id": n, "rack": "a"}`` (rack null when the broker has
no ``broker.rack``).
"""

import json
import sys

from kafka import KafkaAdminClient


def main() -> int:
    admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id="kafka-python-racks")
    try:
        for broker in admin.describe_cluster()["brokers"]:
            print(json.dumps({"node_id": broker["node_id"], "rack": broker["rack"]}))
    finally:
        admin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
