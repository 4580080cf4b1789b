/**
 * The delivery audit's producers and readers. Producers write sequence-numbered records
 * (`<name>:<seq>`, to partition `seq % partitions`) at a steady pace over the run and log every
 * acknowledgement; readers read the whole topic back. Ours: {@link tskafkaProducer} (idempotent,
 * acks=all, optionally transactional) and {@link tskafkaReader}; peers we did not write:
 * {@link confluentPythonProducer} (confluent-kafka-python) and {@link kcatReader} (librdkafka).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, type Logger, type TopicPartition } from 'tskafka';
import type { AuditAck, AuditLogRecord } from './analyze.js';

/** What a producer is asked to write. */
export interface AuditProduceOptions {
  /** `host:port,...`. */
  bootstrap: string;
  /** The topic. */
  topic: string;
  /** Its partition count. */
  partitions: number;
  /** How many records to send. */
  records: number;
  /** Spread the sends over about this long. */
  durationMs: number;
  /** The producer's name: the prefix of its values. */
  name: string;
}

/** What a producer reports once every send has settled. */
export interface AuditProduceResult {
  /** Acknowledged records. */
  acks: AuditAck[];
  /** Why sends (or transactions) failed, one line each; failed records are simply not acknowledged. */
  errors: string[];
  /** Records of transactions aborted on purpose (their values end in `:a`). */
  aborted: number;
}

/** A producer the audit can drive. */
export interface AuditProducer {
  /** Its name in reports. */
  readonly name: string;
  /** Sends `opts.records` records and reports what was acknowledged. */
  produce(opts: AuditProduceOptions): Promise<AuditProduceResult>;
}

/** A reader the audit can check the topic with. */
export interface AuditReader {
  /** Its name in reports. */
  readonly name: string;
  /** Every record of `topic` from the beginning to its end (the last stable offset under read_committed). */
  read(
    bootstrap: string,
    topic: string,
    partitions: number,
    isolation: 'read_committed' | 'read_uncommitted',
  ): Promise<AuditLogRecord[]>;
}

/** Options of {@link tskafkaProducer}. */
export interface TskafkaAuditProducerOptions {
  /** Send in transactions of `transactionSize` records; every `abortEvery`-th one is aborted on purpose. */
  transactionalId?: string;
  /** Records per transaction (default 10). */
  transactionSize?: number;
  /** Abort every n-th transaction on purpose (default 4). */
  abortEvery?: number;
  /** Where the client logs (default: nothing; faults make it warn a lot). */
  logger?: Logger;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Our producer: idempotent with acks=all, or transactional with `transactionalId`. */
export function tskafkaProducer(options: TskafkaAuditProducerOptions = {}): AuditProducer {
  const transactional = options.transactionalId !== undefined;
  return {
    name: transactional ? 'tskafka-transactional' : 'tskafka',
    async produce(o) {
      const kafka = new Kafka({
        bootstrapServers: o.bootstrap.split(','),
        clientId: `audit-${o.name}`,
        logger: options.logger ?? quiet,
      });
      const acks: AuditAck[] = [];
      const errors: string[] = [];
      const producer = kafka.producer({
        acks: 'all',
        idempotent: true,
        lingerMs: 5,
        ...(transactional ? { transactionalId: options.transactionalId } : {}),
      });
      await producer.connect();
      const size = transactional ? (options.transactionSize ?? 10) : 10;
      const pauseMs = o.durationMs / Math.max(1, Math.ceil(o.records / size));
      let aborted = 0;
      try {
        if (transactional) await producer.initTransactions();
        const pending: Promise<void>[] = [];
        for (let first = 0, txn = 0; first < o.records; first += size, txn++) {
          const seqs = Array.from({ length: Math.min(size, o.records - first) }, (_, i) => first + i);
          if (!transactional) {
            for (const seq of seqs) {
              pending.push(
                producer
                  .send({ topic: o.topic, partition: seq % o.partitions, value: `${o.name}:${seq}` })
                  .then(
                    (m) => {
                      acks.push({ producer: o.name, seq, partition: m.partition, offset: m.offset });
                    },
                    (e: Error) => {
                      errors.push(`send ${o.name}:${seq}: ${e.message}`);
                    },
                  ),
              );
            }
          } else {
            const abort = (txn + 1) % (options.abortEvery ?? 4) === 0;
            const suffix = abort ? ':a' : '';
            try {
              await producer.beginTransaction();
              const sent = await Promise.all(
                seqs.map((seq) =>
                  producer.send({
                    topic: o.topic,
                    partition: seq % o.partitions,
                    value: `${o.name}:${seq}${suffix}`,
                  }),
                ),
              );
              if (abort) {
                await producer.abortTransaction();
                aborted += seqs.length;
              } else {
                await producer.commitTransaction();
                sent.forEach((m, i) => {
                  acks.push({ producer: o.name, seq: seqs[i], partition: m.partition, offset: m.offset });
                });
              }
            } catch (e) {
              errors.push(`transaction of ${o.name}:${seqs[0]}..${seqs.at(-1)}: ${(e as Error).message}`);
              await producer.abortTransaction().catch((e2: Error) => {
                errors.push(`abort after failure: ${e2.message}`);
              });
            }
          }
          await sleep(pauseMs);
        }
        await Promise.all(pending);
        await producer.flush();
      } finally {
        await producer.close();
      }
      return { acks, errors, aborted };
    },
  };
}

/** Options of {@link confluentPythonProducer}. */
export interface PythonAuditProducerOptions {
  /** The interpreter with confluent_kafka installed (default `/usr/bin/python3`, Debian's). */
  python?: string;
}

// confluent-kafka-python, idempotent with acks=all; one JSON line per delivery report.
const PYTHON_PRODUCER = `
import json, sys, time
from confluent_kafka import Producer
bootstrap, topic, partitions, count, duration_ms, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5,
              "retry.backoff.ms": 50, "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500,
              "message.timeout.ms": 60000})
def report(err, msg):
    seq = int(msg.value().decode().split(":")[1])
    if err is None:
        print(json.dumps({"seq": seq, "partition": msg.partition(), "offset": msg.offset()}), flush=True)
    else:
        print(json.dumps({"seq": seq, "error": str(err)}), flush=True)
pause = duration_ms / 1000.0 / max(1, (count + 9) // 10)
for seq in range(count):
    p.produce(topic, value=f"{name}:{seq}", partition=seq % partitions, on_delivery=report)
    p.poll(0)
    if seq % 10 == 9:
        time.sleep(pause)
left = p.flush(90)
sys.exit(1 if left else 0)
`;

/** confluent-kafka-python's producer (librdkafka), idempotent with acks=all, in a child process. */
export function confluentPythonProducer(options: PythonAuditProducerOptions = {}): AuditProducer {
  return {
    name: 'confluent-python',
    async produce(o) {
      const child = spawn(
        options.python ?? '/usr/bin/python3',
        [
          '-c',
          PYTHON_PRODUCER,
          o.bootstrap,
          o.topic,
          String(o.partitions),
          String(o.records),
          String(o.durationMs),
          o.name,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const acks: AuditAck[] = [];
      const errors: string[] = [];
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
      });
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const r = JSON.parse(line) as { seq: number; partition?: number; offset?: number; error?: string };
        if (r.error !== undefined) errors.push(`send ${o.name}:${r.seq}: ${r.error}`);
        else
          acks.push({ producer: o.name, seq: r.seq, partition: r.partition ?? -1, offset: r.offset ?? -1 });
      });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', resolve);
      });
      if (code !== 0)
        errors.push(`confluent-python producer exited with ${code}: ${stderr.trim().slice(-500)}`);
      return { acks, errors, aborted: 0 };
    },
  };
}

