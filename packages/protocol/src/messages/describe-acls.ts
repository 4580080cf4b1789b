/**
 * DescribeAcls (API key 29).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DescribeAcls request schema, every version. */
export const DescribeAclsRequest = message(
  { name: 'DescribeAclsRequest', type: 'request', apiKey: 29, validVersions: '0-3', flexibleVersions: '2+' },
  {
    /** The resource type. */
    resourceTypeFilter: t.int8(),
    /** The resource name, or null to match any resource name. */
    resourceNameFilter: t.string({ nullableVersions: '0+' }),
    /** The resource pattern to match. */
    patternTypeFilter: t.int8({ versions: '1+', default: 3 }),
    /** The principal to match, or null to match any principal. */
    principalFilter: t.string({ nullableVersions: '0+' }),
    /** The host to match, or null to match any host. */
    hostFilter: t.string({ nullableVersions: '0+' }),
    /** The operation to match. */
    operation: t.int8(),
    /** The permission type to match. */
    permissionType: t.int8(),
  },
);
/** A decoded DescribeAclsRequest. */
export type DescribeAclsRequest = MessageValue<typeof DescribeAclsRequest>;

/** The DescribeAcls response schema, every version. */
export const DescribeAclsResponse = message(
  {
    name: 'DescribeAclsResponse',
    type: 'response',
    apiKey: 29,
    validVersions: '0-3',
    flexibleVersions: '2+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The error code, or 0 if there was no error. */
    errorCode: t.int16(),
    /** The error message, or null if there was no error. */
    errorMessage: t.string({ nullableVersions: '0+' }),
    /** Each Resource that is referenced in an ACL. */
    resources: t.array(
      struct('DescribeAclsResource', {
        /** The resource type. */
        resourceType: t.int8(),
        /** The resource name. */
        resourceName: t.string(),
        /** The resource pattern type. */
        patternType: t.int8({ versions: '1+', default: 3 }),
        /** The ACLs. */
        acls: t.array(
          struct('AclDescription', {
            /** The ACL principal. */
            principal: t.string(),
            /** The ACL host. */
            host: t.string(),
            /** The ACL operation. */
            operation: t.int8(),
            /** The ACL permission type. */
            permissionType: t.int8(),
          }),
        ),
      }),
    ),
  },
);
/** A decoded DescribeAclsResponse. */
export type DescribeAclsResponse = MessageValue<typeof DescribeAclsResponse>;
