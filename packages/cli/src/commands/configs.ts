/**
 * `tskafka configs --bootstrap-server H:P --entity-type topics|brokers|groups|users ...`: Kafka's
 * `kafka-configs.sh` (its `ConfigCommand`): `--describe [--all]` prints each config with its
 * synonyms; `--alter --add-config k=v,k2=[a,b] --delete-config k` changes them through
 * IncrementalAlterConfigs, and for users sets or removes SCRAM credentials
 * (`--add-config 'SCRAM-SHA-256=[iterations=8192,password=secret]'`).
 */
import { parseArgs } from 'node:util';
import type {
  Admin,
  AlterConfigOp,
  ConfigEntry,
  ConfigResourceType,
  ConfigSource,
  ScramMechanism,
  UserScramCredentialAlteration,
} from '@tskafka/admin';
import { ResourceNotFoundError } from '@tskafka/protocol';
import { CliError } from '../errors.js';
import { asCliError, clientProperties, connectAdmin } from './common.js';

/** Usage text of the configs command. */
export const CONFIGS_USAGE = `Usage: tskafka configs --bootstrap-server H:P --entity-type TYPE (--describe | --alter) [options]
Adds, removes or lists the dynamic configs of topics, brokers, groups and users (SCRAM credentials).
Options:
  --entity-type TYPE        topics, brokers, groups or users
  --entity-name NAME        the topic, broker id, group or user (describe: all when left out)
  --entity-default          the cluster-wide default of dynamic broker configs
  --describe                list the dynamic configs (with --all: every config)
  --all                     with --describe, list every config, not only the dynamic ones
  --alter                   change configs
  --add-config K=V,K2=[A,B] configs to set; square brackets group values that hold commas;
                            for users: 'SCRAM-SHA-256=[iterations=8192,password=secret]'
  --delete-config K,K2      configs to remove (for users: SCRAM-SHA-256, SCRAM-SHA-512)
  --command-config FILE     admin client properties from a file`;

const ENTITY_TYPES = ['topics', 'brokers', 'groups', 'users'] as const;
type EntityType = (typeof ENTITY_TYPES)[number];
const RESOURCE_TYPE: Record<Exclude<EntityType, 'users'>, ConfigResourceType> = {
  topics: 'topic',
  brokers: 'broker',
  groups: 'group',
};
/** The source a describe without `--all` keeps, as ConfigCommand filters (by Java's enum names). */
const SOURCE_NAME: Record<ConfigSource, string> = {
  unknown: 'UNKNOWN',
  topic: 'DYNAMIC_TOPIC_CONFIG',
  'dynamic-broker': 'DYNAMIC_BROKER_CONFIG',
  'dynamic-default-broker': 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'static-broker': 'STATIC_BROKER_CONFIG',
  default: 'DEFAULT_CONFIG',
  'dynamic-broker-logger': 'DYNAMIC_BROKER_LOGGER_CONFIG',
  'client-metrics': 'DYNAMIC_CLIENT_METRICS_CONFIG',
  group: 'DYNAMIC_GROUP_CONFIG',
};
const SCRAM_MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** What the command line asks for, checked, before any connection. */
export type ConfigsPlan =
  | { action: 'describe'; entityType: EntityType; entityName: string | undefined; all: boolean }
  | {
      action: 'alter';
      entityType: EntityType;
      entityName: string;
      add: Record<string, string>;
      delete: string[];
    };

/**
 * Splits `--add-config` as ConfigCommand does: at commas outside square brackets, each part
 * `key=value`, brackets then dropped from the value (`k=[a,b]` is `a,b`).
 */
export function parseAddConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(/,(?=[^\]]*(?:\[|$))/)) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new CliError(
        'Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]" to group values which contain commas.',
        2,
      );
    }
    const key = pair.slice(0, eq).trim();
    if (!/^[$a-zA-Z0-9._-]*$/.test(key))
      throw new CliError(`Invalid character found for config key: ${key}`, 2);
    out[key] = pair
      .slice(eq + 1)
      .replace(/[[\]]/g, '')
      .trim();
  }
  return out;
}

