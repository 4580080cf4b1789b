/** `tskafka configs` parsing and planning, as kafka-configs.sh reads its flags; no cluster needed. */
import { describe, expect, it } from 'vitest';
import { parseAddConfig, planConfigs, scramAlterations } from '../src/commands/configs.js';

describe('parseAddConfig', () => {
  it('splits at commas outside brackets and drops the brackets, as ConfigCommand', () => {
    expect(parseAddConfig('retention.ms=1000,cleanup.policy=[compact,delete], segment.ms = 5')).toEqual({
      'retention.ms': '1000',
      'cleanup.policy': 'compact,delete',
      'segment.ms': '5',
    });
    expect(parseAddConfig('SCRAM-SHA-256=[iterations=8192,password=a,b],SCRAM-SHA-512=[password=c]')).toEqual(
      {
        'SCRAM-SHA-256': 'iterations=8192,password=a,b',
        'SCRAM-SHA-512': 'password=c',
      },
    );
  });

  it('refuses a pair without a value and a key with illegal characters', () => {
    expect(() => parseAddConfig('retention.ms')).toThrow(/key=val/);
    expect(() => parseAddConfig('bad key=1')).toThrow(/Invalid character/);
  });
});

describe('planConfigs', () => {
  it('plans a describe of the broker default and an alter of a user', () => {
    expect(planConfigs({ 'entity-type': 'brokers', 'entity-default': true, describe: true })).toEqual({
      action: 'describe',
      entityType: 'brokers',
      entityName: '',
      all: false,
    });
    expect(
      planConfigs({
        'entity-type': 'users',
        'entity-name': 'alice',
        alter: true,
        'delete-config': 'SCRAM-SHA-512',
      }),
    ).toEqual({
      action: 'alter',
      entityType: 'users',
      entityName: 'alice',
      add: {},
      delete: ['SCRAM-SHA-512'],
    });
  });

  it('refuses what kafka-configs.sh refuses', () => {
    expect(() => planConfigs({ 'entity-type': 'clients', describe: true })).toThrow(/Invalid entity type/);
    expect(() => planConfigs({ 'entity-type': 'topics', describe: true, alter: true })).toThrow(
      /exactly one action/,
    );
    expect(() => planConfigs({ 'entity-type': 'brokers', 'entity-name': 'b1', describe: true })).toThrow(
      /integer broker id/,
    );
    expect(() => planConfigs({ 'entity-type': 'topics', alter: true, 'add-config': 'a=1' })).toThrow(
      /entity name/,
    );
    expect(() =>
      planConfigs({
        'entity-type': 'users',
        'entity-name': 'alice',
        alter: true,
        'add-config': 'consumer_byte_rate=1',
      }),
    ).toThrow(/Only SCRAM credential configs/);
  });
});

describe('scramAlterations', () => {
  it('reads iterations and password per mechanism, 4096 by default, and refuses fewer', () => {
    expect(
      scramAlterations('alice', { 'SCRAM-SHA-256': 'iterations=8192,password=p,q' }, ['SCRAM-SHA-512']),
    ).toEqual([
      { type: 'delete', user: 'alice', mechanism: 'SCRAM-SHA-512' },
      { type: 'upsert', user: 'alice', mechanism: 'SCRAM-SHA-256', password: 'p,q', iterations: 8192 },
    ]);
    expect(scramAlterations('a', { 'SCRAM-SHA-512': 'password=x' }, [])[0]).toMatchObject({
      iterations: 4096,
    });
    expect(() => scramAlterations('a', { 'SCRAM-SHA-256': 'iterations=100,password=x' }, [])).toThrow(
      /less than the minimum/,
    );
    expect(() => scramAlterations('a', { 'SCRAM-SHA-256': 'secret' }, [])).toThrow(
      /Invalid credential property/,
    );
  });
});
