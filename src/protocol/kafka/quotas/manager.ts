/**
 * Client quotas enforced as Kafka enforces them: producer_byte_rate (the bytes of Produce
 * requests), consumer_byte_rate (the record bytes Fetch answers) and request_percentage (the
 * time spent handling a client's requests, in percent of one thread). Each connection's user
 * (ANONYMOUS before or without SASL) and client id select, per key, the most specific quota set
 * (Kafka's eight levels from user+client-id down to the default client id), and the clients that
 * share that entity share one rate. A request that takes a rate past its quota is answered at
 * once with throttleTimeMs, the time the rate needs to fall back to the quota, and the
 * connection reads no further request until that time has passed (KIP-219). A throttled Fetch
 * is answered without records, and its bytes do not count. Quotas live in the catalogue.
 */
import type { Catalogue } from '../../../core/catalogue/catalogue.js';
import { clientQuotaKey } from '../../../core/catalogue/state.js';
import type { Clock } from '../../../storage/types.js';
import { CLIENT_ID, type QuotaEntity, USER } from './entities.js';
import { SampledRate } from './rate.js';

/** Kafka's quota.window.num and quota.window.size.seconds defaults. */
export const QUOTA_SAMPLES = 11;
export const QUOTA_WINDOW_MS = 1000;
/** Kafka bounds a request-time throttle to one quota window. */
const REQUEST_THROTTLE_MAX_MS = QUOTA_WINDOW_MS;
/** Rates of clients idle this long are forgotten (Kafka expires its quota sensors after an hour). */
const IDLE_RATE_MS = 3_600_000;
const RATES_SWEEP_AT = 10_000;

export type QuotaKey = 'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage';

const PRODUCE = 0;
const FETCH = 1;
const ANONYMOUS = 'ANONYMOUS';

/** The quota a client falls under for one key: the rate it shares, and its limit. */
interface Resolved {
  rateKey: string;
  limit: number;
}

/** What begin() hands to finish() for one request under a quota. */
export interface QuotaTicket {
  readonly user: string;
  readonly clientId: string;
  readonly apiKey: number;
  readonly requestBytes: number;
}

export class QuotaManager {
  /** Entity key (clientQuotaKey) → quota values, rebuilt from the catalogue on every change. */
  private entities = new Map<string, Readonly<Record<string, number>>>();
  private readonly rates = new Map<string, SampledRate>();

  constructor(private readonly catalogue: Catalogue, private readonly clock: Clock) {
    this.reload();
  }

  /** False while no quota is set: requests then skip every quota step. */
  get active(): boolean {
    return this.entities.size > 0;
  }

  /** Re-reads the quotas after the catalogue changed them. */
  reload(): void {
    this.entities = new Map(this.catalogue.clientQuotas().map((q) => [clientQuotaKey(q.entity), q.values]));
  }

  private value(entity: QuotaEntity, key: QuotaKey): number | undefined {
    return this.entities.get(clientQuotaKey(entity))?.[key];
  }

  /** Kafka's DefaultQuotaCallback: which entity's quota applies and which clients share its rate. */
  private resolve(key: QuotaKey, user: string, clientId: string): Resolved | null {
    const levels: [QuotaEntity, string, string][] = [
      [{ [USER]: user, [CLIENT_ID]: clientId }, user, clientId],
      [{ [USER]: user, [CLIENT_ID]: null }, user, clientId],
      [{ [USER]: user }, user, ''],
      [{ [USER]: null, [CLIENT_ID]: clientId }, user, clientId],
      [{ [USER]: null, [CLIENT_ID]: null }, user, clientId],
      [{ [USER]: null }, user, ''],
      [{ [CLIENT_ID]: clientId }, '', clientId],
      [{ [CLIENT_ID]: null }, '', clientId],
    ];
    for (const [entity, u, c] of levels) {
      const limit = this.value(entity, key);
      if (limit !== undefined) return { rateKey: `${key}\u0000${u}\u0000${c}`, limit };
    }
    return null;
  }

