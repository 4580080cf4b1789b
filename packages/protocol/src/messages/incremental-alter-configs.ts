/**
 * IncrementalAlterConfigs (API key 44).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The IncrementalAlterConfigs request schema, every version. */
export const IncrementalAlterConfigsRequest = message(
  {
    name: 'IncrementalAlterConfigsRequest',
    type: 'request',
    apiKey: 44,
    validVersions: '0-1',
    flexibleVersions: '1+',
  },
  {
    /** The incremental updates for each resource. */
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
            /** The type (Set, Delete, Append, Subtract) of operation. */
            configOperation: t.int8(),
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
/** A decoded IncrementalAlterConfigsRequest. */
export type IncrementalAlterConfigsRequest = MessageValue<typeof IncrementalAlterConfigsRequest>;

/** The IncrementalAlterConfigs response schema, every version. */
export const IncrementalAlterConfigsResponse = message(
  {
    name: 'IncrementalAlterConfigsResponse',
    type: 'response',
    apiKey: 44,
    validVersions: '0-1',
    flexibleVersions: '1+',
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
/** A decoded IncrementalAlterConfigsResponse. */
export type IncrementalAlterConfigsResponse = MessageValue<typeof IncrementalAlterConfigsResponse>;
