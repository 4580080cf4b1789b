"""Describes and alters configs through confluent-kafka-python's AdminClient.

Usage: configs.py BOOTSTRAP COMMAND...

Commands, each run in order, each printing one JSON line:
  describe TYPE NAME KEY     -> {"name", "value", "source", "read_only", "synonyms": [[name, value, source]]} (one per name)
  alter TYPE NAME K=V[,K=V]  -> {"altered": NAME} or {"error": librdkafka error name}

TYPE is ``topic`` or ``broker``; sources are librdkafka's names (``DYNAMIC_TOPIC_CONFIG``, ...).
AlterConfigs replaces the resource's whole set of dynamic configs, as Kafka's (non-incremental)
AlterConfigs does; confluent-kafka-python 1.7 has no incremental variant.
"""

import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource

TYPES = {"topic": ConfigResource.Type.TOPIC, "broker": ConfigResource.Type.BROKER}

def _source(source) -> str:
    from confluent_kafka.admin import ConfigSource

    return ConfigSource(source).name

def main() -> int:
    bootstrap = sys.argv[1]
    args = sys.argv[2:]
    admin = AdminClient({"bootstrap.servers": bootstrap})
    while args:
        command = args.pop(0)
        kind, name = TYPES[args.pop(0)], args.pop(0)
        resource = ConfigResource(kind, name)
        if command == "describe":
            key = args.pop(0)
            configs = admin.describe_configs([resource], request_timeout=10)[resource].result(timeout=15)
            entry = configs[key]
            # confluent-kafka-python keys synonyms by name: of two levels of one property
            # (STATIC_BROKER_CONFIG and DEFAULT_CONFIG of log.retention.hours) it keeps the last.
            synonyms = [[s.name, s.value, _source(s.source)] for s in entry.synonyms.values()]
            print(json.dumps({
                "name": entry.name,
                "value": entry.value,
                "source": _source(entry.source),
                "read_only": entry.is_read_only,
                "synonyms": synonyms,
            }))
        elif command == "alter":
            for pair in args.pop(0).split(","):
                k, v = pair.split("=", 1)
                resource.set_config(k, v)
            try:
                admin.alter_configs([resource], request_timeout=10)[resource].result(timeout=15)
                print(json.dumps({"altered": name}))
            except KafkaException as e:
                print(json.dumps({"error": e.args[0].name(), "message": e.args[0].str()}))
        else:
            raise SystemExit(f"unknown command {command}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
