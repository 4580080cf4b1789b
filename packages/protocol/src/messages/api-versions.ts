/**
 * ApiVersions (API key 18).
 */
import { type MessageValue, message, struct, t } from '../schema/dsl.js';

/** The ApiVersions request schema, every version. */
export const ApiVersionsRequest = message(
  { name: 'ApiVersionsRequest', type: 'request', apiKey: 18, validVersions: '0-4', flexibleVersions: '3+' },
  {
    /** The name of the client. */
    clientSoftwareName: t.string({ versions: '3+', ignorable: true }),
    /** The version of the client. */
    clientSoftwareVersion: t.string({ versions: '3+', ignorable: true }),
  },
);
/** A decoded ApiVersionsRequest. */
export type ApiVersionsRequest = MessageValue<typeof ApiVersionsRequest>;

/** The ApiVersions response schema, every version. */
export const ApiVersionsResponse = message(
  { name: 'ApiVersionsResponse', type: 'response', apiKey: 18, validVersions: '0-4', flexibleVersions: '3+' },
  {
    /** The top-level error code. */
    errorCode: t.int16(),
    /** The APIs supported by the broker. */
    apiKeys: t.array(
      struct('ApiVersion', {
        /** The API index. */
        apiKey: t.int16(),
        /** The minimum supported version, inclusive. */
        minVersion: t.int16(),
        /** The maximum supported version, inclusive. */
        maxVersion: t.int16(),
      }),
    ),
    /**
     * The duration in milliseconds for which the request was throttled due to a quota violation, or
     * zero if the request did not violate any quota.
     */
    throttleTimeMs: t.int32({ versions: '1+', ignorable: true }),
    /**
     * Features supported by the broker. Note: in v0-v3, features with MinSupportedVersion = 0 are
     * omitted.
     */
    supportedFeatures: t.array(
      struct('SupportedFeatureKey', {
        /** The name of the feature. */
        name: t.string({ versions: '3+' }),
        /** The minimum supported version for the feature. */
        minVersion: t.int16({ versions: '3+' }),
        /** The maximum supported version for the feature. */
        maxVersion: t.int16({ versions: '3+' }),
      }),
      { versions: '3+', taggedVersions: '3+', tag: 0, ignorable: true },
    ),
    /**
     * The monotonically increasing epoch for the finalized features information. Valid values are
     * >= 0. A value of -1 is special and represents unknown epoch.
     */
    finalizedFeaturesEpoch: t.int64({
      versions: '3+',
      taggedVersions: '3+',
      tag: 1,
      default: -1,
      ignorable: true,
    }),
    /**
     * List of cluster-wide finalized features. The information is valid only if
     * FinalizedFeaturesEpoch >= 0.
     */
    finalizedFeatures: t.array(
      struct('FinalizedFeatureKey', {
        /** The name of the feature. */
        name: t.string({ versions: '3+' }),
        /** The cluster-wide finalized max version level for the feature. */
        maxVersionLevel: t.int16({ versions: '3+' }),
        /** The cluster-wide finalized min version level for the feature. */
        minVersionLevel: t.int16({ versions: '3+' }),
      }),
      { versions: '3+', taggedVersions: '3+', tag: 2, ignorable: true },
    ),
    /** Set by a KRaft controller if the required configurations for ZK migration are present */
    zkMigrationReady: t.bool({
      versions: '3+',
      taggedVersions: '3+',
      tag: 3,
      default: false,
      ignorable: true,
    }),
  },
);
/** A decoded ApiVersionsResponse. */
export type ApiVersionsResponse = MessageValue<typeof ApiVersionsResponse>;
