/**
 * `tskafka acls --bootstrap-server H:P (--add | --remove | --list) ...`: Kafka's `kafka-acls.sh`
 * (its `AclCommand`), with its flags and output lines. `--remove` does not ask for confirmation
 * (`--force` is accepted, as Kafka's flag to skip it).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { AclBinding, AclBindingFilter, DescribedAcl } from '@tskafka/admin';
import {
  AclOperation,
  AclPermissionType,
  aclEnumCode,
  aclEnumName,
  PatternType,
  ResourceType,
} from '@tskafka/protocol';
import { CliError } from '../errors.js';
import { asCliError, clientProperties, connectAdmin } from './common.js';

/** Usage text of the acls command. */
export const ACLS_USAGE = `Usage: tskafka acls --bootstrap-server H:P (--add | --remove | --list) [options]
Adds, removes or lists ACLs (the brokers need authorizer.class.name set).
Options:
  --allow-principal P       principal (User:name) allowed; repeatable
  --deny-principal P        principal denied; repeatable
  --allow-host H            host the allow ACLs are for (default * with --allow-principal)
  --deny-host H             host the deny ACLs are for (default * with --deny-principal)
  --operation OP            Read, Write, Create, Delete, Alter, Describe, ClusterAction,
                            DescribeConfigs, AlterConfigs, IdempotentWrite, All; repeatable (default All)
  --topic T | --group G | --transactional-id ID | --cluster    the resources; repeatable
  --resource-pattern-type TYPE  literal (default), prefixed; with --list/--remove also any, match
  --producer                what a producer needs: WRITE, DESCRIBE, CREATE on --topic, WRITE,
                            DESCRIBE on --transactional-id (--idempotent: IDEMPOTENT_WRITE on the cluster)
  --consumer                what a consumer needs: READ, DESCRIBE on --topic, READ on --group
  --principal P             with --list: only the ACLs of this principal
  --force                   with --remove: no confirmation (none is asked)
  --command-config FILE     admin client properties (SASL, TLS) from a file`;

/** A resource pattern the command acts on. */
interface Resource {
  resourceType: ResourceType;
  resourceName: string | null;
}

/** What a command line asks for, before any connection. */
export type AclsPlan =
  | { action: 'add'; bindings: AclBinding[] }
  | { action: 'remove'; filters: AclBindingFilter[] }
  | { action: 'list'; filters: AclBindingFilter[] };

