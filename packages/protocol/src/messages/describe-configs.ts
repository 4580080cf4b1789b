/**
 * DescribeConfigs (API key 32).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The DescribeConfigs request schema, every version. */
export const DescribeConfigsRequest = message(
  {
    name: 'DescribeConfigsRequest',
    type: 'request',
    apiKey: 32,
    validVersions: '0-4',
    flexibleVersions: '4+',
  },
  {
    /** The resources whose configurations we want to describe. */
    resources: t.array(
      struct('DescribeConfigsResource', {
        /** The resource type. */
        resourceType: t.int8(),
        /** The resource name. */
        resourceName: t.string(),
        /** The configuration keys to list, or null to list all configuration keys. */
        configurationKeys: t.array('string', { nullableVersions: '0+' }),
      }),
    ),
    /** True if we should include all synonyms. */
    includeSynonyms: t.bool({ versions: '1+', default: false }),
    /** True if we should include configuration documentation. */
    includeDocumentation: t.bool({ versions: '3+', default: false }),
  },
);
/** A decoded DescribeConfigsRequest. */
export type DescribeConfigsRequest = MessageValue<typeof DescribeConfigsRequest>;

/** The DescribeConfigs response schema, every version. */
export const DescribeConfigsResponse = message(
  {
    name: 'DescribeConfigsResponse',
    type: 'response',
    apiKey: 32,
    validVersions: '0-4',
    flexibleVersions: '4+',
  },
  {
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32(),
    /** The results for each resource. */
    results: t.array(
      struct('DescribeConfigsResult', {
        /** The error code, or 0 if we were able to successfully describe the configurations. */
        errorCode: t.int16(),
        /** The error message, or null if we were able to successfully describe the configurations. */
        errorMessage: t.string({ nullableVersions: '0+' }),
        /** The resource type. */
        resourceType: t.int8(),
        /** The resource name. */
        resourceName: t.string(),
        /** Each listed configuration. */
        configs: t.array(
          struct('DescribeConfigsResourceResult', {
            /** The configuration name. */
            name: t.string(),
            /** The configuration value. */
            value: t.string({ nullableVersions: '0+' }),
            /** True if the configuration is read-only. */
            readOnly: t.bool(),
            /** True if the configuration is not set. */
            isDefault: t.bool({ versions: '0' }),
            /** The configuration source. */
            configSource: t.int8({ versions: '1+', default: -1, ignorable: true }),
            /** True if this configuration is sensitive. */
            isSensitive: t.bool(),
            /** The synonyms for this configuration key. */
            synonyms: t.array(
              struct('DescribeConfigsSynonym', {
                /** The synonym name. */
                name: t.string({ versions: '1+' }),
                /** The synonym value. */
                value: t.string({ versions: '1+', nullableVersions: '0+' }),
                /** The synonym source. */
                source: t.int8({ versions: '1+' }),
              }),
              { versions: '1+', ignorable: true },
            ),
            /**
             * The configuration data type. Type can be one of the following values - BOOLEAN,
             * STRING, INT, SHORT, LONG, DOUBLE, LIST, CLASS, PASSWORD
             */
            configType: t.int8({ versions: '3+', default: 0, ignorable: true }),
            /** The configuration documentation. */
            documentation: t.string({ versions: '3+', nullableVersions: '0+', ignorable: true }),
          }),
        ),
      }),
    ),
  },
);
/** A decoded DescribeConfigsResponse. */
export type DescribeConfigsResponse = MessageValue<typeof DescribeConfigsResponse>;
