/**
 * The regular expressions a KIP-848 group's members subscribe with (SubscribedTopicRegex) and
 * the topics each resolves to, as Kafka keeps them: one resolution per distinct regex for the
 * whole group, refreshed when topics appear (at most every REFRESH_MIN_INTERVAL_MS, Kafka's
 * batching), and dropped with its last subscriber.
 *
 * Resolving scans every topic name; a refresh runs as a job with a work budget per call (the
 * heartbeat that starts it, then the coordinator's ticks), so a large catalogue or a large
 * pattern never holds the event loop for long. Kafka resolves on a background thread and
 * answers the triggering heartbeat before the result is in; here a job that fits its first
 * budget is applied at once.
 */
import { Re2 } from './regex/program.js';

/** Kafka's REGEX_BATCH_REFRESH_MIN_INTERVAL_MS. */
export const REFRESH_MIN_INTERVAL_MS = 10_000;
/** Matching work (program instructions × name characters) one call may do. */
export const RESOLVE_BUDGET = 2_000_000;

/** What the group needs to know about topics: names, ids, partition counts, and when they change. */
export interface TopicsView {
  /** Changes whenever a topic is created or deleted or gains partitions. */
  readonly version: number;
  names(): readonly string[];
  describe(name: string): { readonly id: string; readonly partitions: number } | undefined;
  nameOf(id: string): string | undefined;
}

interface Job {
  readonly patterns: ReadonlyMap<string, Re2>;
  readonly names: readonly string[];
  readonly found: Map<string, Set<string>>;
  readonly visible: (topic: string) => boolean;
  readonly version: number;
  readonly startedAt: number;
  next: number;
}

export class RegexSubscriptions {
  private readonly subscribers = new Map<string, number>();
  private readonly resolved = new Map<string, ReadonlySet<string>>();
  private readonly compiled = new Map<string, Re2>();
  private job: Job | null = null;
  private lastRefreshMs = -Infinity;
  private resolvedVersion = -1;

  get size(): number {
    return this.subscribers.size;
  }

  /** Subscribers of a regex. */
  count(regex: string): number {
    return this.subscribers.get(regex) ?? 0;
  }

  /** Compiles a regex new to the group; throws RegexSyntaxError if RE2 would refuse it. */
  add(regex: string): void {
    if (!this.compiled.has(regex)) this.compiled.set(regex, Re2.compile(regex));
    this.subscribers.set(regex, this.count(regex) + 1);
  }

  remove(regex: string): void {
    const n = this.count(regex) - 1;
    if (n > 0) {
      this.subscribers.set(regex, n);
      return;
    }
    this.subscribers.delete(regex);
    this.resolved.delete(regex);
    this.compiled.delete(regex);
  }

  /** The topic names a regex resolved to, or undefined while it is unresolved. */
  topics(regex: string): ReadonlySet<string> | undefined {
    return this.resolved.get(regex);
  }

  /** Starts a refresh when Kafka would: a regex is unresolved or topics changed, not within 10 s of the last. */
  maybeRefresh(topics: TopicsView, now: number, visible: (topic: string) => boolean): void {
    if (this.subscribers.size === 0 || this.job !== null || now <= this.lastRefreshMs + REFRESH_MIN_INTERVAL_MS) return;
    const unresolved = [...this.subscribers.keys()].some((r) => !this.resolved.has(r));
    if (!unresolved && this.resolvedVersion === topics.version) return;
    this.job = {
      patterns: new Map([...this.subscribers.keys()].map((r) => [r, this.compiled.get(r)!])),
      names: topics.names(), found: new Map([...this.subscribers.keys()].map((r) => [r, new Set<string>()])),
      visible, version: topics.version, startedAt: now, next: 0,
    };
  }

  /**
   * Advances a running refresh by one budget. Returns true when it completed and changed what
   * some subscribed regex resolves to (Kafka then bumps the group epoch).
   */
  advance(budget = RESOLVE_BUDGET): boolean {
    const job = this.job;
    if (!job) return false;
    let spent = 0;
    while (job.next < job.names.length && spent < budget) {
      const name = job.names[job.next++]!;
      for (const [regex, re] of job.patterns) {
        spent += (name.length + 1) * re.size;
        if (re.matches(name) && job.visible(name)) job.found.get(regex)!.add(name);
      }
    }
    if (job.next < job.names.length) return false;
    this.job = null;
    this.lastRefreshMs = job.startedAt;
    this.resolvedVersion = job.version;
    let changed = false;
    for (const [regex, names] of job.found) {
      if (!this.subscribers.has(regex)) continue; // unsubscribed meanwhile
      const before = this.resolved.get(regex) ?? new Set<string>();
      if (before.size !== names.size || [...names].some((n) => !before.has(n))) changed = true;
      this.resolved.set(regex, names);
    }
    return changed;
  }

  /** Every topic name some resolved regex matched. */
  allTopics(): Set<string> {
    const out = new Set<string>();
    for (const names of this.resolved.values()) for (const n of names) out.add(n);
    return out;
  }
}
