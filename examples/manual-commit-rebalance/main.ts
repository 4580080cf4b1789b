/**
 * Offsets kept in your own database, next to the results they produced, instead of in Kafka (the
 * seeds' `SaveOffsetsOnRebalance`). Each consumer writes what it processed and the next offset of
 * each partition in one database transaction; `onPartitionsRevoked` commits that transaction
 * before the partitions move, and `onPartitionsAssigned` seeks every partition to the offset the
 * database holds. The database is SQLite (sql.js, SQLite compiled to WebAssembly) saved to a file.
 *
 * What happens: consumer A starts alone; consumer B joins mid-way (a rebalance); both stop; more
 * records arrive; the database is reopened from its file and consumer C carries on (a restart).
 * At the end the database holds every record processed exactly once.
 *
 * Run: `npx tsx --conditions=source examples/manual-commit-rebalance/main.ts`
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type RunningBroker, startBroker } from '@tskafka/broker';
import { type Consumer, type ConsumerRecord, Kafka, type TopicPartition } from 'tskafka';

// ---- the few sql.js types used here (the package ships none) ---------------------------------
interface SqlValueRows {
  columns: string[];
  values: (number | string | null)[][];
}
interface SqlDatabase {
  run(sql: string, params?: (number | string | null)[]): SqlDatabase;
  exec(sql: string, params?: (number | string | null)[]): SqlValueRows[];
  export(): Uint8Array;
  close(): void;
}
interface SqlJs {
  Database: new (data?: Uint8Array) => SqlDatabase;
}
const initSqlJs = createRequire(import.meta.url)('sql.js') as () => Promise<SqlJs>;

const TOPIC = 'payments';
const GROUP = 'ledger';
const PARTITIONS = 4;
/** Write to the database every this many records (and in onPartitionsRevoked, and on close). */
const DB_BATCH = 25;

/** The database: processed payments, account balances, and the next offset of each partition. */
class Ledger {
  private constructor(
    private readonly db: SqlDatabase,
    readonly file: string,
  ) {}

  /** Opens the file if it exists (as after a restart), else creates the tables. */
  static async open(file: string): Promise<Ledger> {
    const SQL = await initSqlJs();
    let data: Uint8Array | undefined;
    try {
      data = readFileSync(file);
    } catch {
      data = undefined;
    }
    const db = new SQL.Database(data);
    db.run(`CREATE TABLE IF NOT EXISTS processed (topic TEXT, partition INTEGER, "offset" INTEGER,
              account TEXT, amount INTEGER, consumer TEXT);
            CREATE TABLE IF NOT EXISTS balances (account TEXT PRIMARY KEY, total INTEGER);
            CREATE TABLE IF NOT EXISTS offsets (topic TEXT, partition INTEGER, next_offset INTEGER,
              PRIMARY KEY (topic, partition));`);
    return new Ledger(db, file);
  }

  /** The offset to resume `tp` from: the next one after the last record stored, or 0. */
  nextOffset(tp: TopicPartition): number {
    const rows = this.db.exec('SELECT next_offset FROM offsets WHERE topic = ? AND partition = ?', [
      tp.topic,
      tp.partition,
    ]);
    return Number(rows[0]?.values[0]?.[0] ?? 0);
  }

  /**
   * One transaction: the processed records, their effect on the balances, and the next offset of
   * their partitions. Either all of it is stored or none, so results and offsets never disagree.
   * Then the database goes to its file.
   */
  commit(records: readonly ConsumerRecord<string | null, string | null>[], consumer: string): void {
    if (records.length === 0) return;
    this.db.run('BEGIN');
    try {
      for (const r of records) {
        const amount = Number(r.value);
        this.db.run('INSERT INTO processed VALUES (?, ?, ?, ?, ?, ?)', [
          r.topic,
          r.partition,
          r.offset,
          r.key,
          amount,
          consumer,
        ]);
        this.db.run(
          `INSERT INTO balances VALUES (?, ?)
             ON CONFLICT (account) DO UPDATE SET total = total + excluded.total`,
          [r.key, amount],
        );
        this.db.run(
          `INSERT INTO offsets VALUES (?, ?, ?)
             ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset`,
          [r.topic, r.partition, r.offset + 1],
        );
      }
      this.db.run('COMMIT');
    } catch (e) {
      this.db.run('ROLLBACK');
      throw e;
    }
    writeFileSync(this.file, this.db.export());
  }

