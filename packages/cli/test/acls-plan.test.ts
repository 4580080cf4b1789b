/**
 * `tskafka acls` command lines into what they ask of the cluster, as kafka-acls.sh reads them:
 * resources times principals times operations, the `--producer`/`--consumer` shortcuts, filters
 * for `--list`/`--remove`, and the mistakes it refuses.
 */
import {
  AclPermissionType,
  aclEnumName,
  AclOperation as O,
  PatternType,
  ResourceType,
} from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import { type AclsPlan, planAcls } from '../src/commands/acls.js';

function added(argv: string[]): string[] {
  const plan = planAcls(['--add', ...argv]) as Extract<AclsPlan, { action: 'add' }>;
  return plan.bindings.map(
    (b) =>
      `${aclEnumName(ResourceType, b.resourceType)}:${b.resourceName}:${aclEnumName(PatternType, b.patternType ?? 0)} ${b.principal}@${b.host} ${aclEnumName(AclPermissionType, b.permissionType)} ${aclEnumName(O, b.operation)}`,
  );
}

describe('tskafka acls plans', () => {
  it('adds one ACL per resource, principal, host and operation', () => {
    expect(
      added([
        '--allow-principal',
        'User:a',
        '--allow-host',
        '10.0.0.1',
        '--operation',
        'Read',
        '--operation',
        'DescribeConfigs',
        '--topic',
        't',
        '--resource-pattern-type',
        'prefixed',
      ]),
    ).toEqual([
      'TOPIC:t:PREFIXED User:a@10.0.0.1 ALLOW READ',
      'TOPIC:t:PREFIXED User:a@10.0.0.1 ALLOW DESCRIBE_CONFIGS',
    ]);
    expect(added(['--deny-principal', 'User:b', '--cluster'])).toEqual([
      'CLUSTER:kafka-cluster:LITERAL User:b@* DENY ALL',
    ]);
  });

  it('--consumer and --producer add what each client needs', () => {
    expect(added(['--allow-principal', 'User:c', '--consumer', '--topic', 't', '--group', 'g'])).toEqual([
      'TOPIC:t:LITERAL User:c@* ALLOW READ',
      'TOPIC:t:LITERAL User:c@* ALLOW DESCRIBE',
      'GROUP:g:LITERAL User:c@* ALLOW READ',
    ]);
    expect(
      added([
        '--allow-principal',
        'User:p',
        '--producer',
        '--idempotent',
        '--topic',
        't',
        '--transactional-id',
        'tx',
      ]),
    ).toEqual([
      'TOPIC:t:LITERAL User:p@* ALLOW WRITE',
      'TOPIC:t:LITERAL User:p@* ALLOW DESCRIBE',
      'TOPIC:t:LITERAL User:p@* ALLOW CREATE',
      'TRANSACTIONAL_ID:tx:LITERAL User:p@* ALLOW WRITE',
      'TRANSACTIONAL_ID:tx:LITERAL User:p@* ALLOW DESCRIBE',
      'CLUSTER:kafka-cluster:LITERAL User:p@* ALLOW IDEMPOTENT_WRITE',
    ]);
  });

  it('lists every ACL, or those of the resources and principal given', () => {
    expect(planAcls(['--list'])).toEqual({
      action: 'list',
      filters: [{ patternType: PatternType.ANY, principal: null }],
    });
    expect(planAcls(['--list', '--group', 'g', '--principal', 'User:a'])).toEqual({
      action: 'list',
      filters: [
        {
          resourceType: ResourceType.GROUP,
          resourceName: 'g',
          patternType: PatternType.LITERAL,
          principal: 'User:a',
        },
      ],
    });
  });

  it('refuses what kafka-acls.sh refuses', () => {
    expect(() => planAcls(['--add', '--list'])).toThrow('exactly one of --add, --remove or --list');
    expect(() => planAcls(['--add', '--topic', 't'])).toThrow(
      '--add needs --allow-principal or --deny-principal',
    );
    expect(() => planAcls(['--add', '--allow-principal', 'alice', '--topic', 't'])).toThrow('Type:name');
    expect(() =>
      planAcls(['--add', '--allow-principal', 'User:a', '--operation', 'Fly', '--topic', 't']),
    ).toThrow('unknown --operation "Fly"');
    expect(() => planAcls(['--add', '--allow-principal', 'User:a', '--consumer', '--topic', 't'])).toThrow(
      '--consumer needs --group',
    );
    expect(() =>
      planAcls(['--add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'match']),
    ).toThrow('--resource-pattern-type must be one of literal, prefixed');
  });
});
