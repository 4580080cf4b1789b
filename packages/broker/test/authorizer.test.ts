/**
 * The authorizer's rules, as Kafka's StandardAuthorizer applies them: super users, the no-ACL
 * default, literal, wildcard and prefixed patterns, `User:*` and hosts, DENY over ALLOW, the
 * operations an ALLOW implies, `authorizeByResourceType`, the checks on a new ACL, filters, and
 * the ACL file kept in a data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AclPermissionType,
  ErrorCode,
  AclOperation as Op,
  PatternType,
  ResourceType,
} from '@tskafka/protocol';
import { describe, expect, it } from 'vitest';
import type { AclBinding } from '../src/auth/acl-binding.js';
import { StandardAuthorizer } from '../src/auth/authorizer.js';
import { BrokerConfigError, parseBrokerConfig } from '../src/config.js';

const alice = { principal: 'User:alice', host: '10.0.0.1' };
const bob = { principal: 'User:bob', host: '10.0.0.2' };

function acl(over: Partial<AclBinding>): AclBinding {
  return {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.READ,
    permissionType: AclPermissionType.ALLOW,
    ...over,
  };
}

function authorizer(acls: AclBinding[], opts: { allowEveryone?: boolean; superUsers?: string[] } = {}) {
  const a = new StandardAuthorizer({
    superUsers: opts.superUsers ?? [],
    allowEveryoneIfNoAclFound: opts.allowEveryone ?? false,
    file: null,
  });
  expect(a.createAcls(acls)).toEqual(acls.map(() => null));
  return a;
}

const topic = (a: StandardAuthorizer, who: typeof alice, op: number, name = 'orders') =>
  a.authorize(who, op, ResourceType.TOPIC, name);

describe('StandardAuthorizer', () => {
  it('denies a resource without ACLs unless allow.everyone.if.no.acl.found; super users may do anything', () => {
    expect(topic(authorizer([]), alice, Op.READ)).toBe(false);
    expect(topic(authorizer([], { allowEveryone: true }), alice, Op.READ)).toBe(true);
    expect(topic(authorizer([], { superUsers: ['User:alice'] }), alice, Op.DELETE)).toBe(true);
    // An ACL for someone else on the resource: the default no longer applies.
    expect(topic(authorizer([acl({ principal: 'User:bob' })], { allowEveryone: true }), alice, Op.READ)).toBe(
      false,
    );
  });

  it('matches literal names, the * wildcard and prefixes; User:* and hosts', () => {
    const a = authorizer([
      acl({ resourceName: 'orders' }),
      acl({ resourceName: '*', operation: Op.WRITE }),
      acl({ resourceName: 'pay', patternType: PatternType.PREFIXED, operation: Op.DELETE }),
      acl({ resourceName: 'public', principal: 'User:*' }),
      acl({ resourceName: 'pinned', host: '10.0.0.2', principal: 'User:*' }),
    ]);
    expect(topic(a, alice, Op.READ)).toBe(true);
    expect(topic(a, alice, Op.READ, 'order')).toBe(false);
    expect(topic(a, alice, Op.WRITE, 'anything')).toBe(true);
    expect(topic(a, alice, Op.DELETE, 'payments')).toBe(true);
    expect(topic(a, alice, Op.DELETE, 'pa')).toBe(false);
    expect(topic(a, bob, Op.READ, 'public')).toBe(true);
    expect(topic(a, bob, Op.READ, 'pinned')).toBe(true);
    expect(topic(a, alice, Op.READ, 'pinned')).toBe(false);
  });

  it('lets a DENY win over any ALLOW, and ALL cover every operation', () => {
    const a = authorizer([
      acl({ operation: Op.ALL }),
      acl({
        resourceName: 'ord',
        patternType: PatternType.PREFIXED,
        operation: Op.WRITE,
        permissionType: AclPermissionType.DENY,
      }),
    ]);
    expect(topic(a, alice, Op.READ)).toBe(true);
    expect(topic(a, alice, Op.ALTER_CONFIGS)).toBe(true);
    expect(topic(a, alice, Op.WRITE)).toBe(false);
  });

  it('implies DESCRIBE from READ, WRITE, DELETE and ALTER, and DESCRIBE_CONFIGS from ALTER_CONFIGS, for ALLOW only', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
      expect(topic(authorizer([acl({ operation: op })]), alice, Op.DESCRIBE)).toBe(true);
    }
    expect(topic(authorizer([acl({ operation: Op.CREATE })]), alice, Op.DESCRIBE)).toBe(false);
    expect(topic(authorizer([acl({ operation: Op.ALTER_CONFIGS })]), alice, Op.DESCRIBE_CONFIGS)).toBe(true);
    const denyRead = authorizer([
      acl({ operation: Op.DESCRIBE }),
      acl({ operation: Op.READ, permissionType: AclPermissionType.DENY }),
    ]);
    expect(topic(denyRead, alice, Op.DESCRIBE)).toBe(true);
    expect(topic(denyRead, alice, Op.READ)).toBe(false);
  });

  it('answers authorized operations as a bitfield of the resource type`s operations', () => {
    const a = authorizer([acl({ operation: Op.WRITE })]);
    expect(a.authorizedOperations(alice, ResourceType.TOPIC, 'orders')).toBe(
      (1 << Op.WRITE) | (1 << Op.DESCRIBE),
    );
  });

  it('authorizes by resource type as Kafka does: an ALLOW no DENY dominates', () => {
    const byType = (acls: AclBinding[]) =>
      authorizer(acls).authorizeByResourceType(alice, Op.WRITE, ResourceType.TOPIC);
    expect(byType([])).toBe(false);
    expect(byType([acl({ operation: Op.WRITE })])).toBe(true);
    expect(byType([acl({ operation: Op.WRITE, principal: 'User:bob' })])).toBe(false);
    expect(
      byType([
        acl({ operation: Op.WRITE, resourceName: 'orders' }),
        acl({
          operation: Op.WRITE,
          resourceName: 'ord',
          patternType: PatternType.PREFIXED,
          permissionType: AclPermissionType.DENY,
        }),
      ]),
    ).toBe(false);
    expect(
      byType([
        acl({ operation: Op.WRITE, resourceName: 'orders' }),
        acl({ operation: Op.WRITE, resourceName: '*', permissionType: AclPermissionType.DENY }),
      ]),
    ).toBe(false);
  });

  it('refuses ACLs Kafka refuses, with INVALID_REQUEST', () => {
    const a = authorizer([]);
    const results = a.createAcls([
      acl({ resourceType: ResourceType.CLUSTER, resourceName: 'orders' }),
      acl({ principal: 'alice' }),
      acl({ operation: Op.ANY }),
      acl({ patternType: PatternType.MATCH }),
      acl({ resourceName: '' }),
      acl({ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }),
    ]);
    const invalid = ErrorCode.INVALID_REQUEST;
    expect(results.map((r) => r?.code ?? 0)).toEqual([invalid, invalid, invalid, invalid, invalid, 0]);
    expect(results[0]?.message).toBe('The only valid name for the CLUSTER resource is kafka-cluster');
    expect(a.acls()).toHaveLength(1);
  });

  it('describes and deletes by filter: ANY, MATCH, LITERAL and PREFIXED', () => {
    const a = authorizer([
      acl({ resourceName: 'orders' }),
      acl({ resourceName: '*' }),
      acl({ resourceName: 'ord', patternType: PatternType.PREFIXED }),
      acl({ resourceName: 'payments', principal: 'User:bob' }),
    ]);
    const filter = {
      resourceType: ResourceType.ANY,
      resourceName: 'orders',
      patternType: PatternType.MATCH,
      principal: null,
      host: null,
      operation: Op.ANY,
      permissionType: AclPermissionType.ANY,
    };
    expect(a.describeAcls(filter).map((b) => b.resourceName)).toEqual(['orders', '*', 'ord']);
    expect(a.describeAcls({ ...filter, patternType: PatternType.ANY }).map((b) => b.resourceName)).toEqual([
      'orders',
    ]);
    expect(() => a.describeAcls({ ...filter, operation: Op.UNKNOWN })).toThrow('Unknown entryFilter.');
    const [deleted] = a.deleteAcls([
      { ...filter, resourceName: null, patternType: PatternType.ANY, principal: 'User:alice' },
    ]);
    expect(deleted.deleted).toHaveLength(3);
    expect(a.acls().map((b) => b.principal)).toEqual(['User:bob']);
  });

  it('keeps its ACLs in a file and reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tskafka-acl-file-'));
    try {
      const file = join(dir, 'tskafka-acls.json');
      const first = new StandardAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false, file });
      first.createAcls([acl({}), acl({ resourceName: 'payments' })]);
      first.deleteAcls([
        {
          resourceType: ResourceType.TOPIC,
          resourceName: 'payments',
          patternType: PatternType.LITERAL,
          principal: null,
          host: null,
          operation: Op.ANY,
          permissionType: AclPermissionType.ANY,
        },
      ]);
      const second = new StandardAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false, file });
      expect(second.acls()).toEqual([acl({})]);
      expect(topic(second, alice, Op.READ)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('authorizer properties', () => {
  it('parses authorizer.class.name, super.users and allow.everyone.if.no.acl.found as Kafka names them', () => {
    const c = parseBrokerConfig({
      'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
      'super.users': 'User:admin; User:ops',
      'allow.everyone.if.no.acl.found': 'true',
    });
    expect([c.authorizerClassName, c.superUsers, c.allowEveryoneIfNoAclFound]).toEqual([
      'kafka.security.authorizer.AclAuthorizer',
      ['User:admin', 'User:ops'],
      true,
    ]);
    expect(parseBrokerConfig({}).authorizerClassName).toBe('');
    expect(() => parseBrokerConfig({ 'authorizer.class.name': 'com.example.Mine' })).toThrow(
      BrokerConfigError,
    );
  });
});
