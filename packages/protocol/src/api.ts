/**
 * The registry of Kafka APIs this package has schemas for: key, name, request and response.
 */

import { AddOffsetsToTxnRequest, AddOffsetsToTxnResponse } from './messages/add-offsets-to-txn.js';
import { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from './messages/add-partitions-to-txn.js';
import { AlterConfigsRequest, AlterConfigsResponse } from './messages/alter-configs.js';
import { ApiVersionsRequest, ApiVersionsResponse } from './messages/api-versions.js';
import { CreateAclsRequest, CreateAclsResponse } from './messages/create-acls.js';
import { CreatePartitionsRequest, CreatePartitionsResponse } from './messages/create-partitions.js';
import { CreateTopicsRequest, CreateTopicsResponse } from './messages/create-topics.js';
import { DeleteAclsRequest, DeleteAclsResponse } from './messages/delete-acls.js';
import { DeleteGroupsRequest, DeleteGroupsResponse } from './messages/delete-groups.js';
import { DeleteRecordsRequest, DeleteRecordsResponse } from './messages/delete-records.js';
import { DeleteTopicsRequest, DeleteTopicsResponse } from './messages/delete-topics.js';
import { DescribeAclsRequest, DescribeAclsResponse } from './messages/describe-acls.js';
import { DescribeClusterRequest, DescribeClusterResponse } from './messages/describe-cluster.js';
import { DescribeConfigsRequest, DescribeConfigsResponse } from './messages/describe-configs.js';
import { DescribeGroupsRequest, DescribeGroupsResponse } from './messages/describe-groups.js';
import { DescribeLogDirsRequest, DescribeLogDirsResponse } from './messages/describe-log-dirs.js';
import { DescribeProducersRequest, DescribeProducersResponse } from './messages/describe-producers.js';
import {
  DescribeTransactionsRequest,
  DescribeTransactionsResponse,
} from './messages/describe-transactions.js';
import { ElectLeadersRequest, ElectLeadersResponse } from './messages/elect-leaders.js';
import { EndTxnRequest, EndTxnResponse } from './messages/end-txn.js';
import { FetchRequest, FetchResponse } from './messages/fetch.js';
import { FindCoordinatorRequest, FindCoordinatorResponse } from './messages/find-coordinator.js';
import { HeartbeatRequest, HeartbeatResponse } from './messages/heartbeat.js';
import {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from './messages/incremental-alter-configs.js';
import { InitProducerIdRequest, InitProducerIdResponse } from './messages/init-producer-id.js';
import { JoinGroupRequest, JoinGroupResponse } from './messages/join-group.js';
import { LeaveGroupRequest, LeaveGroupResponse } from './messages/leave-group.js';
import { ListGroupsRequest, ListGroupsResponse } from './messages/list-groups.js';
import { ListOffsetsRequest, ListOffsetsResponse } from './messages/list-offsets.js';
import { ListTransactionsRequest, ListTransactionsResponse } from './messages/list-transactions.js';
import { MetadataRequest, MetadataResponse } from './messages/metadata.js';
import { OffsetCommitRequest, OffsetCommitResponse } from './messages/offset-commit.js';
import { OffsetDeleteRequest, OffsetDeleteResponse } from './messages/offset-delete.js';
import { OffsetFetchRequest, OffsetFetchResponse } from './messages/offset-fetch.js';
import {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
} from './messages/offset-for-leader-epoch.js';
import {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from './messages/partition-reassignments.js';
import { ProduceRequest, ProduceResponse } from './messages/produce.js';
import { SaslAuthenticateRequest, SaslAuthenticateResponse } from './messages/sasl-authenticate.js';
import { SaslHandshakeRequest, SaslHandshakeResponse } from './messages/sasl-handshake.js';
import { SyncGroupRequest, SyncGroupResponse } from './messages/sync-group.js';
import { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './messages/txn-offset-commit.js';
import {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from './messages/user-scram-credentials.js';
import { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from './messages/write-txn-markers.js';
import type { MessageDef } from './schema/dsl.js';
import { parseVersions } from './schema/versions.js';

/** One Kafka API: its key, name and the request/response schemas covering every version. */
export interface ApiDef<Req extends MessageDef = MessageDef, Res extends MessageDef = MessageDef> {
  /** The API key (int16 on the wire). */
  readonly key: number;
  /** The API name, e.g. `Produce`. */
  readonly name: string;
  /** The request schema. */
  readonly request: Req;
  /** The response schema. */
  readonly response: Res;
  /** Lowest version the schemas cover. */
  readonly minVersion: number;
  /** Highest version the schemas cover. */
  readonly maxVersion: number;
}

function api<Req extends MessageDef, Res extends MessageDef>(
  name: string,
  request: Req,
  response: Res,
): ApiDef<Req, Res> {
  const r = parseVersions(request.validVersions);
  return { key: request.apiKey as number, name, request, response, minVersion: r.min, maxVersion: r.max };
}

/** Every API with a schema here, by name. */
export const Api = {
  /** Produce (key 0). */
  Produce: api('Produce', ProduceRequest, ProduceResponse),
  /** Fetch (key 1). */
  Fetch: api('Fetch', FetchRequest, FetchResponse),
  /** ListOffsets (key 2). */
  ListOffsets: api('ListOffsets', ListOffsetsRequest, ListOffsetsResponse),
  /** Metadata (key 3). */
  Metadata: api('Metadata', MetadataRequest, MetadataResponse),
  /** OffsetCommit (key 8). */
  OffsetCommit: api('OffsetCommit', OffsetCommitRequest, OffsetCommitResponse),
  /** OffsetFetch (key 9). */
  OffsetFetch: api('OffsetFetch', OffsetFetchRequest, OffsetFetchResponse),
  /** FindCoordinator (key 10). */
  FindCoordinator: api('FindCoordinator', FindCoordinatorRequest, FindCoordinatorResponse),
  /** JoinGroup (key 11). */
  JoinGroup: api('JoinGroup', JoinGroupRequest, JoinGroupResponse),
  /** Heartbeat (key 12). */
  Heartbeat: api('Heartbeat', HeartbeatRequest, HeartbeatResponse),
  /** LeaveGroup (key 13). */
  LeaveGroup: api('LeaveGroup', LeaveGroupRequest, LeaveGroupResponse),
  /** SyncGroup (key 14). */
  SyncGroup: api('SyncGroup', SyncGroupRequest, SyncGroupResponse),
  /** DescribeGroups (key 15). */
  DescribeGroups: api('DescribeGroups', DescribeGroupsRequest, DescribeGroupsResponse),
  /** ListGroups (key 16). */
  ListGroups: api('ListGroups', ListGroupsRequest, ListGroupsResponse),
  /** SaslHandshake (key 17). */
  SaslHandshake: api('SaslHandshake', SaslHandshakeRequest, SaslHandshakeResponse),
  /** ApiVersions (key 18). */
  ApiVersions: api('ApiVersions', ApiVersionsRequest, ApiVersionsResponse),
  /** CreateTopics (key 19). */
  CreateTopics: api('CreateTopics', CreateTopicsRequest, CreateTopicsResponse),
  /** DeleteTopics (key 20). */
  DeleteTopics: api('DeleteTopics', DeleteTopicsRequest, DeleteTopicsResponse),
  /** DeleteRecords (key 21). */
  DeleteRecords: api('DeleteRecords', DeleteRecordsRequest, DeleteRecordsResponse),
  /** InitProducerId (key 22). */
  InitProducerId: api('InitProducerId', InitProducerIdRequest, InitProducerIdResponse),
  /** OffsetForLeaderEpoch (key 23). */
  OffsetForLeaderEpoch: api(
    'OffsetForLeaderEpoch',
    OffsetForLeaderEpochRequest,
    OffsetForLeaderEpochResponse,
  ),
  /** AddPartitionsToTxn (key 24). */
  AddPartitionsToTxn: api('AddPartitionsToTxn', AddPartitionsToTxnRequest, AddPartitionsToTxnResponse),
  /** AddOffsetsToTxn (key 25). */
  AddOffsetsToTxn: api('AddOffsetsToTxn', AddOffsetsToTxnRequest, AddOffsetsToTxnResponse),
  /** EndTxn (key 26). */
  EndTxn: api('EndTxn', EndTxnRequest, EndTxnResponse),
  /** WriteTxnMarkers (key 27). */
  WriteTxnMarkers: api('WriteTxnMarkers', WriteTxnMarkersRequest, WriteTxnMarkersResponse),
  /** TxnOffsetCommit (key 28). */
  TxnOffsetCommit: api('TxnOffsetCommit', TxnOffsetCommitRequest, TxnOffsetCommitResponse),
  /** DescribeAcls (key 29). */
  DescribeAcls: api('DescribeAcls', DescribeAclsRequest, DescribeAclsResponse),
  /** CreateAcls (key 30). */
  CreateAcls: api('CreateAcls', CreateAclsRequest, CreateAclsResponse),
  /** DeleteAcls (key 31). */
  DeleteAcls: api('DeleteAcls', DeleteAclsRequest, DeleteAclsResponse),
  /** DescribeConfigs (key 32). */
  DescribeConfigs: api('DescribeConfigs', DescribeConfigsRequest, DescribeConfigsResponse),
  /** AlterConfigs (key 33). */
  AlterConfigs: api('AlterConfigs', AlterConfigsRequest, AlterConfigsResponse),
  /** DescribeLogDirs (key 35). */
  DescribeLogDirs: api('DescribeLogDirs', DescribeLogDirsRequest, DescribeLogDirsResponse),
  /** SaslAuthenticate (key 36). */
  SaslAuthenticate: api('SaslAuthenticate', SaslAuthenticateRequest, SaslAuthenticateResponse),
  /** CreatePartitions (key 37). */
  CreatePartitions: api('CreatePartitions', CreatePartitionsRequest, CreatePartitionsResponse),
  /** DeleteGroups (key 42). */
  DeleteGroups: api('DeleteGroups', DeleteGroupsRequest, DeleteGroupsResponse),
  /** ElectLeaders (key 43). */
  ElectLeaders: api('ElectLeaders', ElectLeadersRequest, ElectLeadersResponse),
  /** IncrementalAlterConfigs (key 44). */
  IncrementalAlterConfigs: api(
    'IncrementalAlterConfigs',
    IncrementalAlterConfigsRequest,
    IncrementalAlterConfigsResponse,
  ),
  /** AlterPartitionReassignments (key 45). */
  AlterPartitionReassignments: api(
    'AlterPartitionReassignments',
    AlterPartitionReassignmentsRequest,
    AlterPartitionReassignmentsResponse,
  ),
  /** ListPartitionReassignments (key 46). */
  ListPartitionReassignments: api(
    'ListPartitionReassignments',
    ListPartitionReassignmentsRequest,
    ListPartitionReassignmentsResponse,
  ),
  /** OffsetDelete (key 47). */
  OffsetDelete: api('OffsetDelete', OffsetDeleteRequest, OffsetDeleteResponse),
  /** DescribeUserScramCredentials (key 50). */
  DescribeUserScramCredentials: api(
    'DescribeUserScramCredentials',
    DescribeUserScramCredentialsRequest,
    DescribeUserScramCredentialsResponse,
  ),
  /** AlterUserScramCredentials (key 51). */
  AlterUserScramCredentials: api(
    'AlterUserScramCredentials',
    AlterUserScramCredentialsRequest,
    AlterUserScramCredentialsResponse,
  ),
  /** DescribeCluster (key 60). */
  DescribeCluster: api('DescribeCluster', DescribeClusterRequest, DescribeClusterResponse),
  /** DescribeProducers (key 61). */
  DescribeProducers: api('DescribeProducers', DescribeProducersRequest, DescribeProducersResponse),
  /** DescribeTransactions (key 65). */
  DescribeTransactions: api(
    'DescribeTransactions',
    DescribeTransactionsRequest,
    DescribeTransactionsResponse,
  ),
  /** ListTransactions (key 66). */
  ListTransactions: api('ListTransactions', ListTransactionsRequest, ListTransactionsResponse),
} as const;

/** The API keys, by name. */
export const ApiKey = {
  /** Produce. */
  Produce: 0,
  /** Fetch. */
  Fetch: 1,
  /** ListOffsets. */
  ListOffsets: 2,
  /** Metadata. */
  Metadata: 3,
  /** OffsetCommit. */
  OffsetCommit: 8,
  /** OffsetFetch. */
  OffsetFetch: 9,
  /** FindCoordinator. */
  FindCoordinator: 10,
  /** JoinGroup. */
  JoinGroup: 11,
  /** Heartbeat. */
  Heartbeat: 12,
  /** LeaveGroup. */
  LeaveGroup: 13,
  /** SyncGroup. */
  SyncGroup: 14,
  /** DescribeGroups. */
  DescribeGroups: 15,
  /** ListGroups. */
  ListGroups: 16,
  /** SaslHandshake. */
  SaslHandshake: 17,
  /** ApiVersions. */
  ApiVersions: 18,
  /** CreateTopics. */
  CreateTopics: 19,
  /** DeleteTopics. */
  DeleteTopics: 20,
  /** DeleteRecords. */
  DeleteRecords: 21,
  /** InitProducerId. */
  InitProducerId: 22,
  /** OffsetForLeaderEpoch. */
  OffsetForLeaderEpoch: 23,
  /** AddPartitionsToTxn. */
  AddPartitionsToTxn: 24,
  /** AddOffsetsToTxn. */
  AddOffsetsToTxn: 25,
  /** EndTxn. */
  EndTxn: 26,
  /** WriteTxnMarkers. */
  WriteTxnMarkers: 27,
  /** TxnOffsetCommit. */
  TxnOffsetCommit: 28,
  /** DescribeAcls. */
  DescribeAcls: 29,
  /** CreateAcls. */
  CreateAcls: 30,
  /** DeleteAcls. */
  DeleteAcls: 31,
  /** DescribeConfigs. */
  DescribeConfigs: 32,
  /** AlterConfigs. */
  AlterConfigs: 33,
  /** DescribeLogDirs. */
  DescribeLogDirs: 35,
  /** SaslAuthenticate. */
  SaslAuthenticate: 36,
  /** CreatePartitions. */
  CreatePartitions: 37,
  /** DeleteGroups. */
  DeleteGroups: 42,
  /** ElectLeaders. */
  ElectLeaders: 43,
  /** IncrementalAlterConfigs. */
  IncrementalAlterConfigs: 44,
  /** OffsetDelete. */
  OffsetDelete: 47,
  /** DescribeUserScramCredentials. */
  DescribeUserScramCredentials: 50,
  /** AlterUserScramCredentials. */
  AlterUserScramCredentials: 51,
  /** DescribeCluster. */
  DescribeCluster: 60,
  /** DescribeProducers. */
  DescribeProducers: 61,
  /** DescribeTransactions. */
  DescribeTransactions: 65,
  /** ListTransactions. */
  ListTransactions: 66,
} as const;

/** An API key with a schema here. */
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

const byKey: ApiDef[] = [];
for (const def of Object.values(Api) as ApiDef[]) byKey[def.key] = def;

/** Looks up an API by key; undefined when this package has no schema for it. */
export function apiByKey(key: number): ApiDef | undefined {
  return byKey[key];
}
