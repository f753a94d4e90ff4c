/**
 * The group coordinator of one Kafka endpoint: the classic groups by id. Sans-IO: time comes
 * from the injected clock, and timeouts advance only when tick() is called (the listener calls
 * it on an interval; tests call it after moving a fake clock).
 */
import type { Clock } from '../../../storage/types.js';
import { Group, type MemberExpired } from './group.js';
import { GroupError, type GroupDescription, type JoinRequest, type JoinResult, type SyncRequest, type SyncResult } from './types.js';

export interface CoordinatorOptions {
  clock: Clock;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  /** Told when a member is dropped for letting its session or rebalance time out. */
  onMemberExpired?: MemberExpired;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly opts: CoordinatorOptions) {}

  private now(): number {
    return this.opts.clock.now();
  }

  group(groupId: string): Group | undefined {
    return this.groups.get(groupId);
  }

  join(req: JoinRequest): Promise<JoinResult> {
    const fail = (errorCode: number): Promise<JoinResult> =>
      Promise.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId, members: [] });
    if (req.groupId === '') return fail(GroupError.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs < this.opts.minSessionTimeoutMs || req.sessionTimeoutMs > this.opts.maxSessionTimeoutMs) {
      return fail(GroupError.INVALID_SESSION_TIMEOUT);
    }
    let g = this.groups.get(req.groupId);
    if (!g || g.state === 'Dead') {
      if (req.memberId !== '' && req.groupInstanceId === null) return fail(GroupError.UNKNOWN_MEMBER_ID);
      this.groups.set(req.groupId, (g = new Group(req.groupId, this.opts.initialRebalanceDelayMs, this.opts.onMemberExpired)));
    }
    return g.join(req, this.now());
  }

  sync(req: SyncRequest): Promise<SyncResult> {
    const g = this.groups.get(req.groupId);
    if (!g) return Promise.resolve({ errorCode: GroupError.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    return g.sync(req, this.now());
  }

  heartbeat(groupId: string, memberId: string, generationId: number, groupInstanceId: string | null): number {
    const g = this.groups.get(groupId);
    if (!g) return GroupError.UNKNOWN_MEMBER_ID;
    return g.heartbeat(memberId, generationId, groupInstanceId, this.now());
  }

  leave(groupId: string, memberId: string, groupInstanceId: string | null): number {
    const g = this.groups.get(groupId);
    if (!g) return GroupError.UNKNOWN_MEMBER_ID;
    return g.leave(memberId, groupInstanceId, this.now());
  }

  /** NONE, or why an offset commit for this group must be refused. */
  checkCommit(groupId: string, memberId: string, generationId: number, groupInstanceId: string | null): number {
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return generationId < 0 ? GroupError.NONE : GroupError.UNKNOWN_MEMBER_ID;
    return g.checkCommit(memberId, generationId, groupInstanceId);
  }

  describe(groupId: string): GroupDescription | undefined {
    const g = this.groups.get(groupId);
    return g && g.state !== 'Dead' ? g.describe() : undefined;
  }

  list(): GroupDescription[] {
    return [...this.groups.values()].filter((g) => g.state !== 'Dead').map((g) => g.describe());
  }

  /** Forgets a group that has no members (DeleteGroups); NON_EMPTY_GROUP otherwise. */
  delete(groupId: string): number {
    const g = this.groups.get(groupId);
    if (!g) return GroupError.NONE;
    if (g.size > 0) return GroupError.NON_EMPTY_GROUP;
    g.markDead();
    this.groups.delete(groupId);
    return GroupError.NONE;
  }

  tick(): void {
    const now = this.now();
    for (const g of this.groups.values()) g.tick(now);
  }

  /** Answers every waiting JoinGroup/SyncGroup (the endpoint is closing). */
  shutdown(): void {
    for (const g of this.groups.values()) g.abort(GroupError.COORDINATOR_NOT_AVAILABLE);
  }
}
