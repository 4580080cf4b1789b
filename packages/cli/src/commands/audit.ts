/**
 * `tskafka audit [--seeds 1,2,3] [--mode cluster|kill9] [--producer tskafka|transactional|
 * confluent-python] [--records N] [--duration-ms MS] [--readers tskafka,kcat]`: the delivery
 * audit (see `runDeliveryAudit`) over each seed; prints a report per seed and exits 1 when any
 * record was lost, duplicated, reordered, misplaced, or read from an aborted transaction.
 */
import { parseArgs } from 'node:util';
import { formatAuditReport } from '../audit/analyze.js';
import {
  type AuditProducer,
  type AuditReader,
  confluentPythonProducer,
  kcatReader,
  tskafkaProducer,
  tskafkaReader,
} from '../audit/clients.js';
import { type DeliveryAuditResult, runDeliveryAudit } from '../audit/run.js';
import { CliError } from '../errors.js';

/** Usage text of the audit command. */
export const AUDIT_USAGE = `Usage: tskafka audit [--seeds 1,2,3 | --seed-count N] [--mode cluster|kill9]
                     [--producer tskafka|transactional|confluent-python] [--readers tskafka,kcat]
                     [--records 1500] [--duration-ms 6000] [--python /usr/bin/python3] [--verbose]
Delivery audit: a producer writes sequence-numbered records while a fault schedule drawn from the
seed runs against a cluster the command starts; then each reader reads the topic back and every
acknowledged record is checked. Exits 1 on any lost, duplicated, reordered or misplaced record, or
a record of an aborted transaction read at read_committed.
  --seeds       comma-separated seeds (default 1)
  --seed-count  seeds 1..N instead of --seeds
  --mode        cluster: three in-process brokers on disk, faults of every kind (default);
                kill9: one broker process (tskafka broker --data-dir) killed with SIGKILL, restarted
  --producer    tskafka (idempotent, acks=all; default), transactional (read back at
                read_committed, every 4th transaction aborted on purpose), confluent-python
  --readers     who reads the topic back (default tskafka,kcat)
  --verbose     print each fault step as it runs`;

/** Runs the audit command; throws a CliError (exit 1) when an audit fails. */
export async function auditCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string', default: '1' },
      'seed-count': { type: 'string' },
      mode: { type: 'string', default: 'cluster' },
      producer: { type: 'string', default: 'tskafka' },
      readers: { type: 'string', default: 'tskafka,kcat' },
      records: { type: 'string', default: '1500' },
      'duration-ms': { type: 'string', default: '6000' },
      python: { type: 'string', default: '/usr/bin/python3' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${AUDIT_USAGE}\n`);
    return;
  }
  const plan = planAudit(values);
  const failed: number[] = [];
  for (const seed of plan.seeds) {
    let result: DeliveryAuditResult;
    try {
      result = await runDeliveryAudit({
        seed,
        mode: plan.mode,
        durationMs: plan.durationMs,
        records: plan.records,
        producer: plan.producer(seed),
        readers: plan.readers,
        ...(values.verbose ? { log: (line: string) => out.write(`${line}\n`) } : {}),
      });
    } catch (e) {
      throw new CliError(`audit of seed ${seed} could not run: ${(e as Error).message}`);
    }
    out.write(`${auditSummary(result)}\n`);
    if (!result.ok) failed.push(seed);
  }
  if (failed.length > 0) throw new CliError(`delivery audit failed for seed(s) ${failed.join(', ')}`);
}

/** The one-line-per-seed summary followed by each reader's per-partition report. */
export function auditSummary(r: DeliveryAuditResult): string {
  const applied = r.events.filter((e) => e.outcome === 'applied').length;
  const head =
    `seed ${r.seed}: ${r.ok ? 'OK' : 'FAILED'} - ${r.producer}, ${applied}/${r.schedule.steps.length} fault steps applied, ` +
    `${r.acknowledged} acknowledged, ${r.aborted} aborted on purpose, ${r.producerErrors.length} send failures`;
  const errors = r.producerErrors.slice(0, 3).map((e) => `  send failure: ${e}`);
  const kept = r.dataDir ? [`  the cluster's logs are kept in ${r.dataDir}`] : [];
  return [head, ...errors, ...r.reports.map(formatAuditReport), ...kept].join('\n');
}

interface AuditPlan {
  seeds: number[];
  mode: 'cluster' | 'kill9';
  durationMs: number;
  records: number;
  producer: (seed: number) => AuditProducer;
  readers: AuditReader[];
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`--${name}: expected a positive integer, got "${text}"`);
  return n;
}

/** Checks the flags and turns them into what to run. */
function planAudit(values: Record<string, string | boolean | undefined>): AuditPlan {
  const seedCount = values['seed-count'] as string | undefined;
  const seeds = seedCount
    ? Array.from({ length: positive('seed-count', seedCount) }, (_, i) => i + 1)
    : String(values.seeds)
        .split(',')
        .map((s) => {
          const n = Number(s);
          if (!Number.isInteger(n)) throw new CliError(`--seeds: "${s}" is not an integer`);
          return n;
        });
  const mode = values.mode;
  if (mode !== 'cluster' && mode !== 'kill9')
    throw new CliError(`--mode: expected cluster or kill9, got "${mode}"`);
  const producerName = values.producer;
  const producer = (seed: number): AuditProducer => {
    if (producerName === 'tskafka') return tskafkaProducer();
    if (producerName === 'transactional') return tskafkaProducer({ transactionalId: `audit-tx-${seed}` });
    return confluentPythonProducer({ python: values.python as string });
  };
  if (!['tskafka', 'transactional', 'confluent-python'].includes(String(producerName)))
    throw new CliError(
      `--producer: expected tskafka, transactional or confluent-python, got "${producerName}"`,
    );
  const readers = String(values.readers)
    .split(',')
    .map((name) => {
      if (name === 'tskafka') return tskafkaReader();
      if (name === 'kcat') return kcatReader();
      throw new CliError(`--readers: unknown reader "${name}" (tskafka, kcat)`);
    });
  return {
    seeds,
    mode,
    durationMs: positive('duration-ms', String(values['duration-ms'])),
    records: positive('records', String(values.records)),
    producer,
    readers,
  };
}
