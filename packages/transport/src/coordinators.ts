/**
 * Finding coordinators (FindCoordinator): the broker that runs a consumer group or a
 * transactional id, cached until invalidated, with one lookup at a time per key, and the
 * addresses of coordinators the metadata may not list yet.
 *
 * @module
 */
import { createKafkaError } from '@tskafka/protocol';
import { Api } from '@tskafka/protocol/internals';
import type { Connection } from './connection.js';
import type { BrokerAddress } from './options.js';

/** The coordinator types of FindCoordinator. */
export type CoordinatorType = 'group' | 'transaction';

/** A coordinator: the broker that runs a consumer group or a transactional id. */
export interface Coordinator {
  /** Its node id. */
  readonly nodeId: number;
  /** Its host. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
}

const COORDINATOR_KEY_TYPE: Record<CoordinatorType, number> = { group: 0, transaction: 1 };

/**
 * The coordinators a cluster client knows: found through any broker (`anyConnection`), each
 * lookup retried with `retry` (the cluster's policy; `timeoutMs` undefined means its default).
 */
export class Coordinators {
  private readonly known = new Map<string, Coordinator>();
  private readonly lookups = new Map<string, Promise<Coordinator>>();
  private readonly addresses = new Map<number, BrokerAddress>();

  /** Coordinators found over `anyConnection`, each lookup retried by `retry`. */
  constructor(
    private readonly anyConnection: () => Promise<Connection>,
    private readonly retry: (
      fn: () => Promise<Coordinator>,
      timeoutMs: number | undefined,
    ) => Promise<Coordinator>,
  ) {}

  /** Where coordinator `nodeId` lives, if a lookup named it. */
  address(nodeId: number): BrokerAddress | undefined {
    return this.addresses.get(nodeId);
  }

  /**
   * The coordinator of `key`: the cached one, the lookup already running, or a new lookup
   * retried for up to `timeoutMs`.
   */
  find(type: CoordinatorType, key: string, timeoutMs?: number): Promise<Coordinator> {
    const id = `${type}:${key}`;
    const cached = this.known.get(id);
    if (cached !== undefined) return Promise.resolve(cached);
    const running = this.lookups.get(id);
    if (running !== undefined) return running;
    const lookup = this.retry(() => this.lookup(type, key), timeoutMs).then((c) => {
      this.known.set(id, c);
      return c;
    });
    this.lookups.set(id, lookup);
    const forget = (): void => {
      if (this.lookups.get(id) === lookup) this.lookups.delete(id);
    };
    lookup.then(forget, forget);
    return lookup;
  }

  /** Forgets the cached coordinator of `key`. */
  invalidate(type: CoordinatorType, key: string): void {
    this.known.delete(`${type}:${key}`);
  }

  private async lookup(type: CoordinatorType, key: string): Promise<Coordinator> {
    const keyType = COORDINATOR_KEY_TYPE[type];
    const conn = await this.anyConnection();
    // v4+ batches keys; transaction coordinators need v1+.
    const version = conn.versionFor(Api.FindCoordinator, undefined, type === 'transaction' ? 1 : 0);
    const res =
      version >= 4
        ? await conn.request(
            Api.FindCoordinator,
            { keyType, coordinatorKeys: [key] },
            { maxVersion: version },
          )
        : await conn.request(Api.FindCoordinator, { key, keyType }, { maxVersion: version });
    const c =
      version >= 4
        ? res.coordinators.find((x) => x.key === key)
        : {
            nodeId: res.nodeId,
            host: res.host,
            port: res.port,
            errorCode: res.errorCode,
            errorMessage: res.errorMessage,
          };
    if (c === undefined) {
      throw createKafkaError(15 /* COORDINATOR_NOT_AVAILABLE */, {
        broker: conn.broker,
        apiName: 'FindCoordinator',
        message: `the response does not name a coordinator for ${type} "${key}"`,
      });
    }
    if (c.errorCode !== 0) {
      throw createKafkaError(c.errorCode, {
        broker: conn.broker,
        apiName: 'FindCoordinator',
        message: c.errorMessage,
      });
    }
    const coordinator: Coordinator = { nodeId: c.nodeId, host: c.host, port: c.port };
    this.addresses.set(c.nodeId, { host: c.host, port: c.port });
    return coordinator;
  }
}
