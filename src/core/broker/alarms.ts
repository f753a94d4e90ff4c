/**
 * Resource alarms, as RabbitMQ raises them: while memory use is over its high-water mark or
 * free disk space under its limit, publishers are blocked (AMQP connection.blocked, and their
 * sockets stop being read) until the alarm clears. The Alarms object is the broker-wide state;
 * `watchResources` polls the process and the data directory's filesystem and raises or clears.
 * Tests (and operators, later through the HTTP API) may raise and clear alarms directly.
 */
import { statfs } from 'node:fs/promises';

export type AlarmKind = 'memory' | 'disk';

export type AlarmListener = (active: ReadonlySet<AlarmKind>) => void;

export class Alarms {
  private readonly raised = new Set<AlarmKind>();
  private readonly listeners = new Set<AlarmListener>();

  get active(): ReadonlySet<AlarmKind> {
    return this.raised;
  }

  /** True while any alarm is raised: publishing must stop. */
  get blocking(): boolean {
    return this.raised.size > 0;
  }

  raise(kind: AlarmKind): void {
    if (this.raised.has(kind)) return;
    this.raised.add(kind);
    this.emit();
  }

  clear(kind: AlarmKind): void {
    if (!this.raised.delete(kind)) return;
    this.emit();
  }

  /** Calls `fn` after every change; returns the unsubscribe function. Listeners must not throw. */
  subscribe(fn: AlarmListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn(this.raised);
  }
}

export interface ResourceWatchOptions {
  /** Filesystem to check for free space (the data directory). */
  dataDir: string;
  /** Raise 'memory' while the process's RSS is above this. Default: 40% of total memory. */
  memoryHighWatermarkBytes: number;
  /** Raise 'disk' while free space is below this. Default 50 MB (RabbitMQ's default). */
  diskFreeLimitBytes: number;
  /** How often to check. Default 2 s. */
  intervalMs: number;
}

/** Polls memory and disk and drives `alarms`; returns the stop function. */
export function watchResources(alarms: Alarms, opts: ResourceWatchOptions): () => void {
  let running = false;
  const check = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      if (process.memoryUsage.rss() > opts.memoryHighWatermarkBytes) alarms.raise('memory');
      else alarms.clear('memory');
      const s = await statfs(opts.dataDir);
      if (s.bavail * s.bsize < opts.diskFreeLimitBytes) alarms.raise('disk');
      else alarms.clear('disk');
    } catch {
      // A failed statfs says nothing about free space: keep the last state.
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), opts.intervalMs);
  timer.unref();
  void check();
  return () => clearInterval(timer);
}
