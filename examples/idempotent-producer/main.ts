/**
 * The idempotent producer under broker faults. The broker is told to answer some produce
 * requests with NOT_LEADER_OR_FOLLOWER (a retriable error: nothing was written) and to drop the
 * response of others after writing them (the producer cannot tell the write happened, so it
 * retries). A plain producer then writes those records twice; an idempotent one (producer id and
 * sequence numbers, the default) does not: the broker recognises the retry as a duplicate.
 * Reading both topics back with a consumer shows the difference.
 *
 * What idempotence does not cover: a consume-transform-produce processor that crashes between
 * writing its output and committing its input offsets. The restart processes those inputs again
 * and writes their output twice; every write was a new one, not a retry. The last part runs
 * `examples/transactional`'s pipeline without a transaction to show it; with one, the output and
 * the offsets commit together and nothing is duplicated.
 *
 * Run: `npx tsx --conditions=source examples/idempotent-producer/main.ts`
 */
import { pathToFileURL } from 'node:url';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { ApiKey, ErrorCode, Kafka } from 'tskafka';
import { type PipelineResult, runPipeline } from '../transactional/main.js';

const PRODUCE = ApiKey.Produce;
const NOT_LEADER_OR_FOLLOWER = ErrorCode.NOT_LEADER_OR_FOLLOWER;
const RECORDS = 10;

/** What one producer's topic holds after the faults. */
export interface TopicReadBack {
  idempotent: boolean;
  /** Values in offset order. */
  values: string[];
  /** Values stored more than once. */
  duplicates: string[];
  /** Faults armed but not hit (0: every fault met a request). */
  faultsLeft: number;
}

export interface IdempotentResult {
  plain: TopicReadBack;
  idempotent: TopicReadBack;
  /** An idempotent processor crashing between produce and commit (no transaction). */
  crash: PipelineResult;
}

export async function main(log: (line: string) => void = console.log): Promise<IdempotentResult> {
  const broker = await startBroker({ logLevel: 'error' });
  try {
    const plain = await produceUnderFaults(broker, false, log);
    const idempotent = await produceUnderFaults(broker, true, log);
    await broker.close();
    log('\nIdempotent processor, crash between produce and commit (no transaction):');
    const crash = await runPipeline('idempotent', { log: (line) => log(`  ${line}`) });
    return { plain, idempotent, crash };
  } finally {
    await broker.close();
  }
}

async function produceUnderFaults(
  broker: RunningBroker,
  idempotent: boolean,
  log: (line: string) => void,
): Promise<TopicReadBack> {
  const topic = idempotent ? 'payments-idempotent' : 'payments-plain';
  broker.cluster.metadata.createTopic(topic, { numPartitions: 1, replicationFactor: 1 });
  const kafka = new Kafka({
    bootstrapServers: broker.bootstrapServers,
    clientId: topic,
    // The dropped responses look like a broker that went away: the producer's connection errors
    // are expected here, so keep them off the screen.
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  log(
    `\n${idempotent ? 'Idempotent producer (enable.idempotence=true)' : 'Plain producer (enable.idempotence=false)'}:`,
  );
  const producer = kafka.producer({ acks: 'all', idempotent, retryBackoffMs: 10 });
  await producer.connect();
  const faults = broker.node.faults;
  for (let i = 0; i < RECORDS; i++) {
    if (i === 2) {
      faults.pushRequestErrors(PRODUCE, NOT_LEADER_OR_FOLLOWER);
      log('  broker: the next produce request fails with NOT_LEADER_OR_FOLLOWER');
    }
    if (i === 4 || i === 7) {
      faults.dropNextResponses(PRODUCE, 1);
      log('  broker: the next produce request is written, but its response is lost');
    }
    const meta = await producer.send({ topic, key: 'account-1', value: `payment-${i}` });
    log(`  sent payment-${i} -> offset ${meta.offset}`);
  }
  await producer.close();
  const faultsLeft = faults.pendingCount(PRODUCE);

  const consumer = kafka.consumer<Buffer | null, string | null>({ valueDeserializer: 'string' });
  await consumer.connect();
  await consumer.assign([{ topic, partition: 0 }]);
  consumer.seekToBeginning();
  const values: string[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const records = await consumer.poll(300);
    for (const r of records) values.push(r.value ?? '');
    if ((records.length === 0 && values.length >= RECORDS) || Date.now() > deadline) break;
  }
  await consumer.close();
  const seen = new Set<string>();
  const duplicates = values.filter((v) => seen.has(v) || !seen.add(v));
  log(`  read back ${values.length} records: ${values.join(' ')}`);
  log(
    duplicates.length === 0
      ? '  no duplicates: every payment is stored exactly once, in order'
      : `  duplicates: ${duplicates.join(', ')} (stored twice: the retry of a write whose response was lost)`,
  );
  return { idempotent, values, duplicates, faultsLeft };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
