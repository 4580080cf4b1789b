"""
What the reference broker's authorizer lets a confluent-kafka-python client do: logs in as USER
(SASL PLAIN), lists the topics it can see, and produces one record to each TOPIC, reporting the
delivery error's name (TOPIC_AUTHORIZATION_FAILED) or OK. One JSON line per step. (Debian's
confluent-kafka-python 1.7 has no ACL admin calls; the ACLs are set by the test.)

usage: acls.py BOOTSTRAP USER PASSWORD TOPIC...
"""
import json
import sys

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

bootstrap, user, password, *topics = sys.argv[1:]
conf = {
    "bootstrap.servers": bootstrap,
    "security.protocol": "SASL_PLAINTEXT",
    "sasl.mechanisms": "PLAIN",
    "sasl.username": user,
    "sasl.password": password,
}


def out(**kv):
    print(json.dumps(kv), flush=True)


md = AdminClient(conf).list_topics(timeout=10)
out(step="topics", topics=sorted(t for t in md.topics if not t.startswith("__")))
for topic in topics:
    results = []
    p = Producer({**conf, "message.timeout.ms": 10000, "enable.idempotence": False})

    def report(err, msg):
        results.append(err.name() if err else "OK")

    p.produce(topic, b"v", callback=report)
    p.flush(15)
    out(step="produce", topic=topic, result=results[0] if results else "NO_REPORT")
