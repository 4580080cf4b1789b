/**
 * One class per Kafka error code, named after the code (`NOT_LEADER_OR_FOLLOWER` is
 * {@link NotLeaderOrFollowerError}; a trailing `_ERROR` or `_EXCEPTION` in Kafka's name is dropped),
 * each under the base class that matches its Java exception's hierarchy, and
 * {@link createKafkaError}, which picks the class for a code.
 *
 * @module
 */
import {
  InvalidMetadataError,
  KafkaError,
  type KafkaErrorDetails,
  RetriableKafkaError,
  registerKafkaErrorClass,
  UnknownErrorCodeError,
} from './kafka-error.js';
import { KAFKA_ERRORS, type KafkaErrorName } from './table.js';

/** UNKNOWN_SERVER_ERROR (-1): The server experienced an unexpected error when processing the request. */
export class UnknownServerError extends KafkaError<'UNKNOWN_SERVER_ERROR'> {}
/** OFFSET_OUT_OF_RANGE (1): The requested offset is not within the range of offsets maintained by the server. */
export class OffsetOutOfRangeError extends KafkaError<'OFFSET_OUT_OF_RANGE'> {}
/** CORRUPT_MESSAGE (2): This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt. */
export class CorruptMessageError extends RetriableKafkaError<'CORRUPT_MESSAGE'> {}
/** UNKNOWN_TOPIC_OR_PARTITION (3): This server does not host this topic-partition. */
export class UnknownTopicOrPartitionError extends InvalidMetadataError<'UNKNOWN_TOPIC_OR_PARTITION'> {}
/** INVALID_FETCH_SIZE (4): The requested fetch size is invalid. */
export class InvalidFetchSizeError extends KafkaError<'INVALID_FETCH_SIZE'> {}
/** LEADER_NOT_AVAILABLE (5): There is no leader for this topic-partition as we are in the middle of a leadership election. */
export class LeaderNotAvailableError extends InvalidMetadataError<'LEADER_NOT_AVAILABLE'> {}
/** NOT_LEADER_OR_FOLLOWER (6): For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition. */
export class NotLeaderOrFollowerError extends InvalidMetadataError<'NOT_LEADER_OR_FOLLOWER'> {}
/** REQUEST_TIMED_OUT (7): The request timed out. */
export class RequestTimedOutError extends RetriableKafkaError<'REQUEST_TIMED_OUT'> {}
/** BROKER_NOT_AVAILABLE (8): The broker is not available. */
export class BrokerNotAvailableError extends KafkaError<'BROKER_NOT_AVAILABLE'> {}
/** REPLICA_NOT_AVAILABLE (9): The replica is not available for the requested topic-partition. Produce/Fetch requests and other requests intended only for the leader or follower return NOT_LEADER_OR_FOLLOWER if the broker is not a replica of the topic-partition. */
export class ReplicaNotAvailableError extends InvalidMetadataError<'REPLICA_NOT_AVAILABLE'> {}
/** MESSAGE_TOO_LARGE (10): The request included a message larger than the max message size the server will accept. */
export class MessageTooLargeError extends KafkaError<'MESSAGE_TOO_LARGE'> {}
/** STALE_CONTROLLER_EPOCH (11): The controller moved to another broker. */
export class StaleControllerEpochError extends KafkaError<'STALE_CONTROLLER_EPOCH'> {}
/** OFFSET_METADATA_TOO_LARGE (12): The metadata field of the offset request was too large. */
export class OffsetMetadataTooLargeError extends KafkaError<'OFFSET_METADATA_TOO_LARGE'> {}
/** NETWORK_EXCEPTION (13): The server disconnected before a response was received. */
export class NetworkError extends InvalidMetadataError<'NETWORK_EXCEPTION'> {}
/** COORDINATOR_LOAD_IN_PROGRESS (14): The coordinator is loading and hence can't process requests. */
export class CoordinatorLoadInProgressError extends RetriableKafkaError<'COORDINATOR_LOAD_IN_PROGRESS'> {}
/** COORDINATOR_NOT_AVAILABLE (15): The coordinator is not available. */
export class CoordinatorNotAvailableError extends RetriableKafkaError<'COORDINATOR_NOT_AVAILABLE'> {}
/** NOT_COORDINATOR (16): This is not the correct coordinator. */
export class NotCoordinatorError extends RetriableKafkaError<'NOT_COORDINATOR'> {}
/** INVALID_TOPIC_EXCEPTION (17): The request attempted to perform an operation on an invalid topic. */
export class InvalidTopicError extends KafkaError<'INVALID_TOPIC_EXCEPTION'> {}
/** RECORD_LIST_TOO_LARGE (18): The request included message batch larger than the configured segment size on the server. */
export class RecordListTooLargeError extends KafkaError<'RECORD_LIST_TOO_LARGE'> {}
/** NOT_ENOUGH_REPLICAS (19): Messages are rejected since there are fewer in-sync replicas than required. */
export class NotEnoughReplicasError extends RetriableKafkaError<'NOT_ENOUGH_REPLICAS'> {}
/** NOT_ENOUGH_REPLICAS_AFTER_APPEND (20): Messages are written to the log, but to fewer in-sync replicas than required. */
export class NotEnoughReplicasAfterAppendError extends RetriableKafkaError<'NOT_ENOUGH_REPLICAS_AFTER_APPEND'> {}
/** INVALID_REQUIRED_ACKS (21): Produce request specified an invalid value for required acks. */
export class InvalidRequiredAcksError extends KafkaError<'INVALID_REQUIRED_ACKS'> {}
/** ILLEGAL_GENERATION (22): Specified group generation id is not valid. */
export class IllegalGenerationError extends KafkaError<'ILLEGAL_GENERATION'> {}
/** INCONSISTENT_GROUP_PROTOCOL (23): The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list. */
export class InconsistentGroupProtocolError extends KafkaError<'INCONSISTENT_GROUP_PROTOCOL'> {}
/** INVALID_GROUP_ID (24): The group id is invalid. */
export class InvalidGroupIdError extends KafkaError<'INVALID_GROUP_ID'> {}
/** UNKNOWN_MEMBER_ID (25): The coordinator is not aware of this member. */
export class UnknownMemberIdError extends KafkaError<'UNKNOWN_MEMBER_ID'> {}
/** INVALID_SESSION_TIMEOUT (26): The session timeout is not within the range allowed by the broker (as configured by group.min.session.timeout.ms and group.max.session.timeout.ms). */
export class InvalidSessionTimeoutError extends KafkaError<'INVALID_SESSION_TIMEOUT'> {}
/** REBALANCE_IN_PROGRESS (27): The group is rebalancing, so a rejoin is needed. */
export class RebalanceInProgressError extends KafkaError<'REBALANCE_IN_PROGRESS'> {}
/** INVALID_COMMIT_OFFSET_SIZE (28): The committing offset data size is not valid. */
export class InvalidCommitOffsetSizeError extends KafkaError<'INVALID_COMMIT_OFFSET_SIZE'> {}
/** TOPIC_AUTHORIZATION_FAILED (29): Topic authorization failed. */
export class TopicAuthorizationFailedError extends KafkaError<'TOPIC_AUTHORIZATION_FAILED'> {}
/** GROUP_AUTHORIZATION_FAILED (30): Group authorization failed. */
export class GroupAuthorizationFailedError extends KafkaError<'GROUP_AUTHORIZATION_FAILED'> {}
/** CLUSTER_AUTHORIZATION_FAILED (31): Cluster authorization failed. */
export class ClusterAuthorizationFailedError extends KafkaError<'CLUSTER_AUTHORIZATION_FAILED'> {}
/** INVALID_TIMESTAMP (32): The timestamp of the message is out of acceptable range. */
export class InvalidTimestampError extends KafkaError<'INVALID_TIMESTAMP'> {}
/** UNSUPPORTED_SASL_MECHANISM (33): The broker does not support the requested SASL mechanism. */
export class UnsupportedSaslMechanismError extends KafkaError<'UNSUPPORTED_SASL_MECHANISM'> {}
/** ILLEGAL_SASL_STATE (34): Request is not valid given the current SASL state. */
export class IllegalSaslStateError extends KafkaError<'ILLEGAL_SASL_STATE'> {}
/** UNSUPPORTED_VERSION (35): The version of API is not supported. */
export class UnsupportedVersionError extends KafkaError<'UNSUPPORTED_VERSION'> {}
/** TOPIC_ALREADY_EXISTS (36): Topic with this name already exists. */
export class TopicAlreadyExistsError extends KafkaError<'TOPIC_ALREADY_EXISTS'> {}
/** INVALID_PARTITIONS (37): Number of partitions is below 1. */
export class InvalidPartitionsError extends KafkaError<'INVALID_PARTITIONS'> {}
/** INVALID_REPLICATION_FACTOR (38): Replication factor is below 1 or larger than the number of available brokers. */
export class InvalidReplicationFactorError extends KafkaError<'INVALID_REPLICATION_FACTOR'> {}
/** INVALID_REPLICA_ASSIGNMENT (39): Replica assignment is invalid. */
export class InvalidReplicaAssignmentError extends KafkaError<'INVALID_REPLICA_ASSIGNMENT'> {}
/** INVALID_CONFIG (40): Configuration is invalid. */
export class InvalidConfigError extends KafkaError<'INVALID_CONFIG'> {}
/** NOT_CONTROLLER (41): This is not the correct controller for this cluster. */
export class NotControllerError extends RetriableKafkaError<'NOT_CONTROLLER'> {}
/** INVALID_REQUEST (42): This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details. */
export class InvalidRequestError extends KafkaError<'INVALID_REQUEST'> {}
/** UNSUPPORTED_FOR_MESSAGE_FORMAT (43): The message format version on the broker does not support the request. */
export class UnsupportedForMessageFormatError extends KafkaError<'UNSUPPORTED_FOR_MESSAGE_FORMAT'> {}
/** POLICY_VIOLATION (44): Request parameters do not satisfy the configured policy. */
export class PolicyViolationError extends KafkaError<'POLICY_VIOLATION'> {}
/** OUT_OF_ORDER_SEQUENCE_NUMBER (45): The broker received an out of order sequence number. */
export class OutOfOrderSequenceNumberError extends KafkaError<'OUT_OF_ORDER_SEQUENCE_NUMBER'> {}
/** DUPLICATE_SEQUENCE_NUMBER (46): The broker received a duplicate sequence number. */
export class DuplicateSequenceNumberError extends KafkaError<'DUPLICATE_SEQUENCE_NUMBER'> {}
/** INVALID_PRODUCER_EPOCH (47): Producer attempted to produce with an old epoch. */
export class InvalidProducerEpochError extends KafkaError<'INVALID_PRODUCER_EPOCH'> {}
/** INVALID_TXN_STATE (48): The producer attempted a transactional operation in an invalid state. */
export class InvalidTxnStateError extends KafkaError<'INVALID_TXN_STATE'> {}
/** INVALID_PRODUCER_ID_MAPPING (49): The producer attempted to use a producer id which is not currently assigned to its transactional id. */
export class InvalidProducerIdMappingError extends KafkaError<'INVALID_PRODUCER_ID_MAPPING'> {}
/** INVALID_TRANSACTION_TIMEOUT (50): The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms). */
export class InvalidTransactionTimeoutError extends KafkaError<'INVALID_TRANSACTION_TIMEOUT'> {}
/** CONCURRENT_TRANSACTIONS (51): The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing. */
export class ConcurrentTransactionsError extends RetriableKafkaError<'CONCURRENT_TRANSACTIONS'> {}
/** TRANSACTION_COORDINATOR_FENCED (52): Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current coordinator for a given producer. */
export class TransactionCoordinatorFencedError extends KafkaError<'TRANSACTION_COORDINATOR_FENCED'> {}
/** TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53): Transactional Id authorization failed. */
export class TransactionalIdAuthorizationFailedError extends KafkaError<'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'> {}
/** SECURITY_DISABLED (54): Security features are disabled. */
export class SecurityDisabledError extends KafkaError<'SECURITY_DISABLED'> {}
/** OPERATION_NOT_ATTEMPTED (55): The broker did not attempt to execute this operation. This may happen for batched RPCs where some operations in the batch failed, causing the broker to respond without trying the rest. */
export class OperationNotAttemptedError extends KafkaError<'OPERATION_NOT_ATTEMPTED'> {}
/** KAFKA_STORAGE_ERROR (56): Disk error when trying to access log file on the disk. */
export class KafkaStorageError extends InvalidMetadataError<'KAFKA_STORAGE_ERROR'> {}
/** LOG_DIR_NOT_FOUND (57): The user-specified log directory is not found in the broker config. */
export class LogDirNotFoundError extends KafkaError<'LOG_DIR_NOT_FOUND'> {}
/** SASL_AUTHENTICATION_FAILED (58): SASL Authentication failed. */
export class SaslAuthenticationFailedError extends KafkaError<'SASL_AUTHENTICATION_FAILED'> {}
/** UNKNOWN_PRODUCER_ID (59): This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question. This could happen if, for instance, the producer's records were deleted because their retention time had elapsed. Once the last records of the producerId are removed, the producer's metadata is removed from the broker, and future appends by the producer will return this exception. */
export class UnknownProducerIdError extends KafkaError<'UNKNOWN_PRODUCER_ID'> {}
/** REASSIGNMENT_IN_PROGRESS (60): A partition reassignment is in progress. */
export class ReassignmentInProgressError extends KafkaError<'REASSIGNMENT_IN_PROGRESS'> {}
/** DELEGATION_TOKEN_AUTH_DISABLED (61): Delegation Token feature is not enabled. */
export class DelegationTokenAuthDisabledError extends KafkaError<'DELEGATION_TOKEN_AUTH_DISABLED'> {}
/** DELEGATION_TOKEN_NOT_FOUND (62): Delegation Token is not found on server. */
export class DelegationTokenNotFoundError extends KafkaError<'DELEGATION_TOKEN_NOT_FOUND'> {}
/** DELEGATION_TOKEN_OWNER_MISMATCH (63): Specified Principal is not valid Owner/Renewer. */
export class DelegationTokenOwnerMismatchError extends KafkaError<'DELEGATION_TOKEN_OWNER_MISMATCH'> {}
/** DELEGATION_TOKEN_REQUEST_NOT_ALLOWED (64): Delegation Token requests are not allowed on PLAINTEXT/1-way SSL channels and on delegation token authenticated channels. */
export class DelegationTokenRequestNotAllowedError extends KafkaError<'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED'> {}
/** DELEGATION_TOKEN_AUTHORIZATION_FAILED (65): Delegation Token authorization failed. */
export class DelegationTokenAuthorizationFailedError extends KafkaError<'DELEGATION_TOKEN_AUTHORIZATION_FAILED'> {}
/** DELEGATION_TOKEN_EXPIRED (66): Delegation Token is expired. */
export class DelegationTokenExpiredError extends KafkaError<'DELEGATION_TOKEN_EXPIRED'> {}
/** INVALID_PRINCIPAL_TYPE (67): Supplied principalType is not supported. */
export class InvalidPrincipalTypeError extends KafkaError<'INVALID_PRINCIPAL_TYPE'> {}
/** NON_EMPTY_GROUP (68): The group is not empty. */
export class NonEmptyGroupError extends KafkaError<'NON_EMPTY_GROUP'> {}
/** GROUP_ID_NOT_FOUND (69): The group id does not exist. */
export class GroupIdNotFoundError extends KafkaError<'GROUP_ID_NOT_FOUND'> {}
/** FETCH_SESSION_ID_NOT_FOUND (70): The fetch session ID was not found. */
export class FetchSessionIdNotFoundError extends RetriableKafkaError<'FETCH_SESSION_ID_NOT_FOUND'> {}
/** INVALID_FETCH_SESSION_EPOCH (71): The fetch session epoch is invalid. */
export class InvalidFetchSessionEpochError extends RetriableKafkaError<'INVALID_FETCH_SESSION_EPOCH'> {}
/** LISTENER_NOT_FOUND (72): There is no listener on the leader broker that matches the listener on which metadata request was processed. */
export class ListenerNotFoundError extends InvalidMetadataError<'LISTENER_NOT_FOUND'> {}
/** TOPIC_DELETION_DISABLED (73): Topic deletion is disabled. */
export class TopicDeletionDisabledError extends KafkaError<'TOPIC_DELETION_DISABLED'> {}
/** FENCED_LEADER_EPOCH (74): The leader epoch in the request is older than the epoch on the broker. */
export class FencedLeaderEpochError extends InvalidMetadataError<'FENCED_LEADER_EPOCH'> {}
/** UNKNOWN_LEADER_EPOCH (75): The leader epoch in the request is newer than the epoch on the broker. */
export class UnknownLeaderEpochError extends RetriableKafkaError<'UNKNOWN_LEADER_EPOCH'> {}
/** UNSUPPORTED_COMPRESSION_TYPE (76): The requesting client does not support the compression type of given partition. */
export class UnsupportedCompressionTypeError extends KafkaError<'UNSUPPORTED_COMPRESSION_TYPE'> {}
/** STALE_BROKER_EPOCH (77): Broker epoch has changed. */
export class StaleBrokerEpochError extends KafkaError<'STALE_BROKER_EPOCH'> {}
/** OFFSET_NOT_AVAILABLE (78): The leader high watermark has not caught up from a recent leader election so the offsets cannot be guaranteed to be monotonically increasing. */
export class OffsetNotAvailableError extends RetriableKafkaError<'OFFSET_NOT_AVAILABLE'> {}
/** MEMBER_ID_REQUIRED (79): The group member needs to have a valid member id before actually entering a consumer group. */
export class MemberIdRequiredError extends KafkaError<'MEMBER_ID_REQUIRED'> {}
/** PREFERRED_LEADER_NOT_AVAILABLE (80): The preferred leader was not available. */
export class PreferredLeaderNotAvailableError extends InvalidMetadataError<'PREFERRED_LEADER_NOT_AVAILABLE'> {}
/** GROUP_MAX_SIZE_REACHED (81): The group has reached its maximum size. */
export class GroupMaxSizeReachedError extends KafkaError<'GROUP_MAX_SIZE_REACHED'> {}
/** FENCED_INSTANCE_ID (82): The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id. */
export class FencedInstanceIdError extends KafkaError<'FENCED_INSTANCE_ID'> {}
/** ELIGIBLE_LEADERS_NOT_AVAILABLE (83): Eligible topic partition leaders are not available. */
export class EligibleLeadersNotAvailableError extends InvalidMetadataError<'ELIGIBLE_LEADERS_NOT_AVAILABLE'> {}
/** ELECTION_NOT_NEEDED (84): Leader election not needed for topic partition. */
export class ElectionNotNeededError extends InvalidMetadataError<'ELECTION_NOT_NEEDED'> {}
/** NO_REASSIGNMENT_IN_PROGRESS (85): No partition reassignment is in progress. */
export class NoReassignmentInProgressError extends KafkaError<'NO_REASSIGNMENT_IN_PROGRESS'> {}
/** GROUP_SUBSCRIBED_TO_TOPIC (86): Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it. */
export class GroupSubscribedToTopicError extends KafkaError<'GROUP_SUBSCRIBED_TO_TOPIC'> {}
/** INVALID_RECORD (87): This record has failed the validation on broker and hence will be rejected. */
export class InvalidRecordError extends KafkaError<'INVALID_RECORD'> {}
/** UNSTABLE_OFFSET_COMMIT (88): There are unstable offsets that need to be cleared. */
export class UnstableOffsetCommitError extends RetriableKafkaError<'UNSTABLE_OFFSET_COMMIT'> {}
/** THROTTLING_QUOTA_EXCEEDED (89): The throttling quota has been exceeded. */
export class ThrottlingQuotaExceededError extends RetriableKafkaError<'THROTTLING_QUOTA_EXCEEDED'> {}
/** PRODUCER_FENCED (90): There is a newer producer with the same transactionalId which fences the current one. */
export class ProducerFencedError extends KafkaError<'PRODUCER_FENCED'> {}
/** RESOURCE_NOT_FOUND (91): A request illegally referred to a resource that does not exist. */
export class ResourceNotFoundError extends KafkaError<'RESOURCE_NOT_FOUND'> {}
/** DUPLICATE_RESOURCE (92): A request illegally referred to the same resource twice. */
export class DuplicateResourceError extends KafkaError<'DUPLICATE_RESOURCE'> {}
/** UNACCEPTABLE_CREDENTIAL (93): Requested credential would not meet criteria for acceptability. */
export class UnacceptableCredentialError extends KafkaError<'UNACCEPTABLE_CREDENTIAL'> {}
/** INCONSISTENT_VOTER_SET (94): Indicates that the either the sender or recipient of a voter-only request is not one of the expected voters. */
export class InconsistentVoterSetError extends KafkaError<'INCONSISTENT_VOTER_SET'> {}
/** INVALID_UPDATE_VERSION (95): The given update version was invalid. */
export class InvalidUpdateVersionError extends KafkaError<'INVALID_UPDATE_VERSION'> {}
/** FEATURE_UPDATE_FAILED (96): Unable to update finalized features due to an unexpected server error. */
export class FeatureUpdateFailedError extends KafkaError<'FEATURE_UPDATE_FAILED'> {}
/** PRINCIPAL_DESERIALIZATION_FAILURE (97): Request principal deserialization failed during forwarding. This indicates an internal error on the broker cluster security setup. */
export class PrincipalDeserializationFailureError extends KafkaError<'PRINCIPAL_DESERIALIZATION_FAILURE'> {}
/** SNAPSHOT_NOT_FOUND (98): Requested snapshot was not found. */
export class SnapshotNotFoundError extends KafkaError<'SNAPSHOT_NOT_FOUND'> {}
/** POSITION_OUT_OF_RANGE (99): Requested position is not greater than or equal to zero, and less than the size of the snapshot. */
export class PositionOutOfRangeError extends KafkaError<'POSITION_OUT_OF_RANGE'> {}
/** UNKNOWN_TOPIC_ID (100): This server does not host this topic ID. */
export class UnknownTopicIdError extends InvalidMetadataError<'UNKNOWN_TOPIC_ID'> {}
/** DUPLICATE_BROKER_REGISTRATION (101): This broker ID is already in use. */
export class DuplicateBrokerRegistrationError extends KafkaError<'DUPLICATE_BROKER_REGISTRATION'> {}
/** BROKER_ID_NOT_REGISTERED (102): The given broker ID was not registered. */
export class BrokerIdNotRegisteredError extends KafkaError<'BROKER_ID_NOT_REGISTERED'> {}
/** INCONSISTENT_TOPIC_ID (103): The log's topic ID did not match the topic ID in the request. */
export class InconsistentTopicIdError extends InvalidMetadataError<'INCONSISTENT_TOPIC_ID'> {}
/** INCONSISTENT_CLUSTER_ID (104): The clusterId in the request does not match that found on the server. */
export class InconsistentClusterIdError extends KafkaError<'INCONSISTENT_CLUSTER_ID'> {}
/** TRANSACTIONAL_ID_NOT_FOUND (105): The transactionalId could not be found. */
export class TransactionalIdNotFoundError extends KafkaError<'TRANSACTIONAL_ID_NOT_FOUND'> {}
/** FETCH_SESSION_TOPIC_ID_ERROR (106): The fetch session encountered inconsistent topic ID usage. */
export class FetchSessionTopicIdError extends RetriableKafkaError<'FETCH_SESSION_TOPIC_ID_ERROR'> {}
/** INELIGIBLE_REPLICA (107): The new ISR contains at least one ineligible replica. */
export class IneligibleReplicaError extends KafkaError<'INELIGIBLE_REPLICA'> {}
/** NEW_LEADER_ELECTED (108): The AlterPartition request successfully updated the partition state but the leader has changed. */
export class NewLeaderElectedError extends KafkaError<'NEW_LEADER_ELECTED'> {}
/** OFFSET_MOVED_TO_TIERED_STORAGE (109): The requested offset is moved to tiered storage. */
export class OffsetMovedToTieredStorageError extends KafkaError<'OFFSET_MOVED_TO_TIERED_STORAGE'> {}
/** FENCED_MEMBER_EPOCH (110): The member epoch is fenced by the group coordinator. The member must abandon all its partitions and rejoin. */
export class FencedMemberEpochError extends KafkaError<'FENCED_MEMBER_EPOCH'> {}
/** UNRELEASED_INSTANCE_ID (111): The instance ID is still used by another member in the consumer group. That member must leave first. */
export class UnreleasedInstanceIdError extends KafkaError<'UNRELEASED_INSTANCE_ID'> {}
/** UNSUPPORTED_ASSIGNOR (112): The assignor or its version range is not supported by the consumer group. */
export class UnsupportedAssignorError extends KafkaError<'UNSUPPORTED_ASSIGNOR'> {}
/** STALE_MEMBER_EPOCH (113): The member epoch is stale. The member must retry after receiving its updated member epoch via the ConsumerGroupHeartbeat API. */
export class StaleMemberEpochError extends KafkaError<'STALE_MEMBER_EPOCH'> {}
/** MISMATCHED_ENDPOINT_TYPE (114): The request was sent to an endpoint of the wrong type. */
export class MismatchedEndpointTypeError extends KafkaError<'MISMATCHED_ENDPOINT_TYPE'> {}
/** UNSUPPORTED_ENDPOINT_TYPE (115): This endpoint type is not supported yet. */
export class UnsupportedEndpointTypeError extends KafkaError<'UNSUPPORTED_ENDPOINT_TYPE'> {}
/** UNKNOWN_CONTROLLER_ID (116): This controller ID is not known. */
export class UnknownControllerIdError extends KafkaError<'UNKNOWN_CONTROLLER_ID'> {}
/** UNKNOWN_SUBSCRIPTION_ID (117): Client sent a push telemetry request with an invalid or outdated subscription ID. */
export class UnknownSubscriptionIdError extends KafkaError<'UNKNOWN_SUBSCRIPTION_ID'> {}
/** TELEMETRY_TOO_LARGE (118): Client sent a push telemetry request larger than the maximum size the broker will accept. */
export class TelemetryTooLargeError extends KafkaError<'TELEMETRY_TOO_LARGE'> {}
/** INVALID_REGISTRATION (119): The controller has considered the broker registration to be invalid. */
export class InvalidRegistrationError extends KafkaError<'INVALID_REGISTRATION'> {}
/** TRANSACTION_ABORTABLE (120): The server encountered an error with the transaction. The client can abort the transaction to continue using this transactional ID. */
export class TransactionAbortableError extends KafkaError<'TRANSACTION_ABORTABLE'> {}
/** INVALID_RECORD_STATE (121): The record state is invalid. The acknowledgement of delivery could not be completed. */
export class InvalidRecordStateError extends KafkaError<'INVALID_RECORD_STATE'> {}
/** SHARE_SESSION_NOT_FOUND (122): The share session was not found. */
export class ShareSessionNotFoundError extends RetriableKafkaError<'SHARE_SESSION_NOT_FOUND'> {}
/** INVALID_SHARE_SESSION_EPOCH (123): The share session epoch is invalid. */
export class InvalidShareSessionEpochError extends RetriableKafkaError<'INVALID_SHARE_SESSION_EPOCH'> {}
/** FENCED_STATE_EPOCH (124): The share coordinator rejected the request because the share-group state epoch did not match. */
export class FencedStateEpochError extends KafkaError<'FENCED_STATE_EPOCH'> {}
/** INVALID_VOTER_KEY (125): The voter key doesn't match the receiving replica's key. */
export class InvalidVoterKeyError extends KafkaError<'INVALID_VOTER_KEY'> {}
/** DUPLICATE_VOTER (126): The voter is already part of the set of voters. */
export class DuplicateVoterError extends KafkaError<'DUPLICATE_VOTER'> {}
/** VOTER_NOT_FOUND (127): The voter is not part of the set of voters. */
export class VoterNotFoundError extends KafkaError<'VOTER_NOT_FOUND'> {}
/** INVALID_REGULAR_EXPRESSION (128): The regular expression is not valid. */
export class InvalidRegularExpressionError extends KafkaError<'INVALID_REGULAR_EXPRESSION'> {}
/** REBOOTSTRAP_REQUIRED (129): Client metadata is stale. The client should rebootstrap to obtain new metadata. */
export class RebootstrapRequiredError extends KafkaError<'REBOOTSTRAP_REQUIRED'> {}
/** STREAMS_INVALID_TOPOLOGY (130): The supplied topology is invalid. */
export class StreamsInvalidTopologyError extends KafkaError<'STREAMS_INVALID_TOPOLOGY'> {}
/** STREAMS_INVALID_TOPOLOGY_EPOCH (131): The supplied topology epoch is invalid. */
export class StreamsInvalidTopologyEpochError extends KafkaError<'STREAMS_INVALID_TOPOLOGY_EPOCH'> {}
/** STREAMS_TOPOLOGY_FENCED (132): The supplied topology epoch is outdated. */
export class StreamsTopologyFencedError extends KafkaError<'STREAMS_TOPOLOGY_FENCED'> {}
/** SHARE_SESSION_LIMIT_REACHED (133): The limit of share sessions has been reached. */
export class ShareSessionLimitReachedError extends RetriableKafkaError<'SHARE_SESSION_LIMIT_REACHED'> {}
/** GROUP_DELETION_FAILED (134): DeleteGroups could not complete; see the error message on the per-group result for details. */
export class GroupDeletionFailedError extends KafkaError<'GROUP_DELETION_FAILED'> {}
/** STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED (135): The broker could not process the topology description update; see the error message for details. */
export class StreamsTopologyDescriptionUpdateFailedError extends KafkaError<'STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED'> {}
/** CONTROLLER_ID_NOT_REGISTERED (136): The given controller ID was not registered. */
export class ControllerIdNotRegisteredError extends KafkaError<'CONTROLLER_ID_NOT_REGISTERED'> {}

