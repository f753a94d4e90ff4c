/**
 * One classic consumer group (the JoinGroup/SyncGroup protocol), as a state machine with no
 * I/O and no timers: time comes from the `now` each call passes, and the coordinator's tick
 * drives timeouts.
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance
 *     ▲                  ▲                                                    │ leader's SyncGroup
 *     └── last member ───┴──── join, leave, session expiry ◀──── Stable ◀─────┘
 *
 * JoinGroup and SyncGroup answers are promises that settle when the rebalance reaches the
 * point where Kafka would answer (all members joined; the leader's assignment arrived).
 */
import { randomUUID } from 'node:crypto';
import { GroupError, type GroupDescription, type GroupState, type JoinRequest, type JoinResult, type SyncRequest, type SyncResult } from './types.js';

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: readonly { name: string; metadata: Buffer }[];
  assignment: Buffer;
  /** Session deadline: refreshed by every join, sync and heartbeat. */
  deadline: number;
  pendingJoin: ((r: JoinResult) => void) | null;
  pendingSync: ((r: SyncResult) => void) | null;
}

const EMPTY = Buffer.alloc(0);

export type MemberExpired = (groupId: string, member: { readonly memberId: string; readonly clientId: string; readonly clientHost: string }, reason: string) => void;

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  private readonly members = new Map<string, Member>();
  private readonly instances = new Map<string, string>();
  /** When PreparingRebalance gives up on members that have not rejoined. */
  private rebalanceDeadline = 0;

  constructor(
    readonly groupId: string,
    private readonly initialRebalanceDelayMs: number,
    /** Told when the coordinator drops a member that let its session or rebalance time out. */
    private readonly onExpired: MemberExpired = () => undefined,
  ) {}

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  join(req: JoinRequest, now: number): Promise<JoinResult> {
    const fail = (errorCode: number): Promise<JoinResult> =>
      Promise.resolve({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId, members: [] });
    if (this.state === 'Dead') return fail(GroupError.COORDINATOR_NOT_AVAILABLE);
    if (req.protocols.length === 0 || (this.protocolType !== null && this.members.size > 0 && req.protocolType !== this.protocolType)) {
      return fail(GroupError.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (this.members.size > 0 && !req.protocols.some((p) => this.everyoneElseSupports(p.name, req.memberId))) {
      return fail(GroupError.INCONSISTENT_GROUP_PROTOCOL);
    }
    let member: Member | undefined;
    if (req.groupInstanceId !== null) {
      // Static membership (KIP-345): the instance id names the member across restarts; a new
      // join of a known instance takes over its place (and fences the old member id).
      const known = this.instances.get(req.groupInstanceId);
      if (known !== undefined) {
        const old = this.members.get(known)!;
        if (req.memberId !== '' && req.memberId !== known) return fail(GroupError.FENCED_INSTANCE_ID);
        if (req.memberId === '') {
          const memberId = `${req.groupInstanceId}-${randomUUID()}`;
          this.members.delete(known);
          old.pendingJoin?.(this.errorJoin(GroupError.FENCED_INSTANCE_ID, known));
          old.pendingSync?.(this.errorSync(GroupError.FENCED_INSTANCE_ID));
          old.pendingJoin = null;
          old.pendingSync = null;
          old.memberId = memberId;
          this.members.set(memberId, old);
          this.instances.set(req.groupInstanceId, memberId);
          if (this.leaderId === known) this.leaderId = memberId;
          const unchanged = sameProtocols(old.protocols, req.protocols);
          this.update(old, req, now);
          if (this.state === 'Stable' && unchanged) {
            // A restarted static member with the same subscription keeps its assignment: no rebalance.
            return Promise.resolve({
              errorCode: GroupError.NONE, generationId: this.generationId, protocolType: this.protocolType,
              protocolName: this.protocolName, leader: this.leaderId ?? '', memberId, members: [],
            });
          }
        }
        member = this.members.get(this.instances.get(req.groupInstanceId)!)!;
      }
    }
    if (!member) {
      if (req.memberId !== '') {
        member = this.members.get(req.memberId);
        if (!member) return fail(GroupError.UNKNOWN_MEMBER_ID);
      } else {
        const memberId = `${req.clientId || 'member'}-${randomUUID()}`;
        member = {
          memberId, groupInstanceId: req.groupInstanceId, clientId: req.clientId, clientHost: req.clientHost,
          sessionTimeoutMs: req.sessionTimeoutMs, rebalanceTimeoutMs: req.rebalanceTimeoutMs, protocolType: req.protocolType,
          protocols: req.protocols, assignment: EMPTY, deadline: now + req.sessionTimeoutMs, pendingJoin: null, pendingSync: null,
        };
        this.members.set(memberId, member);
        if (req.groupInstanceId !== null) this.instances.set(req.groupInstanceId, memberId);
      }
    }
    this.update(member, req, now);
    const m = member;
    // A second join from the same member while one waits: the older one is superseded.
    m.pendingJoin?.(this.errorJoin(GroupError.REBALANCE_IN_PROGRESS, m.memberId));
    const answer = new Promise<JoinResult>((resolve) => {
      m.pendingJoin = resolve;
    });
    if (this.state !== 'PreparingRebalance') this.prepareRebalance(now);
    this.maybeCompleteJoin(now);
    return answer;
  }

  private update(m: Member, req: JoinRequest, now: number): void {
    m.clientId = req.clientId;
    m.clientHost = req.clientHost;
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    m.protocolType = req.protocolType;
    m.protocols = req.protocols;
    m.deadline = now + req.sessionTimeoutMs;
  }

  private everyoneElseSupports(name: string, except: string): boolean {
    for (const m of this.members.values()) if (m.memberId !== except && !m.protocols.some((p) => p.name === name)) return false;
    return true;
  }

  private prepareRebalance(now: number): void {
    const wasEmpty = this.state === 'Empty';
    this.state = 'PreparingRebalance';
    for (const m of this.members.values()) {
      m.pendingSync?.(this.errorSync(GroupError.REBALANCE_IN_PROGRESS));
      m.pendingSync = null;
    }
    let timeout = 0;
    for (const m of this.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs < 0 ? m.sessionTimeoutMs : m.rebalanceTimeoutMs);
    this.rebalanceDeadline = now + (wasEmpty ? this.initialRebalanceDelayMs : timeout);
    this.initialDelay = wasEmpty && this.initialRebalanceDelayMs > 0;
  }

  /** A new group waits out the initial delay even when everyone has joined. */
  private initialDelay = false;

  private maybeCompleteJoin(now: number): void {
    if (this.state !== 'PreparingRebalance') return;
    if (this.initialDelay && now < this.rebalanceDeadline) return;
    for (const m of this.members.values()) if (!m.pendingJoin) return;
    this.completeJoin(now);
  }

  private completeJoin(now: number): void {
    this.initialDelay = false;
    // Members that did not rejoin within the rebalance timeout are dropped.
    for (const m of [...this.members.values()]) {
      if (m.pendingJoin) continue;
      this.remove(m);
      this.onExpired(this.groupId, m, 'did not rejoin within the rebalance timeout');
    }
    this.generationId++;
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.protocolName = null;
      this.leaderId = null;
      return;
    }
    const first = this.members.values().next().value!;
    this.protocolType = first.protocolType;
    this.protocolName = this.selectProtocol();
    if (this.leaderId === null || !this.members.has(this.leaderId)) this.leaderId = first.memberId;
    this.state = 'CompletingRebalance';
    const all = [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
    }));
    for (const m of this.members.values()) {
      const resolve = m.pendingJoin!;
      m.pendingJoin = null;
      // The session starts again with the answer, as in Kafka: a join that waited longer than
      // the session timeout (rebalance timeouts are longer) must not expire before its SyncGroup.
      m.deadline = now + m.sessionTimeoutMs;
      resolve({
        errorCode: GroupError.NONE, generationId: this.generationId, protocolType: this.protocolType, protocolName: this.protocolName,
        leader: this.leaderId, memberId: m.memberId, members: m.memberId === this.leaderId ? all : [],
      });
    }
  }

  /** The protocol every member supports with the most first-preference votes (Kafka's rule). */
  private selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0]!.protocols.map((p) => p.name).filter((n) => members.every((m) => m.protocols.some((p) => p.name === n)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const pick = m.protocols.find((p) => candidates.includes(p.name));
      if (pick) votes.set(pick.name, (votes.get(pick.name) ?? 0) + 1);
    }
    let best = candidates[0] ?? members[0]!.protocols[0]!.name;
    for (const [n, v] of votes) if (v > (votes.get(best) ?? 0)) best = n;
    return best;
  }

  sync(req: SyncRequest, now: number): Promise<SyncResult> {
    if (this.fenced(req.memberId, req.groupInstanceId)) return Promise.resolve(this.errorSync(GroupError.FENCED_INSTANCE_ID));
    const m = this.members.get(req.memberId);
    if (!m) return Promise.resolve(this.errorSync(GroupError.UNKNOWN_MEMBER_ID));
    if (req.generationId !== this.generationId) return Promise.resolve(this.errorSync(GroupError.ILLEGAL_GENERATION));
    m.deadline = now + m.sessionTimeoutMs;
    if (this.state === 'PreparingRebalance') return Promise.resolve(this.errorSync(GroupError.REBALANCE_IN_PROGRESS));
    if (this.state === 'Stable') return Promise.resolve(this.okSync(m.assignment));
    // CompletingRebalance: wait for the leader's assignment.
    m.pendingSync?.(this.errorSync(GroupError.REBALANCE_IN_PROGRESS));
    const answer = new Promise<SyncResult>((resolve) => {
      m.pendingSync = resolve;
    });
    if (req.memberId === this.leaderId) {
      const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
      for (const member of this.members.values()) member.assignment = given.get(member.memberId) ?? EMPTY;
      this.state = 'Stable';
      for (const member of this.members.values()) {
        const resolve = member.pendingSync;
        member.pendingSync = null;
        resolve?.(this.okSync(member.assignment));
      }
    }
    return answer;
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null, now: number): number {
    if (this.fenced(memberId, groupInstanceId)) return GroupError.FENCED_INSTANCE_ID;
    const m = this.members.get(memberId);
    if (!m) return GroupError.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return GroupError.ILLEGAL_GENERATION;
    m.deadline = now + m.sessionTimeoutMs;
    return this.state === 'PreparingRebalance' ? GroupError.REBALANCE_IN_PROGRESS : GroupError.NONE;
  }

  /** Removes a member by id, or by instance id when memberId is '' (LeaveGroup v3+). */
  leave(memberId: string, groupInstanceId: string | null, now: number): number {
    let id = memberId;
    if (groupInstanceId !== null) {
      const known = this.instances.get(groupInstanceId);
      if (known === undefined) return GroupError.UNKNOWN_MEMBER_ID;
      if (memberId !== '' && memberId !== known) return GroupError.FENCED_INSTANCE_ID;
      id = known;
    }
    const m = this.members.get(id);
    if (!m) return GroupError.UNKNOWN_MEMBER_ID;
    m.pendingJoin?.(this.errorJoin(GroupError.UNKNOWN_MEMBER_ID, m.memberId));
    m.pendingSync?.(this.errorSync(GroupError.UNKNOWN_MEMBER_ID));
    this.remove(m);
    this.membershipChanged(now);
    return GroupError.NONE;
  }

  private remove(m: Member): void {
    this.members.delete(m.memberId);
    if (m.groupInstanceId !== null && this.instances.get(m.groupInstanceId) === m.memberId) this.instances.delete(m.groupInstanceId);
  }

  private membershipChanged(now: number): void {
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') {
      if (this.members.size === 0) {
        this.state = 'Empty';
        this.generationId++;
        this.leaderId = null;
        this.protocolName = null;
      } else this.prepareRebalance(now);
    } else if (this.state === 'PreparingRebalance') {
      this.maybeCompleteJoin(now);
    }
  }

  /** Expires members whose session ran out and ends overdue rebalances. */
  tick(now: number): void {
    let expired = false;
    for (const m of [...this.members.values()]) {
      // A member waiting in JoinGroup is governed by the rebalance timeout instead.
      if (m.pendingJoin === null && now > m.deadline) {
        m.pendingSync?.(this.errorSync(GroupError.UNKNOWN_MEMBER_ID));
        this.remove(m);
        this.onExpired(this.groupId, m, `no heartbeat within the session timeout (${m.sessionTimeoutMs} ms)`);
        expired = true;
      }
    }
    if (expired) this.membershipChanged(now);
    if (this.state === 'PreparingRebalance' && now >= this.rebalanceDeadline) this.completeJoin(now);
  }

  /** Validates an offset commit made on behalf of a member (generation -1: a simple, memberless commit). */
  checkCommit(memberId: string, generationId: number, groupInstanceId: string | null): number {
    if (generationId < 0 && memberId === '') return this.members.size === 0 ? GroupError.NONE : GroupError.UNKNOWN_MEMBER_ID;
    if (this.fenced(memberId, groupInstanceId)) return GroupError.FENCED_INSTANCE_ID;
    const m = this.members.get(memberId);
    if (!m) return GroupError.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return GroupError.ILLEGAL_GENERATION;
    if (this.state === 'CompletingRebalance') return GroupError.REBALANCE_IN_PROGRESS;
    return GroupError.NONE;
  }

  /** A known static instance now held by another member id (KIP-345 fencing). */
  private fenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const holder = this.instances.get(groupInstanceId);
    return holder !== undefined && holder !== memberId;
  }

  describe(): GroupDescription {
    const members = [...this.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      metadata: m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY,
      assignment: this.state === 'Stable' ? m.assignment : EMPTY,
    }));
    return { groupId: this.groupId, state: this.state, protocolType: this.protocolType ?? '', protocolName: this.protocolName ?? '', members };
  }

  /** Answers every pending request (shutdown, group deletion). */
  abort(errorCode: number): void {
    for (const m of this.members.values()) {
      m.pendingJoin?.(this.errorJoin(errorCode, m.memberId));
      m.pendingSync?.(this.errorSync(errorCode));
      m.pendingJoin = null;
      m.pendingSync = null;
    }
  }

  markDead(): void {
    this.abort(GroupError.COORDINATOR_NOT_AVAILABLE);
    this.members.clear();
    this.instances.clear();
    this.state = 'Dead';
  }

  /** The members as they stand, for converting the group to a KIP-848 group. */
  snapshot(): ClassicMemberSnapshot[] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      sessionTimeoutMs: m.sessionTimeoutMs, rebalanceTimeoutMs: m.rebalanceTimeoutMs, protocols: m.protocols, assignment: m.assignment,
    }));
  }

  /**
   * A Stable group made from a KIP-848 group's classic members (Kafka's downgrade): generation
   * `generationId`, the first member leading, each member keeping `assignment`.
   */
  static fromMembers(
    groupId: string, initialRebalanceDelayMs: number, onExpired: MemberExpired | undefined, generationId: number, members: readonly ClassicMemberSnapshot[], now: number,
  ): Group {
    const g = new Group(groupId, initialRebalanceDelayMs, onExpired);
    g.generationId = generationId;
    g.protocolType = 'consumer';
    for (const m of members) {
      g.members.set(m.memberId, { ...m, protocolType: 'consumer', deadline: now + m.sessionTimeoutMs, pendingJoin: null, pendingSync: null });
      if (m.groupInstanceId !== null) g.instances.set(m.groupInstanceId, m.memberId);
    }
    g.leaderId = members[0]?.memberId ?? null;
    g.state = members.length > 0 ? 'Stable' : 'Empty';
    g.protocolName = members.length > 0 ? g.selectProtocol() : null;
    return g;
  }

  /** Starts a rebalance (members learn of it from their heartbeats). */
  rebalance(now: number): void {
    if (this.state === 'Stable' || this.state === 'CompletingRebalance') this.prepareRebalance(now);
  }

  private errorJoin(errorCode: number, memberId: string): JoinResult {
    return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
  }

  private errorSync(errorCode: number): SyncResult {
    return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
  }

  private okSync(assignment: Buffer): SyncResult {
    return { errorCode: GroupError.NONE, protocolType: this.protocolType, protocolName: this.protocolName, assignment };
  }
}

export interface ClassicMemberSnapshot {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: readonly { name: string; metadata: Buffer }[];
  assignment: Buffer;
}

function sameProtocols(a: readonly { name: string; metadata: Buffer }[], b: readonly { name: string; metadata: Buffer }[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}
