/**
 * The differential harness: a scenario is written once against KafkaJS's API and run twice, with
 * the real `kafkajs` and with `tskafka/kafkajs`, each time against a fresh reference broker, so
 * the two results can be compared whole.
 */
import { startBroker } from '@tskafka/broker';
import * as kafkajs from 'kafkajs';
import * as ours from 'tskafka/kafkajs';

/** The module a scenario runs against: KafkaJS's API. */
export type KafkaJSModule = typeof kafkajs;

/** What a scenario gets: the module, and a `Kafka` on a fresh broker with logging off. */
export interface ScenarioContext {
  lib: KafkaJSModule;
  kafka: kafkajs.Kafka;
  bootstrapServers: string[];
}

/** Runs `scenario` with KafkaJS, then with ours; returns both results. */
export async function both<T>(
  scenario: (ctx: ScenarioContext) => Promise<T>,
  brokerConfig: Record<string, string | number | boolean> = {},
): Promise<{ kafkajs: T; ours: T }> {
  // Our module is typed by its own declarations; a scenario is typed by KafkaJS's, which it
  // follows. The comparison of what both return is the check that they behave alike.
  const libs: [string, KafkaJSModule][] = [
    ['kafkajs', kafkajs],
    ['ours', ours as unknown as KafkaJSModule],
  ];
  const out: Record<string, T> = {};
  for (const [name, lib] of libs) {
    const broker = await startBroker({ config: { 'num.partitions': 1, ...brokerConfig } });
    try {
      const kafka = new lib.Kafka({
        clientId: 'differential',
        brokers: broker.bootstrapServers,
        logLevel: lib.logLevel.NOTHING,
        retry: { retries: 2, initialRetryTime: 50 },
      });
      out[name] = await scenario({ lib, kafka, bootstrapServers: broker.bootstrapServers });
    } finally {
      await broker.close();
    }
  }
  return { kafkajs: out.kafkajs, ours: out.ours };
}

/** Resolves once `condition` holds, failing after `timeoutMs`. */
export async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What an error says, in KafkaJS's terms. */
export function describeError(e: unknown): {
  name: string;
  type?: string;
  retriable?: boolean;
  causeType?: string;
} {
  const err = e as { name: string; type?: string; retriable?: boolean; cause?: { type?: string } };
  return { name: err.name, type: err.type, retriable: err.retriable, causeType: err.cause?.type };
}