  query(sql: string): (number | string | null)[][] {
    return this.db.exec(sql)[0]?.values ?? [];
  }

  close(): void {
    writeFileSync(this.file, this.db.export());
    this.db.close();
  }
}

/** A member of the group that keeps its offsets in the ledger. */
interface Member {
  name: string;
  consumer: Consumer<string | null, string | null>;
  /** Records processed (in memory; stored on the next ledger commit). */
  processed: number;
  /** Records that onPartitionsRevoked stored. */
  savedOnRevoke: number;
  stop(): Promise<void>;
}

function startMember(
  kafka: Kafka,
  ledger: Ledger,
  name: string,
  log: (line: string) => void,
  onRecord: () => void,
): Member {
  const consumer = kafka.consumer<string | null, string | null>({
    clientId: name,
    groupId: GROUP,
    enableAutoCommit: false, // the offsets live in the ledger, not in Kafka
    keyDeserializer: 'string',
    valueDeserializer: 'string',
    maxPollRecords: 4,
    heartbeatIntervalMs: 100,
  });
  // Processed, not yet in the database: the open transaction of the seeds' Java code.
  let pending: ConsumerRecord<string | null, string | null>[] = [];
  const commitDbTransaction = (): number => {
    const n = pending.length;
    ledger.commit(pending, name);
    pending = [];
    return n;
  };
  let stopping = false;
  const member: Member = {
    name,
    consumer,
    processed: 0,
    savedOnRevoke: 0,
    async stop() {
      stopping = true;
      await loop;
      await consumer.close(); // calls onPartitionsRevoked: what is pending is stored
    },
  };
  const loop = (async () => {
    await consumer.connect();
    await consumer.subscribe([TOPIC], {
      onPartitionsRevoked: (partitions) => {
        const n = commitDbTransaction();
        member.savedOnRevoke += n;
        log(
          `  ${name}: partitions ${list(partitions)} revoked; stored ${n} pending record(s) and their offsets`,
        );
      },
      onPartitionsAssigned: (partitions) => {
        const at = partitions.map((tp) => {
          const offset = ledger.nextOffset(tp);
          consumer.seek(tp, offset); // resume where the database says, whatever Kafka has
          return `${tp.partition}@${offset}`;
        });
        log(
          `  ${name}: assigned partitions ${list(partitions)}; seek to the ledger's offsets ${at.join(' ')}`,
        );
      },
    });
    while (!stopping) {
      const records = await consumer.poll(100);
      for (const r of records) {
        await new Promise((resolve) => setTimeout(resolve, 5)); // the "work" of processing a payment
        pending.push(r);
        member.processed++;
        onRecord();
      }
      if (pending.length >= DB_BATCH) commitDbTransaction();
    }
  })();
  return member;
}

function list(partitions: readonly TopicPartition[]): string {
  return partitions.length === 0 ? '(none)' : partitions.map((p) => p.partition).join(',');
}

async function produce(broker: RunningBroker, from: number, count: number): Promise<number> {
  const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'payments-source' });
  const producer = kafka.producer<string, string>();
  await producer.connect();
  let sum = 0;
  for (let i = from; i < from + count; i++) {
    const amount = (i % 7) + 1;
    sum += amount;
    await producer.send({
      topic: TOPIC,
      partition: i % PARTITIONS,
      key: `account-${i % 5}`,
      value: String(amount),
    });
  }
  await producer.close();
  return sum;
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ManualCommitResult {
  /** Records produced, and the sum of their amounts. */
  produced: number;
  producedSum: number;
  /** Rows in the ledger's `processed` table, and how many (topic, partition, offset) occur twice. */
  processedRows: number;
  duplicates: number;
  /** The sum of the ledger's balances. */
  balanceSum: number;
  /** The ledger's next offset per partition. */
  offsets: number[];
  /** Records each consumer processed. */
  perConsumer: Record<string, number>;
  /** Records stored by onPartitionsRevoked (rebalance and close). */
  savedOnRevoke: number;
}

