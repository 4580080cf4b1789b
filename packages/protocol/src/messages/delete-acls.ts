/**
 * DeleteAcls (API key 31).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DeleteAcls request schema, every version. */
export const DeleteAclsRequest = message(
  { name: 'DeleteAclsRequest', type: 'request', apiKey: 31, validVersions: '0-3', flexibleVersions: '2+' },
  {
    /** The filters to use when deleting ACLs. */
    filters: t.array(
      struct('DeleteAclsFilter', {
        /** The resource type. */
        resourceTypeFilter: t.int8(),
        /** The resource name. */
        resourceNameFilter: t.string({ nullableVersions: '0+' }),
        /** The pattern type. */
        patternTypeFilter: t.int8({ versions: '1+', default: 3 }),
        /** The principal filter, or null to accept all principals. */
        principalFilter: t.string({ nullableVersions: '0+' }),
        /** The host filter, or null to accept all hosts. */
        hostFilter: t.string({ nullableVersions: '0+' }),
        /** The ACL operation. */
        operation: t.int8(),
        /** The permission type. */
        permissionType: t.int8(),
      }),
    ),
  },
);
/** A decoded DeleteAclsRequest. */
export type DeleteAclsRequest = MessageValue<typeof DeleteAclsRequest>;

/** The DeleteAcls response schema, every version. */
export const DeleteAclsResponse = message(
  { name: 'DeleteAclsResponse', type: 'response', apiKey: 31, validVersions: '0-3', flexibleVersions: '2+' },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The results for each filter. */
    filterResults: t.array(
      struct('DeleteAclsFilterResult', {
        /** The error code, or 0 if the filter succeeded. */
        errorCode: t.int16(),
        /** The error message, or null if the filter succeeded. */
        errorMessage: t.string({ nullableVersions: '0+' }),
        /** The ACLs which matched this filter. */
        matchingAcls: t.array(
          struct('DeleteAclsMatchingAcl', {
            /** The deletion error code, or 0 if the deletion succeeded. */
            errorCode: t.int16(),
            /** The deletion error message, or null if the deletion succeeded. */
            errorMessage: t.string({ nullableVersions: '0+' }),
            /** The ACL resource type. */
            resourceType: t.int8(),
            /** The ACL resource name. */
            resourceName: t.string(),
            /** The ACL resource pattern type. */
            patternType: t.int8({ versions: '1+', default: 3 }),
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
/** A decoded DeleteAclsResponse. */
export type DeleteAclsResponse = MessageValue<typeof DeleteAclsResponse>;