/** Checks the flags into a {@link ConfigsPlan}; throws a usage error (exit code 2). */
export function planConfigs(values: {
  'entity-type'?: string;
  'entity-name'?: string;
  'entity-default'?: boolean;
  describe?: boolean;
  alter?: boolean;
  all?: boolean;
  'add-config'?: string;
  'delete-config'?: string;
}): ConfigsPlan {
  const type = values['entity-type'];
  if (type === undefined) throw new CliError('missing required option --entity-type', 2);
  if (!(ENTITY_TYPES as readonly string[]).includes(type)) {
    throw new CliError(
      `Invalid entity type ${type}, the entity type must be one of ${ENTITY_TYPES.join(', ')}`,
      2,
    );
  }
  const entityType = type as EntityType;
  if (values.describe === values.alter)
    throw new CliError('Command must include exactly one action: --describe, --alter', 2);
  if (values['entity-default'] && values['entity-name'] !== undefined) {
    throw new CliError('--entity-name and --entity-default cannot be used together', 2);
  }
  if (values['entity-default'] && entityType !== 'brokers') {
    throw new CliError('--entity-default is supported here for --entity-type brokers only', 2);
  }
  const entityName = values['entity-default'] ? '' : values['entity-name'];
  if (entityType === 'brokers' && entityName && !/^\d+$/.test(entityName)) {
    throw new CliError(
      `The entity name for brokers must be a valid integer broker id, found: ${entityName}`,
      2,
    );
  }
  if (values.describe) {
    if (values['add-config'] !== undefined || values['delete-config'] !== undefined) {
      throw new CliError('--add-config and --delete-config are only valid with --alter', 2);
    }
    return { action: 'describe', entityType, entityName, all: values.all ?? false };
  }
  if (values.all) throw new CliError('--all is only valid with --describe', 2);
  if (entityName === undefined) throw new CliError('An entity name must be specified with --alter', 2);
  const add = parseAddConfig(values['add-config'] ?? '');
  const del = (values['delete-config'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (Object.keys(add).length === 0 && del.length === 0) {
    throw new CliError('At least one of --add-config or --delete-config must be specified with --alter', 2);
  }
  if (entityType === 'users') {
    const unknown = [...Object.keys(add), ...del].filter(
      (k) => !(SCRAM_MECHANISMS as readonly string[]).includes(k),
    );
    if (unknown.length > 0) {
      throw new CliError(
        `Only SCRAM credential configs can be altered for 'users' here (quotas are not supported). Unexpected config names: ${unknown.join(',')}`,
        2,
      );
    }
  }
  return { action: 'alter', entityType, entityName, add, delete: del };
}

/** The SCRAM alterations of `--add-config`/`--delete-config` for `user`, as ConfigCommand makes them. */
export function scramAlterations(
  user: string,
  add: Record<string, string>,
  del: string[],
): UserScramCredentialAlteration[] {
  const out: UserScramCredentialAlteration[] = del.map((m) => ({
    type: 'delete',
    user,
    mechanism: m as ScramMechanism,
  }));
  for (const [mechanism, value] of Object.entries(add)) {
    const m = /^(?:iterations=(-?[0-9]*),)?password=(.*)$/s.exec(value);
    if (!m) throw new CliError(`Invalid credential property ${mechanism}=${value}`, 2);
    const iterations = m[1] !== undefined && m[1] !== '-1' ? Number(m[1]) : 4096;
    if (!Number.isInteger(iterations) || iterations < 4096) {
      throw new CliError(`Iterations ${m[1]} is less than the minimum 4096 required for ${mechanism}`, 2);
    }
    out.push({
      type: 'upsert',
      user,
      mechanism: mechanism as ScramMechanism,
      password: m[2] ?? '',
      iterations,
    });
  }
  return out;
}

/** One config as ConfigCommand prints it: `  name=value sensitive=false synonyms={SOURCE:name=value, ...}`. */
export function formatConfigEntry(e: ConfigEntry): string {
  const synonyms = e.synonyms.map((s) => `${SOURCE_NAME[s.source]}:${s.name}=${s.value}`).join(', ');
  return `  ${e.name}=${e.value} sensitive=${e.isSensitive} synonyms={${synonyms}}`;
}

/** The `tskafka configs` command. */
export async function configsCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'bootstrap-server': { type: 'string' },
      'command-config': { type: 'string' },
      'entity-type': { type: 'string' },
      'entity-name': { type: 'string' },
      'entity-default': { type: 'boolean' },
      describe: { type: 'boolean' },
      alter: { type: 'boolean' },
      all: { type: 'boolean' },
      'add-config': { type: 'string' },
      'delete-config': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out.write(`${CONFIGS_USAGE}\n`);
    return;
  }
  const plan = planConfigs(values);
  const admin = await connectAdmin(clientProperties(values['bootstrap-server'], values['command-config']));
  try {
    if (plan.action === 'describe') await describe(admin, plan, out);
    else await alter(admin, plan, out);
  } catch (e) {
    throw asCliError(e);
  } finally {
    await admin.close();
  }
}

