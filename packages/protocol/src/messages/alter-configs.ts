/**
 * AlterConfigs (API key 33).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The AlterConfigs request schema, every version. */
export const AlterConfigsRequest = message(
  { name: 'AlterConfigsRequest', type: 'request', apiKey: 33, validVersions: '0-2', flexibleVersions: '2+' },
  {
    /** The updates for each resource. */
    resources: t.array(
      struct('AlterConfigsResource', {
        /** The resource type. */
        resourceType: t.int8(),
        /** The resource name. */
        resourceName: t.string(),
        /** The configurations. */
        configs: t.array(
          struct('AlterableConfig', {
            /** The configuration key name. */
            name: t.string(),
            /** The value to set for the configuration key. */
            value: t.string({ nullableVersions: '0+' }),
          }),
        ),
      }),
    ),
    /** True if we should validate the request, but not change the configurations. */
    validateOnly: t.bool(),
  },
);
/** A decoded AlterConfigsRequest. */
export type AlterConfigsRequest = MessageValue<typeof AlterConfigsRequest>;

/** The AlterConfigs response schema, every version. */
export const AlterConfigsResponse = message(
  {
    name: 'AlterConfigsResponse',
    type: 'response',
    apiKey: 33,
    validVersions: '0-2',
    flexibleVersions: '2+',
  },
  {
    /**
     * Duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The responses for each resource. */
    responses: t.array(
      struct('AlterConfigsResourceResponse', {
        /** The resource error code. */
        errorCode: t.int16(),
        /** The resource error message, or null if there was no error. */
        errorMessage: t.string({ nullableVersions: '0+' }),
        /** The resource type. */
        resourceType: t.int8(),
        /** The resource name. */
        resourceName: t.string(),
      }),
    ),
  },
);
/** A decoded AlterConfigsResponse. */
export type AlterConfigsResponse = MessageValue<typeof AlterConfigsResponse>;