/** Our consumer, assigned every partition, reading from the beginning to the end offsets. */
export function tskafkaReader(logger: Logger = quiet): AuditReader {
  return {
    name: 'tskafka',
    async read(bootstrap, topic, partitions, isolationLevel) {
      const kafka = new Kafka({ bootstrapServers: bootstrap.split(','), clientId: 'audit-reader', logger });
      const consumer = kafka.consumer<Buffer | null, string | null>({
        isolationLevel,
        valueDeserializer: 'string',
      });
      await consumer.connect();
      try {
        const tps: TopicPartition[] = Array.from({ length: partitions }, (_, partition) => ({
          topic,
          partition,
        }));
        await consumer.assign(tps);
        consumer.seekToBeginning();
        const end = await consumer.endOffsets(tps);
        const records: AuditLogRecord[] = [];
        for (;;) {
          let done = true;
          for (const tp of tps) if ((await consumer.position(tp)) < (end.get(tp) ?? 0)) done = false;
          if (done) return records;
          for (const r of await consumer.poll(200))
            records.push({ partition: r.partition, offset: r.offset, value: r.value ?? '' });
        }
      } finally {
        await consumer.close();
      }
    },
  };
}

/** kcat (librdkafka's consumer), `-C -e` from the beginning; `kcat` must be on PATH. */
export function kcatReader(command = 'kcat'): AuditReader {
  return {
    name: 'kcat',
    async read(bootstrap, topic, _partitions, isolation) {
      const args = [
        '-b',
        bootstrap,
        '-X',
        `isolation.level=${isolation}`,
        '-C',
        '-t',
        topic,
        '-o',
        'beginning',
        '-e',
        '-q',
      ];
      const child = spawn(command, [...args, '-f', '%p\\t%o\\t%s\\n'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => {
        stdout += s;
      });
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
      });
      const code = await new Promise<number | null>((resolve, reject) => {
        child.once('error', (e) =>
          reject(new Error(`cannot run ${command} (apt-get install kcat): ${e.message}`)),
        );
        child.once('close', resolve);
      });
      if (code !== 0) throw new Error(`kcat ${args.join(' ')} exited with ${code}: ${stderr.trim()}`);
      return stdout
        .split('\n')
        .filter((l) => l.length > 0)
        .map((line) => {
          const [p, o, value] = line.split('\t');
          return { partition: Number(p), offset: Number(o), value };
        });
    },
  };
}