// Keyed by Kafka's name and typed by it, so a code without a class, or a class under the wrong
// name, does not compile.
type ErrorClass<N extends string = string> = new (details?: KafkaErrorDetails) => KafkaError<N>;
const classByName: { readonly [N in Exclude<KafkaErrorName, 'NONE'>]: ErrorClass<N> } = {
  UNKNOWN_SERVER_ERROR: UnknownServerError,
  OFFSET_OUT_OF_RANGE: OffsetOutOfRangeError,
  CORRUPT_MESSAGE: CorruptMessageError,
  UNKNOWN_TOPIC_OR_PARTITION: UnknownTopicOrPartitionError,
  INVALID_FETCH_SIZE: InvalidFetchSizeError,
  LEADER_NOT_AVAILABLE: LeaderNotAvailableError,
  NOT_LEADER_OR_FOLLOWER: NotLeaderOrFollowerError,
  REQUEST_TIMED_OUT: RequestTimedOutError,
  BROKER_NOT_AVAILABLE: BrokerNotAvailableError,
  REPLICA_NOT_AVAILABLE: ReplicaNotAvailableError,
  MESSAGE_TOO_LARGE: MessageTooLargeError,
  STALE_CONTROLLER_EPOCH: StaleControllerEpochError,
  OFFSET_METADATA_TOO_LARGE: OffsetMetadataTooLargeError,
  NETWORK_EXCEPTION: NetworkError,
  COORDINATOR_LOAD_IN_PROGRESS: CoordinatorLoadInProgressError,
  COORDINATOR_NOT_AVAILABLE: CoordinatorNotAvailableError,
  NOT_COORDINATOR: NotCoordinatorError,
  INVALID_TOPIC_EXCEPTION: InvalidTopicError,
  RECORD_LIST_TOO_LARGE: RecordListTooLargeError,
  NOT_ENOUGH_REPLICAS: NotEnoughReplicasError,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: NotEnoughReplicasAfterAppendError,
  INVALID_REQUIRED_ACKS: InvalidRequiredAcksError,
  ILLEGAL_GENERATION: IllegalGenerationError,
  INCONSISTENT_GROUP_PROTOCOL: InconsistentGroupProtocolError,
  INVALID_GROUP_ID: InvalidGroupIdError,
  UNKNOWN_MEMBER_ID: UnknownMemberIdError,
  INVALID_SESSION_TIMEOUT: InvalidSessionTimeoutError,
  REBALANCE_IN_PROGRESS: RebalanceInProgressError,
  INVALID_COMMIT_OFFSET_SIZE: InvalidCommitOffsetSizeError,
  TOPIC_AUTHORIZATION_FAILED: TopicAuthorizationFailedError,
  GROUP_AUTHORIZATION_FAILED: GroupAuthorizationFailedError,
  CLUSTER_AUTHORIZATION_FAILED: ClusterAuthorizationFailedError,
  INVALID_TIMESTAMP: InvalidTimestampError,
  UNSUPPORTED_SASL_MECHANISM: UnsupportedSaslMechanismError,
  ILLEGAL_SASL_STATE: IllegalSaslStateError,
  UNSUPPORTED_VERSION: UnsupportedVersionError,
  TOPIC_ALREADY_EXISTS: TopicAlreadyExistsError,
  INVALID_PARTITIONS: InvalidPartitionsError,
  INVALID_REPLICATION_FACTOR: InvalidReplicationFactorError,
  INVALID_REPLICA_ASSIGNMENT: InvalidReplicaAssignmentError,
  INVALID_CONFIG: InvalidConfigError,
  NOT_CONTROLLER: NotControllerError,
  INVALID_REQUEST: InvalidRequestError,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: UnsupportedForMessageFormatError,
  POLICY_VIOLATION: PolicyViolationError,
  OUT_OF_ORDER_SEQUENCE_NUMBER: OutOfOrderSequenceNumberError,
  DUPLICATE_SEQUENCE_NUMBER: DuplicateSequenceNumberError,
  INVALID_PRODUCER_EPOCH: InvalidProducerEpochError,
  INVALID_TXN_STATE: InvalidTxnStateError,
  INVALID_PRODUCER_ID_MAPPING: InvalidProducerIdMappingError,
  INVALID_TRANSACTION_TIMEOUT: InvalidTransactionTimeoutError,
  CONCURRENT_TRANSACTIONS: ConcurrentTransactionsError,
  TRANSACTION_COORDINATOR_FENCED: TransactionCoordinatorFencedError,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: TransactionalIdAuthorizationFailedError,
  SECURITY_DISABLED: SecurityDisabledError,
  OPERATION_NOT_ATTEMPTED: OperationNotAttemptedError,
  KAFKA_STORAGE_ERROR: KafkaStorageError,
  LOG_DIR_NOT_FOUND: LogDirNotFoundError,
  SASL_AUTHENTICATION_FAILED: SaslAuthenticationFailedError,
  UNKNOWN_PRODUCER_ID: UnknownProducerIdError,
  REASSIGNMENT_IN_PROGRESS: ReassignmentInProgressError,
  DELEGATION_TOKEN_AUTH_DISABLED: DelegationTokenAuthDisabledError,
  DELEGATION_TOKEN_NOT_FOUND: DelegationTokenNotFoundError,
  DELEGATION_TOKEN_OWNER_MISMATCH: DelegationTokenOwnerMismatchError,
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: DelegationTokenRequestNotAllowedError,
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: DelegationTokenAuthorizationFailedError,
  DELEGATION_TOKEN_EXPIRED: DelegationTokenExpiredError,
  INVALID_PRINCIPAL_TYPE: InvalidPrincipalTypeError,
  NON_EMPTY_GROUP: NonEmptyGroupError,
  GROUP_ID_NOT_FOUND: GroupIdNotFoundError,
  FETCH_SESSION_ID_NOT_FOUND: FetchSessionIdNotFoundError,
  INVALID_FETCH_SESSION_EPOCH: InvalidFetchSessionEpochError,
  LISTENER_NOT_FOUND: ListenerNotFoundError,
  TOPIC_DELETION_DISABLED: TopicDeletionDisabledError,
  FENCED_LEADER_EPOCH: FencedLeaderEpochError,
  UNKNOWN_LEADER_EPOCH: UnknownLeaderEpochError,
  UNSUPPORTED_COMPRESSION_TYPE: UnsupportedCompressionTypeError,
  STALE_BROKER_EPOCH: StaleBrokerEpochError,
  OFFSET_NOT_AVAILABLE: OffsetNotAvailableError,
  MEMBER_ID_REQUIRED: MemberIdRequiredError,
  PREFERRED_LEADER_NOT_AVAILABLE: PreferredLeaderNotAvailableError,
  GROUP_MAX_SIZE_REACHED: GroupMaxSizeReachedError,
  FENCED_INSTANCE_ID: FencedInstanceIdError,
  ELIGIBLE_LEADERS_NOT_AVAILABLE: EligibleLeadersNotAvailableError,
  ELECTION_NOT_NEEDED: ElectionNotNeededError,
  NO_REASSIGNMENT_IN_PROGRESS: NoReassignmentInProgressError,
  GROUP_SUBSCRIBED_TO_TOPIC: GroupSubscribedToTopicError,
  INVALID_RECORD: InvalidRecordError,
  UNSTABLE_OFFSET_COMMIT: UnstableOffsetCommitError,
  THROTTLING_QUOTA_EXCEEDED: ThrottlingQuotaExceededError,
  PRODUCER_FENCED: ProducerFencedError,
  RESOURCE_NOT_FOUND: ResourceNotFoundError,
  DUPLICATE_RESOURCE: DuplicateResourceError,
  UNACCEPTABLE_CREDENTIAL: UnacceptableCredentialError,
  INCONSISTENT_VOTER_SET: InconsistentVoterSetError,
  INVALID_UPDATE_VERSION: InvalidUpdateVersionError,
  FEATURE_UPDATE_FAILED: FeatureUpdateFailedError,
  PRINCIPAL_DESERIALIZATION_FAILURE: PrincipalDeserializationFailureError,
  SNAPSHOT_NOT_FOUND: SnapshotNotFoundError,
  POSITION_OUT_OF_RANGE: PositionOutOfRangeError,
  UNKNOWN_TOPIC_ID: UnknownTopicIdError,
  DUPLICATE_BROKER_REGISTRATION: DuplicateBrokerRegistrationError,
  BROKER_ID_NOT_REGISTERED: BrokerIdNotRegisteredError,
  INCONSISTENT_TOPIC_ID: InconsistentTopicIdError,
  INCONSISTENT_CLUSTER_ID: InconsistentClusterIdError,
  TRANSACTIONAL_ID_NOT_FOUND: TransactionalIdNotFoundError,
  FETCH_SESSION_TOPIC_ID_ERROR: FetchSessionTopicIdError,
  INELIGIBLE_REPLICA: IneligibleReplicaError,
  NEW_LEADER_ELECTED: NewLeaderElectedError,
  OFFSET_MOVED_TO_TIERED_STORAGE: OffsetMovedToTieredStorageError,
  FENCED_MEMBER_EPOCH: FencedMemberEpochError,
  UNRELEASED_INSTANCE_ID: UnreleasedInstanceIdError,
  UNSUPPORTED_ASSIGNOR: UnsupportedAssignorError,
  STALE_MEMBER_EPOCH: StaleMemberEpochError,
  MISMATCHED_ENDPOINT_TYPE: MismatchedEndpointTypeError,
  UNSUPPORTED_ENDPOINT_TYPE: UnsupportedEndpointTypeError,
  UNKNOWN_CONTROLLER_ID: UnknownControllerIdError,
  UNKNOWN_SUBSCRIPTION_ID: UnknownSubscriptionIdError,
  TELEMETRY_TOO_LARGE: TelemetryTooLargeError,
  INVALID_REGISTRATION: InvalidRegistrationError,
  TRANSACTION_ABORTABLE: TransactionAbortableError,
  INVALID_RECORD_STATE: InvalidRecordStateError,
  SHARE_SESSION_NOT_FOUND: ShareSessionNotFoundError,
  INVALID_SHARE_SESSION_EPOCH: InvalidShareSessionEpochError,
  FENCED_STATE_EPOCH: FencedStateEpochError,
  INVALID_VOTER_KEY: InvalidVoterKeyError,
  DUPLICATE_VOTER: DuplicateVoterError,
  VOTER_NOT_FOUND: VoterNotFoundError,
  INVALID_REGULAR_EXPRESSION: InvalidRegularExpressionError,
  REBOOTSTRAP_REQUIRED: RebootstrapRequiredError,
  STREAMS_INVALID_TOPOLOGY: StreamsInvalidTopologyError,
  STREAMS_INVALID_TOPOLOGY_EPOCH: StreamsInvalidTopologyEpochError,
  STREAMS_TOPOLOGY_FENCED: StreamsTopologyFencedError,
  SHARE_SESSION_LIMIT_REACHED: ShareSessionLimitReachedError,
  GROUP_DELETION_FAILED: GroupDeletionFailedError,
  STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED: StreamsTopologyDescriptionUpdateFailedError,
  CONTROLLER_ID_NOT_REGISTERED: ControllerIdNotRegisteredError,
};

const classByCode = new Map<number, ErrorClass>();
for (const { code, name } of KAFKA_ERRORS) {
  if (name === 'NONE') continue;
  const cls = classByName[name];
  registerKafkaErrorClass(cls, code);
  classByCode.set(code, cls);
}

/**
 * The error for `code`, as an instance of its class (e.g. `createKafkaError(6)` is a
 * {@link NotLeaderOrFollowerError}); a code missing from the table gives an
 * {@link UnknownErrorCodeError}. `details` adds the broker's message, the context and a cause.
 *
 * @throws TypeError if `code` is 0 (`NONE` is not an error: check the code first) or not an integer.
 */
export function createKafkaError(code: number, details?: KafkaErrorDetails): KafkaError {
  if (code === 0) throw new TypeError('error code 0 (NONE) is not an error; check it before creating one');
  if (!Number.isInteger(code)) throw new TypeError(`error code ${code} is not an integer`);
  const cls = classByCode.get(code);
  return cls === undefined ? new UnknownErrorCodeError(code, details) : new cls(details);
}
