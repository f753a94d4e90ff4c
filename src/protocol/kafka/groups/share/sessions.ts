/**
 * Share sessions (KIP-932): a member's ShareFetch session on a broker. Epoch 0 opens one (and
 * ends the member's previous one), -1 closes it, and every other request carries the epoch the
 * last answer advanced to: the wrong one is INVALID_SHARE_SESSION_EPOCH, none open is
 * SHARE_SESSION_NOT_FOUND. The session lists the partitions the member fetches, so later
 * requests may name only changes. Bounded: at most maxSessions, the oldest idle one evicted.
 */
export interface ShareSession {
  readonly groupId: string;
  readonly memberId: string;
  /** The epoch the next request must carry. */
  epoch: number;
  /** "topicName\0partition" keys of the partitions fetched. */
  readonly partitions: Map<string, { topic: string; partition: number }>;
  lastUsedAt: number;
}

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

export function sessionKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}

export function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}

export class ShareSessions {
  private readonly byKey = new Map<string, ShareSession>();
  constructor(private readonly maxSessions: number) {}

  get(groupId: string, memberId: string): ShareSession | undefined {
    return this.byKey.get(sessionKey(groupId, memberId));
  }

  /** Opens a session (epoch 0); returns the one it replaced, and any evicted, for their records to be released. */
  open(groupId: string, memberId: string, now: number): { session: ShareSession; ended: ShareSession[] } {
    const key = sessionKey(groupId, memberId);
    const ended: ShareSession[] = [];
    const old = this.byKey.get(key);
    if (old !== undefined) {
      this.byKey.delete(key);
      ended.push(old);
    }
    if (this.byKey.size >= this.maxSessions) {
      let oldest: string | null = null;
      let at = Infinity;
      for (const [k, s] of this.byKey) if (s.lastUsedAt < at) (at = s.lastUsedAt), (oldest = k);
      if (oldest !== null) {
        ended.push(this.byKey.get(oldest)!);
        this.byKey.delete(oldest);
      }
    }
    const session: ShareSession = { groupId, memberId, epoch: 1, partitions: new Map(), lastUsedAt: now };
    this.byKey.set(key, session);
    return { session, ended };
  }

  close(groupId: string, memberId: string): ShareSession | undefined {
    const key = sessionKey(groupId, memberId);
    const s = this.byKey.get(key);
    this.byKey.delete(key);
    return s;
  }

  /** Sessions of a group (all members). */
  ofGroup(groupId: string): ShareSession[] {
    return [...this.byKey.values()].filter((s) => s.groupId === groupId);
  }
}
