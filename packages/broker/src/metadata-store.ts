/**
 * Keeps the cluster metadata (topics, partitions, configs) across restarts when the broker has a
 * data directory. Kafka keeps it in the `__cluster_metadata` log; the reference broker writes a
 * snapshot file, rewritten atomically (write to a temp file, then rename) on every change, plus
 * Kafka's `meta.properties` with the cluster id.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerConfig } from './config.js';
import type { DynamicConfigsSnapshot } from './dynamic-config.js';
import { ClusterMetadata, type TopicState } from './metadata.js';
import type { ScramCredentialsSnapshot } from './sasl/credentials.js';

interface Snapshot {
  version: 1;
  nextProducerId?: number;
  /** Dynamic broker and group configs (Kafka's ConfigRecords for BROKER and GROUP resources). */
  dynamicConfigs?: DynamicConfigsSnapshot;
  /** SCRAM credentials (Kafka's UserScramCredentialRecords): salted, never the passwords. */
  scramCredentials?: ScramCredentialsSnapshot;
  topics: {
    name: string;
    topicId: string;
    internal: boolean;
    configs: Record<string, string>;
    partitions: {
      partition: number;
      replicas: number[];
      leaderEpoch: number;
      /** Since replication: the leader (-1 for none) and ISR, so a restart elects from the ISR. */
      leader?: number;
      isr?: number[];
      /** Since reassignments: the replicas an ongoing reassignment adds and removes. */
      addingReplicas?: number[];
      removingReplicas?: number[];
    }[];
  }[];
}

/** The metadata snapshot under a data directory. */
export class MetadataStore {
  private readonly dir: string;
  private metadata: ClusterMetadata | null = null;

  /** Uses `dataDir` (created if missing). */
  constructor(dataDir: string) {
    this.dir = dataDir;
    mkdirSync(dataDir, { recursive: true });
  }

  private get snapshotPath(): string {
    return join(this.dir, 'tskafka-metadata.json');
  }

  /** Reads `meta.properties` and the snapshot; a new directory gives a new cluster. */
  load(config: BrokerConfig): ClusterMetadata {
    const props = join(this.dir, 'meta.properties');
    let clusterId: string | undefined;
    if (existsSync(props)) {
      clusterId = /^cluster\.id=(.+)$/m.exec(readFileSync(props, 'utf8'))?.[1]?.trim();
    }
    const md = new ClusterMetadata(config, clusterId);
    if (!clusterId)
      writeFileSync(props, `#tskafka reference broker\nversion=1\ncluster.id=${md.clusterId}\n`);
    if (existsSync(this.snapshotPath)) {
      const snap = JSON.parse(readFileSync(this.snapshotPath, 'utf8')) as Snapshot;
      for (const t of snap.topics) {
        const topic: TopicState = {
          name: t.name,
          topicId: t.topicId,
          internal: t.internal,
          configs: new Map(Object.entries(t.configs)),
          partitions: t.partitions.map((p) => ({
            partition: p.partition,
            replicas: p.replicas,
            isr: p.isr?.length ? p.isr : [...p.replicas],
            leader: p.leader ?? p.replicas[0] ?? -1,
            leaderEpoch: p.leaderEpoch,
            partitionEpoch: 0,
            addingReplicas: p.addingReplicas ?? [],
            removingReplicas: p.removingReplicas ?? [],
          })),
        };
        md.restoreTopic(topic);
      }
      if (snap.nextProducerId) md.nextProducerId = snap.nextProducerId;
      if (snap.dynamicConfigs) md.dynamicConfigs.restore(snap.dynamicConfigs);
      if (snap.scramCredentials) md.scramCredentials.restore(snap.scramCredentials);
    }
    return md;
  }

  /** Saves a snapshot now and after every change of `metadata`. */
  attach(metadata: ClusterMetadata): void {
    this.metadata = metadata;
    metadata.onChange(() => this.save());
    this.save();
  }

  /** Writes the snapshot atomically. */
  save(): void {
    const md = this.metadata;
    if (!md) return;
    const snap: Snapshot = {
      version: 1,
      nextProducerId: md.nextProducerId,
      dynamicConfigs: md.dynamicConfigs.snapshot(),
      scramCredentials: md.scramCredentials.snapshot(),
      topics: [...md.topics.values()].map((t) => ({
        name: t.name,
        topicId: t.topicId,
        internal: t.internal,
        configs: Object.fromEntries(t.configs),
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          replicas: p.replicas,
          leaderEpoch: p.leaderEpoch,
          leader: p.leader,
          isr: p.isr,
          ...(p.addingReplicas?.length ? { addingReplicas: p.addingReplicas } : {}),
          ...(p.removingReplicas?.length ? { removingReplicas: p.removingReplicas } : {}),
        })),
      })),
    };
    const tmp = `${this.snapshotPath}.tmp`;
    writeFileSync(tmp, JSON.stringify(snap, null, 1));
    renameSync(tmp, this.snapshotPath);
  }

  /** Final save. */
  close(): void {
    this.save();
  }
}
