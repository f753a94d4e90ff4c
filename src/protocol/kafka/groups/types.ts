/** Values the group coordinator hands back to handlers: Kafka error codes and results. */
import { KafkaError } from '../codec/error-codes.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The Kafka error codes the coordinator answers with (the numbers live in ../codec/error-codes.ts). */
export const GroupError = {
  NONE: KafkaError.NONE,
  ILLEGAL_GENERATION: KafkaError.ILLEGAL_GENERATION,
  INCONSISTENT_GROUP_PROTOCOL: KafkaError.INCONSISTENT_GROUP_PROTOCOL,
  INVALID_GROUP_ID: KafkaError.INVALID_GROUP_ID,
  UNKNOWN_MEMBER_ID: KafkaError.UNKNOWN_MEMBER_ID,
  INVALID_SESSION_TIMEOUT: KafkaError.INVALID_SESSION_TIMEOUT,
  REBALANCE_IN_PROGRESS: KafkaError.REBALANCE_IN_PROGRESS,
  COORDINATOR_NOT_AVAILABLE: KafkaError.COORDINATOR_NOT_AVAILABLE,
  NON_EMPTY_GROUP: KafkaError.NON_EMPTY_GROUP,
  GROUP_ID_NOT_FOUND: KafkaError.GROUP_ID_NOT_FOUND,
  FENCED_INSTANCE_ID: KafkaError.FENCED_INSTANCE_ID,
} as const;

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** -1 (JoinGroup v0) means the session timeout. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: readonly { name: string; metadata: Buffer }[];
  /** JoinGroup v4+ without a member id: answer MEMBER_ID_REQUIRED first (KIP-394; KIP-848 groups only). */
  requireKnownMemberId?: boolean;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Filled for the leader only. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncRequest {
  groupId: string;
  memberId: string;
  generationId: number;
  groupInstanceId: string | null;
  assignments: readonly { memberId: string; assignment: Buffer }[];
  /** SyncGroup v5+ (checked against a KIP-848 group's). */
  protocolType?: string | null;
  protocolName?: string | null;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: MemberDescription[];
}