async function describe(
  admin: Admin,
  plan: Extract<ConfigsPlan, { action: 'describe' }>,
  out: NodeJS.WritableStream,
): Promise<void> {
  const { entityType, entityName, all } = plan;
  if (entityType === 'users') {
    const users = entityName === undefined ? undefined : [entityName];
    const described = await admin.describeUserScramCredentials(users).catch((e: unknown) => {
      // A named user without credentials has nothing to show, as kafka-configs prints nothing.
      if (users && e instanceof ResourceNotFoundError) return [];
      throw e;
    });
    for (const d of described) {
      const text = d.credentialInfos.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ');
      out.write(`SCRAM credential configs for user-principal '${d.user}' are ${text}\n`);
    }
    return;
  }
  let entities: string[];
  if (entityName !== undefined) {
    entities = [entityName];
    if (!all && !(await exists(admin, entityType, entityName))) {
      out.write(
        `The ${entityType.slice(0, -1)} '${entityName}' doesn't exist and doesn't have dynamic config.\n`,
      );
      return;
    }
  } else if (entityType === 'topics') {
    entities = (await admin.listTopics({ listInternal: true })).sort();
  } else if (entityType === 'brokers') {
    entities = [...(await admin.describeCluster()).brokers.map((b) => String(b.nodeId)), ''];
  } else {
    entities = (await admin.listGroups()).map((g) => g.groupId).sort();
  }
  const type = RESOURCE_TYPE[entityType];
  for (const entity of entities) {
    const dynamicSource = dynamicSourceOf(entityType, entity);
    if (entity === '') out.write(`Default configs for ${entityType} in the cluster are:\n`);
    else out.write(`${all ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${entity} are:\n`);
    const [description] = await admin.describeConfigs([{ type, name: entity }], { includeSynonyms: true });
    const entries = (description?.configs ?? [])
      .filter((c) => all || c.source === dynamicSource)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) out.write(`${formatConfigEntry(e)}\n`);
  }
}

/** The source of the configs set at this entity's own level (what a describe without --all shows). */
function dynamicSourceOf(entityType: EntityType, entity: string): ConfigSource {
  if (entityType === 'topics') return 'topic';
  if (entityType === 'groups') return 'group';
  return entity === '' ? 'dynamic-default-broker' : 'dynamic-broker';
}

async function exists(admin: Admin, entityType: EntityType, name: string): Promise<boolean> {
  if (entityType === 'topics') return (await admin.listTopics({ listInternal: true })).includes(name);
  if (entityType === 'brokers') {
    return name === '' || (await admin.describeCluster()).brokers.some((b) => String(b.nodeId) === name);
  }
  // A group with configs but no members is still worth describing (ConfigCommand lists both).
  if ((await admin.listGroups()).some((g) => g.groupId === name)) return true;
  const [d] = await admin.describeConfigs([{ type: 'group', name }]);
  return (d?.configs ?? []).some((c) => c.source === 'group');
}

async function alter(
  admin: Admin,
  plan: Extract<ConfigsPlan, { action: 'alter' }>,
  out: NodeJS.WritableStream,
): Promise<void> {
  const { entityType, entityName } = plan;
  if (entityType === 'users') {
    await admin.alterUserScramCredentials(scramAlterations(entityName, plan.add, plan.delete));
  } else {
    const type = RESOURCE_TYPE[entityType];
    if (plan.delete.length > 0) {
      // As ConfigCommand: deleting a config that is not set at this level is an error, not a no-op.
      const [current] = await admin.describeConfigs([{ type, name: entityName }]);
      const source = dynamicSourceOf(entityType, entityName);
      const set = new Set((current?.configs ?? []).filter((c) => c.source === source).map((c) => c.name));
      const invalid = plan.delete.filter((k) => !set.has(k));
      if (invalid.length > 0) throw new CliError(`Invalid config(s): ${invalid.join(',')}`);
    }
    const ops: AlterConfigOp[] = [
      ...plan.delete.map((name): AlterConfigOp => ({ name, op: 'delete' })),
      ...Object.entries(plan.add).map(([name, value]): AlterConfigOp => ({ name, op: 'set', value })),
    ];
    await admin.incrementalAlterConfigs([{ type, name: entityName, configs: ops }]);
  }
  out.write(
    entityName === ''
      ? `Completed updating default config for ${entityType} in the cluster.\n`
      : `Completed updating config for ${entityType.slice(0, -1)} ${entityName}.\n`,
  );
}
