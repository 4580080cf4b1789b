/**
 * `tskafka/kafkajs`'s admin ACL calls against KafkaJS's own, on a broker with an authorizer
 * (its anonymous clients are super users): createAcls, describeAcls and deleteAcls take and answer
 * the same shapes.
 */
import { describe, expect, it } from 'vitest';
import { both } from './harness.js';

const AUTHORIZER = {
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'super.users': 'User:ANONYMOUS',
};

describe('tskafka/kafkajs ACLs, differential against kafkajs 2.2.4', () => {
  it('createAcls, describeAcls and deleteAcls answer alike', async () => {
    const r = await both(async ({ kafka, lib }) => {
      const admin = kafka.admin();
      await admin.connect();
      const {
        AclResourceTypes: R,
        AclOperationTypes: O,
        AclPermissionTypes: P,
        ResourcePatternTypes: T,
      } = lib;
      const created = await admin.createAcls({
        acl: [
          {
            resourceType: R.TOPIC,
            resourceName: 'orders',
            resourcePatternType: T.LITERAL,
            principal: 'User:alice',
            host: '*',
            operation: O.READ,
            permissionType: P.ALLOW,
          },
          {
            resourceType: R.TOPIC,
            resourceName: 'pay',
            resourcePatternType: T.PREFIXED,
            principal: 'User:bob',
            host: '10.0.0.1',
            operation: O.WRITE,
            permissionType: P.DENY,
          },
        ],
      });
      const anyFilter = {
        resourceType: R.ANY,
        resourcePatternType: T.ANY,
        operation: O.ANY,
        permissionType: P.ANY,
      };
      const described = await admin.describeAcls(anyFilter);
      const matching = await admin.describeAcls({
        ...anyFilter,
        resourceType: R.TOPIC,
        resourceName: 'payments',
        resourcePatternType: T.MATCH,
      });
      const deleted = await admin.deleteAcls({ filters: [{ ...anyFilter, principal: 'User:alice' }] });
      const after = await admin.describeAcls(anyFilter);
      await admin.disconnect();
      return { created, described, matching, deleted, after };
    }, AUTHORIZER);
    expect(r.ours).toEqual(r.kafkajs);
    expect(r.kafkajs.described.resources).toHaveLength(2);
    expect(r.kafkajs.matching.resources.map((x) => x.resourceName)).toEqual(['pay']);
    expect(r.kafkajs.deleted.filterResponses[0].matchingAcls).toHaveLength(1);
    expect(r.kafkajs.after.resources.map((x) => x.resourceName)).toEqual(['pay']);
  });
});