const OPTIONS = {
  'bootstrap-server': { type: 'string' },
  'command-config': { type: 'string' },
  add: { type: 'boolean', default: false },
  remove: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
  'allow-principal': { type: 'string', multiple: true, default: [] as string[] },
  'deny-principal': { type: 'string', multiple: true, default: [] as string[] },
  'allow-host': { type: 'string', multiple: true, default: [] as string[] },
  'deny-host': { type: 'string', multiple: true, default: [] as string[] },
  operation: { type: 'string', multiple: true, default: [] as string[] },
  topic: { type: 'string', multiple: true, default: [] as string[] },
  group: { type: 'string', multiple: true, default: [] as string[] },
  'transactional-id': { type: 'string', multiple: true, default: [] as string[] },
  cluster: { type: 'boolean', default: false },
  'resource-pattern-type': { type: 'string' },
  principal: { type: 'string' },
  force: { type: 'boolean', default: false },
  producer: { type: 'boolean', default: false },
  consumer: { type: 'boolean', default: false },
  idempotent: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;

/** Parses the command line into what to do. */
export function planAcls(argv: string[]): AclsPlan | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new CliError(`unexpected argument "${positionals[0]}"`, 2);
  const actions = (['add', 'remove', 'list'] as const).filter((a) => values[a]);
  if (actions.length !== 1) throw new CliError('exactly one of --add, --remove or --list is required', 2);
  const action = actions[0];
  const patternName = values['resource-pattern-type'] ?? 'literal';
  const patternType = aclEnumCode(PatternType, patternName) as PatternType | undefined;
  const allowed = action === 'add' ? ['LITERAL', 'PREFIXED'] : ['LITERAL', 'PREFIXED', 'ANY', 'MATCH'];
  if (patternType === undefined || !allowed.includes(aclEnumName(PatternType, patternType))) {
    throw new CliError(
      `--resource-pattern-type must be one of ${allowed.join(', ').toLowerCase()}, not "${patternName}"`,
      2,
    );
  }
  const resources: Resource[] = [
    ...values.topic.map((n) => ({ resourceType: ResourceType.TOPIC, resourceName: n })),
    ...values.group.map((n) => ({ resourceType: ResourceType.GROUP, resourceName: n })),
    ...values['transactional-id'].map((n) => ({
      resourceType: ResourceType.TRANSACTIONAL_ID,
      resourceName: n,
    })),
    ...(values.cluster ? [{ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster' }] : []),
  ];
  if (action === 'list') {
    const principal = values.principal ?? null;
    const filters: AclBindingFilter[] = resources.length
      ? resources.map((r) => ({ ...r, patternType, principal }))
      : [
          {
            patternType: values['resource-pattern-type'] === undefined ? PatternType.ANY : patternType,
            principal,
          },
        ];
    return { action, filters };
  }
  if (resources.length === 0)
    throw new CliError('at least one of --topic, --group, --transactional-id or --cluster is required', 2);
  const operationsFor = convenienceOperations(values.producer, values.consumer, values.idempotent, resources);
  const operations = (values.operation.length ? values.operation : ['All']).map((name) => {
    const op = aclEnumCode(AclOperation, name.replace(/([a-z])([A-Z])/g, '$1_$2')) as
      | AclOperation
      | undefined;
    if (op === undefined || op === AclOperation.ANY || op === AclOperation.UNKNOWN) {
      throw new CliError(`unknown --operation "${name}"`, 2);
    }
    return op;
  });
  const entries = [
    ...entriesFor(values['allow-principal'], values['allow-host'], AclPermissionType.ALLOW),
    ...entriesFor(values['deny-principal'], values['deny-host'], AclPermissionType.DENY),
  ];
  if (action === 'add') {
    if (entries.length === 0) throw new CliError('--add needs --allow-principal or --deny-principal', 2);
    const bindings = withIdempotence(resources, values.producer && values.idempotent).flatMap((r) =>
      entries.flatMap((e) =>
        (operationsFor?.(r) ?? operations).map((operation) => ({
          ...r,
          resourceName: r.resourceName as string,
          patternType,
          ...e,
          operation,
        })),
      ),
    );
    return { action, bindings };
  }
  // --remove without principals removes every ACL of the resources.
  const filters: AclBindingFilter[] = withIdempotence(
    resources,
    values.producer && values.idempotent,
  ).flatMap((r) =>
    entries.length === 0
      ? [{ ...r, patternType }]
      : entries.flatMap((e) =>
          (operationsFor?.(r) ?? operations).map((operation) => ({ ...r, patternType, ...e, operation })),
        ),
  );
  return { action, filters };
}

/**
 * The operations of kafka-acls.sh's `--producer` (WRITE, DESCRIBE, CREATE on topics; WRITE,
 * DESCRIBE on transactional ids; IDEMPOTENT_WRITE on the cluster with `--idempotent`) and
 * `--consumer` (READ, DESCRIBE on topics; READ on groups, which it needs) per resource; null
 * without either, when `--operation` decides.
 */
function convenienceOperations(
  producer: boolean,
  consumer: boolean,
  idempotent: boolean,
  resources: readonly Resource[],
): ((r: Resource) => AclOperation[]) | null {
  if (!producer && !consumer) {
    if (idempotent) throw new CliError('--idempotent goes with --producer', 2);
    return null;
  }
  if (producer && consumer) throw new CliError('--producer and --consumer are used one at a time', 2);
  const has = (t: ResourceType) => resources.some((r) => r.resourceType === t);
  if (!has(ResourceType.TOPIC))
    throw new CliError(`--${producer ? 'producer' : 'consumer'} needs --topic`, 2);
  if (consumer && !has(ResourceType.GROUP)) throw new CliError('--consumer needs --group', 2);
  const O = AclOperation;
  return (r) => {
    if (r.resourceType === ResourceType.CLUSTER) return [O.IDEMPOTENT_WRITE];
    if (producer)
      return r.resourceType === ResourceType.TOPIC ? [O.WRITE, O.DESCRIBE, O.CREATE] : [O.WRITE, O.DESCRIBE];
    return r.resourceType === ResourceType.TOPIC ? [O.READ, O.DESCRIBE] : [O.READ];
  };
}

/** `resources`, plus the cluster when a producer is to be idempotent. */
function withIdempotence(resources: readonly Resource[], idempotent: boolean): Resource[] {
  const hasCluster = resources.some((r) => r.resourceType === ResourceType.CLUSTER);
  return idempotent && !hasCluster
    ? [...resources, { resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster' }]
    : [...resources];
}

function entriesFor(principals: string[], hosts: string[], permissionType: AclPermissionType) {
  const forHosts = hosts.length ? hosts : ['*'];
  return principals.flatMap((principal) => {
    if (!principal.includes(':'))
      throw new CliError(`principal "${principal}" must be of the form Type:name`, 2);
    return forHosts.map((host) => ({ principal, host, permissionType }));
  });
}

/** `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`, as Kafka prints it. */
export function resourceLine(a: {
  resourceType: number;
  resourceName: string;
  patternType?: number;
}): string {
  return `ResourcePattern(resourceType=${aclEnumName(ResourceType, a.resourceType)}, name=${a.resourceName}, patternType=${aclEnumName(PatternType, a.patternType ?? PatternType.LITERAL)})`;
}

/** `(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)`, as Kafka prints it. */
export function entryLine(a: {
  principal: string;
  host?: string;
  operation: number;
  permissionType: number;
}): string {
  return `(principal=${a.principal}, host=${a.host ?? '*'}, operation=${aclEnumName(AclOperation, a.operation)}, permissionType=${aclEnumName(AclPermissionType, a.permissionType)})`;
}

/** Kafka's report: per resource, a heading and its ACLs, one per line. */
export function aclReport(heading: string, acls: readonly (AclBinding | DescribedAcl)[]): string {
  const byResource = new Map<string, string[]>();
  for (const a of acls) {
    const key = resourceLine(a);
    const lines = byResource.get(key) ?? [];
    lines.push(`\t${entryLine(a)}`);
    byResource.set(key, lines);
  }
  return [...byResource].map(([r, lines]) => `${heading} \`${r}\`: \n ${lines.join('\n ')} \n\n`).join('');
}

/** Runs the acls command. */
export async function aclsCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const plan = planAcls(argv);
  if (plan === 'help') {
    out.write(`${ACLS_USAGE}\n`);
    return;
  }
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  const admin = await connectAdmin(clientProperties(values['bootstrap-server'], values['command-config']));
  try {
    if (plan.action === 'add') {
      out.write(aclReport('Adding ACLs for resource', plan.bindings));
      await admin.createAcls(plan.bindings);
      const current = await Promise.all(
        uniqueResources(plan.bindings).map((r) => admin.describeAcls({ ...r, patternType: r.patternType })),
      );
      out.write(aclReport('Current ACLs for resource', current.flat()));
    } else if (plan.action === 'remove') {
      const results = await admin.deleteAcls(plan.filters);
      out.write(
        aclReport(
          'Removed ACLs for resource',
          results.flatMap((r) => r.deleted),
        ),
      );
    } else {
      const found = await Promise.all(plan.filters.map((f) => admin.describeAcls(f)));
      out.write(aclReport('Current ACLs for resource', found.flat()));
    }
  } catch (e) {
    throw asCliError(e);
  } finally {
    await admin.close();
  }
}

function uniqueResources(bindings: readonly AclBinding[]): AclBindingFilter[] {
  const seen = new Map<string, AclBindingFilter>();
  for (const b of bindings) {
    seen.set(resourceLine(b), {
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      patternType: b.patternType,
    });
  }
  return [...seen.values()];
}
