/**
 * CreateAcls (API key 30).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The CreateAcls request schema, every version. */
export const CreateAclsRequest = message(
  { name: 'CreateAclsRequest', type: 'request', apiKey: 30, validVersions: '0-3', flexibleVersions: '2+' },
  {
    /** The ACLs that we want to create. */
    creations: t.array(
      struct('AclCreation', {
        /** The type of the resource. */
        resourceType: t.int8(),
        /** The resource name for the ACL. */
        resourceName: t.string(),
        /** The pattern type for the ACL. */
        resourcePatternType: t.int8({ versions: '1+', default: 3 }),
        /** The principal for the ACL. */
        principal: t.string(),
        /** The host for the ACL. */
        host: t.string(),
        /** The operation type for the ACL (read, write, etc.). */
        operation: t.int8(),
        /** The permission type for the ACL (allow, deny, etc.). */
        permissionType: t.int8(),
      }),
    ),
  },
);
/** A decoded CreateAclsRequest. */
export type CreateAclsRequest = MessageValue<typeof CreateAclsRequest>;

/** The CreateAcls response schema, every version. */
export const CreateAclsResponse = message(
  { name: 'CreateAclsResponse', type: 'response', apiKey: 30, validVersions: '0-3', flexibleVersions: '2+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The results for each ACL creation. */
    results: t.array(
      struct('AclCreationResult', {
        /** The result error, or zero if there was no error. */
        errorCode: t.int16(),
        /** The result message, or null if there was no error. */
        errorMessage: t.string({ nullableVersions: '0+' }),
      }),
    ),
  },
);
/** A decoded CreateAclsResponse. */
export type CreateAclsResponse = MessageValue<typeof CreateAclsResponse>;