export async function main(
  log: (line: string) => void = console.log,
  options: { dbFile?: string } = {},
): Promise<ManualCommitResult> {
  const dir = options.dbFile === undefined ? mkdtempSync(path.join(tmpdir(), 'tskafka-ledger-')) : undefined;
  const dbFile = options.dbFile ?? path.join(dir!, 'ledger.sqlite');
  const broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': 0 }, logLevel: 'error' });
  try {
    broker.cluster.metadata.createTopic(TOPIC, { numPartitions: PARTITIONS, replicationFactor: 1 });
    const kafka = new Kafka({ bootstrapServers: broker.bootstrapServers, clientId: 'ledger' });
    let producedSum = await produce(broker, 0, 40);
    log(`40 payments are waiting in topic "${TOPIC}" (${PARTITIONS} partitions). The ledger is ${dbFile}.`);

    let ledger = await Ledger.open(dbFile);
    let total = 0;
    const count = (): void => {
      total++;
    };
    log('\nConsumer A starts alone and gets every partition:');
    const a = startMember(kafka, ledger, 'A', log, count);
    await until('A processed 10 payments', () => a.processed >= 10);
    log(`\nA has processed ${a.processed} payments; consumer B joins the group (a rebalance):`);
    const b = startMember(kafka, ledger, 'B', log, count);
    await until('all 40 payments are processed', () => total >= 40);
    log('\nBoth stop (each stores what it has pending when its partitions are revoked on close):');
    await Promise.all([a.stop(), b.stop()]);
    ledger.close();

    producedSum += await produce(broker, 40, 20);
    log('\n20 more payments arrive while no consumer runs. The ledger is reopened from its file,');
    log('and consumer C starts (a restart):');
    ledger = await Ledger.open(dbFile);
    const c = startMember(kafka, ledger, 'C', log, count);
    await until('C processed the 20 new payments', () => c.processed >= 20);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything more would show up now
    await c.stop();

    const processedRows = Number(ledger.query('SELECT count(*) FROM processed')[0][0]);
    const duplicates = Number(
      ledger.query(`SELECT count(*) FROM (SELECT 1 FROM processed
                      GROUP BY topic, partition, "offset" HAVING count(*) > 1)`)[0][0],
    );
    const balanceSum = Number(ledger.query('SELECT sum(total) FROM balances')[0][0]);
    const offsets = ledger
      .query('SELECT next_offset FROM offsets ORDER BY partition')
      .map((r) => Number(r[0]));
    const perConsumer: Record<string, number> = {};
    for (const [consumer, n] of ledger.query('SELECT consumer, count(*) FROM processed GROUP BY consumer'))
      perConsumer[String(consumer)] = Number(n);
    ledger.close();

    log('\nWhat the ledger holds:');
    log(`  ${processedRows} payments processed (60 produced), ${duplicates} processed twice`);
    const byConsumer = Object.entries(perConsumer).map(([k, v]) => `${k}=${v}`);
    log(`  by consumer: ${byConsumer.join(' ')}`);
    log(`  balances add up to ${balanceSum} (the payments add up to ${producedSum})`);
    log(`  next offset per partition: ${offsets.join(' ')}`);
    return {
      produced: 60,
      producedSum,
      processedRows,
      duplicates,
      balanceSum,
      offsets,
      perConsumer,
      savedOnRevoke: a.savedOnRevoke + b.savedOnRevoke + c.savedOnRevoke,
    };
  } finally {
    await broker.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