  private rate(rateKey: string, now: number): SampledRate {
    let r = this.rates.get(rateKey);
    if (r === undefined) {
      if (this.rates.size >= RATES_SWEEP_AT) for (const [k, v] of this.rates) if (now - v.lastUsedMs > IDLE_RATE_MS) this.rates.delete(k);
      this.rates.set(rateKey, (r = new SampledRate(QUOTA_SAMPLES, QUOTA_WINDOW_MS, now)));
    }
    return r;
  }

  /** Records a value; returns the throttle time in ms (0 within the quota), as Kafka computes it. */
  private recordAndThrottle(q: Resolved | null, value: number, now: number): number {
    if (q === null) return 0;
    const r = this.rate(q.rateKey, now);
    r.record(value, now);
    const measured = r.measure(now);
    if (measured <= q.limit) return 0;
    return Math.round(((measured - q.limit) / q.limit) * r.windowSizeMs(now));
  }

  /**
   * Before a request is handled: a ticket when quotas are set (null otherwise). A Fetch under a
   * byte-rate quota is bounded to what the quota allows over the measured span (Kafka's
   * quota × (samples - 1) × window), so one answer cannot overshoot it by much.
   */
  begin(user: string | null, clientId: string | null, apiKey: number, req: unknown, requestBytes: number): QuotaTicket | null {
    if (!this.active) return null;
    const ticket = { user: user ?? ANONYMOUS, clientId: clientId ?? '', apiKey, requestBytes };
    if (apiKey === FETCH) {
      const q = this.resolve('consumer_byte_rate', ticket.user, ticket.clientId);
      const f = req as { maxBytes?: number };
      if (q !== null && typeof f.maxBytes === 'number') f.maxBytes = Math.max(1, Math.min(f.maxBytes, Math.floor(q.limit * (QUOTA_SAMPLES - 1) * (QUOTA_WINDOW_MS / 1000))));
    }
    return ticket;
  }

  /**
   * After a request was handled, before its answer is encoded: records its bytes and handling
   * time, sets the answer's throttleTimeMs, empties a throttled Fetch answer, and returns how
   * long the connection must wait before reading its next request.
   */
  finish(ticket: QuotaTicket, body: Record<string, unknown> | null, handlingNs: number): number {
    const now = this.clock.now();
    const { user, clientId } = ticket;
    const percent = (handlingNs / 1e9) * 100;
    const requestThrottle = Math.min(this.recordAndThrottle(this.resolve('request_percentage', user, clientId), percent, now), REQUEST_THROTTLE_MAX_MS);
    let throttle = requestThrottle;
    if (ticket.apiKey === PRODUCE) {
      throttle = Math.max(throttle, this.recordAndThrottle(this.resolve('producer_byte_rate', user, clientId), ticket.requestBytes, now));
    } else if (ticket.apiKey === FETCH && body !== null) {
      const q = this.resolve('consumer_byte_rate', user, clientId);
      const bytes = fetchedBytes(body);
      const fetchThrottle = this.recordAndThrottle(q, bytes, now);
      throttle = Math.max(throttle, fetchThrottle);
      if (throttle > 0) {
        // Answered without records, so its bytes do not count (Kafka "unrecords" them).
        if (q !== null) this.rate(q.rateKey, now).record(-bytes, now);
        body.responses = [];
      }
    }
    if (throttle > 0 && body !== null && typeof body.throttleTimeMs === 'number') body.throttleTimeMs = Math.max(body.throttleTimeMs, throttle);
    return throttle;
  }
}

/** The record bytes of a Fetch answer (records may be one buffer or a list of batch buffers). */
function fetchedBytes(body: Record<string, unknown>): number {
  let total = 0;
  for (const t of (body.responses as { partitions: { records: Buffer | readonly Buffer[] | null }[] }[] | undefined) ?? []) {
    for (const p of t.partitions) {
      const r = p.records;
      if (r === null) continue;
      if (Buffer.isBuffer(r)) total += r.length;
      else for (const b of r) total += b.length;
    }
  }
  return total;
}
