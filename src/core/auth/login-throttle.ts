/**
 * Slows down password guessing from one client address without slowing anyone else.
 *
 * - Logins from one address are checked one at a time, in arrival order, while that address
 *   has a login in progress or failures on record. Opening many connections at once therefore
 *   guesses no faster than one after the other, and costs at most one slow password hash at a
 *   time per address (the rest wait, holding only their socket).
 * - After the f-th failure in a row, the address's next login is checked no earlier than
 *   failureDelayMs · 2^(f−1) (at most failureDelayMaxMs) after that failure. A success does not
 *   clear the count (an attacker with one valid account could otherwise reset it at will); the
 *   count is forgotten failureResetMs after the address's last failure. Since the delay applies
 *   to the next attempt, a client that failed once and then logs in correctly waits at most the
 *   first delay.
 * - The delay is per address, never per user: failures from one address never delay a login
 *   of the same user from another address. An IPv6 client is counted by its /64 (one host
 *   usually owns a whole /64); an IPv4-mapped IPv6 address counts as the IPv4 address.
 * - Bounded memory: at most failureAddressesMax idle addresses are remembered (the least recently
 *   failing is forgotten first), and at most waitingLoginsPerAddressMax logins wait per address;
 *   more are refused at once (without a password check, so this says nothing about the user).
 *
 * In-process logins (no address) are not throttled.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface LoginThrottleOptions {
  /** Delay after the first failure of an address; it doubles with each further failure. 0 disables throttling. */
  failureDelayMs: number;
  /** The largest delay between two checks of one address's logins. */
  failureDelayMaxMs: number;
  /** An address with no failure for this long starts again from no delay. */
  failureResetMs: number;
  /** Addresses remembered at most (idle ones; those with logins in progress are always kept). */
  failureAddressesMax: number;
  /** Logins of one address waiting for their turn at most; further ones are refused at once. */
  waitingLoginsPerAddressMax: number;
}

export const defaultLoginThrottleOptions: Readonly<LoginThrottleOptions> = Object.freeze({
  failureDelayMs: 100,
  failureDelayMaxMs: 5_000,
  failureResetMs: 60_000,
  failureAddressesMax: 10_000,
  waitingLoginsPerAddressMax: 1_000,
});

/** One login's turn: settle it exactly once, with whether the login succeeded. */
export interface LoginTurn {
  done(succeeded: boolean): void;
}

/** Thrown by enter() when too many logins of one address are already waiting. */
export class TooManyWaitingLogins extends Error {
  override readonly name = 'TooManyWaitingLogins';
}

/** Thrown by enter() for logins waiting (or arriving) when the throttle is closed. */
export class LoginThrottleClosed extends Error {
  override readonly name = 'LoginThrottleClosed';
}

interface AddressState {
  failures: number;
  lastFailureMs: number;
  /** The next login of this address is checked no earlier than this. */
  notBeforeMs: number;
  /** A login of this address holds the turn. */
  busy: boolean;
  readonly waiting: Waiter[];
}

interface Waiter {
  wake(): void;
  fail(e: Error): void;
}

const noTurn: LoginTurn = { done: () => {} };

export class LoginThrottle {
  private readonly addresses = new Map<string, AddressState>();
  /** Logins given the turn but waiting out their address's delay. */
  private readonly timers = new Map<NodeJS.Timeout, Waiter>();
  private closed = false;

  constructor(
    readonly options: LoginThrottleOptions = defaultLoginThrottleOptions,
    private readonly now: () => number = Date.now,
    private readonly later: ((fn: () => void, ms: number) => void) | null = null,
  ) {}

  /** Addresses currently remembered (for tests and diagnostics). */
  get size(): number {
    return this.addresses.size;
  }

  /** Failures on record for an address (0 if none or forgotten). */
  failures(address: string): number {
    return this.addresses.get(addressKey(address))?.failures ?? 0;
  }

  /**
   * Resolves when this address's login may be checked. The caller's state change happens
   * synchronously, so logins arriving in one burst queue behind each other.
   */
  enter(address: string | undefined): Promise<LoginTurn> {
    if (address === undefined || address === '' || this.options.failureDelayMs <= 0) return Promise.resolve(noTurn);
    if (this.closed) return Promise.reject(new LoginThrottleClosed('the broker is closing'));
    const key = addressKey(address);
    const s = this.state(key);
    const turn: LoginTurn = { done: (ok) => this.settle(key, s, ok) };
    if (!s.busy && s.waiting.length === 0 && this.now() >= s.notBeforeMs) {
      s.busy = true;
      return Promise.resolve(turn);
    }
    if (s.waiting.length >= this.options.waitingLoginsPerAddressMax) {
      return Promise.reject(new TooManyWaitingLogins(`more than ${this.options.waitingLoginsPerAddressMax} logins waiting from ${key}`));
    }
    return new Promise<LoginTurn>((resolve, reject) => {
      s.waiting.push({ wake: () => resolve(turn), fail: reject });
      if (!s.busy) this.next(s);
    });
  }

  private state(key: string): AddressState {
    let s = this.addresses.get(key);
    if (s !== undefined && this.idle(s) && this.now() - s.lastFailureMs >= this.options.failureResetMs) {
      this.addresses.delete(key);
      s = undefined;
    }
    if (s === undefined) {
      s = { failures: 0, lastFailureMs: 0, notBeforeMs: 0, busy: false, waiting: [] };
      this.addresses.set(key, s);
      this.trim(s);
    }
    return s;
  }

  private settle(key: string, s: AddressState, ok: boolean): void {
    if (!s.busy) return; // settled twice: ignore
    s.busy = false;
    if (!ok) {
      const now = this.now();
      s.failures++;
      s.lastFailureMs = now;
      s.notBeforeMs = now + this.delayMs(s.failures);
      // Most recently failing last: trim() forgets the oldest first.
      this.addresses.delete(key);
      this.addresses.set(key, s);
    }
    if (s.waiting.length > 0) this.next(s);
    else if (s.failures === 0) this.addresses.delete(key);
  }

  /** Hands the turn to the next waiting login, once the address's delay has passed. */
  private next(s: AddressState): void {
    s.busy = true;
    const w = s.waiting.shift()!;
    const waitMs = s.notBeforeMs - this.now();
    if (waitMs <= 0) w.wake();
    else if (this.later !== null) this.later(w.wake, waitMs);
    else {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        w.wake();
      }, waitMs);
      this.timers.set(timer, w);
    }
  }

  /** The broker is closing: waiting logins fail, timers stop, new logins are refused. */
  close(): void {
    this.closed = true;
    const e = new LoginThrottleClosed('the broker is closing');
    for (const [t, w] of this.timers) {
      clearTimeout(t);
      w.fail(e);
    }
    this.timers.clear();
    for (const s of this.addresses.values()) for (const w of s.waiting.splice(0)) w.fail(e);
    this.addresses.clear();
  }

  delayMs(failures: number): number {
    if (failures <= 0) return 0;
    const { failureDelayMs, failureDelayMaxMs } = this.options;
    // 2^30 already exceeds any sensible maximum; the cap avoids Infinity.
    return Math.min(failureDelayMaxMs, failureDelayMs * 2 ** Math.min(failures - 1, 30));
  }

  private idle(s: AddressState): boolean {
    return !s.busy && s.waiting.length === 0;
  }

  /** Forgets idle addresses, least recently failing first, while over failureAddressesMax. */
  private trim(keep: AddressState): void {
    for (const [k, s] of this.addresses) {
      if (this.addresses.size <= this.options.failureAddressesMax) return;
      if (s !== keep && this.idle(s)) this.addresses.delete(k);
    }
  }
}

/**
 * The key an address is counted under: IPv4 as is (also when IPv4-mapped), IPv6 by its first
 * 64 bits, anything else as given.
 */
export function addressKey(address: string): string {
  const a = address.toLowerCase();
  if (isIPv4(a)) return a;
  if (a.startsWith('::ffff:') && isIPv4(a.slice(7))) return a.slice(7);
  if (!isIPv6(a)) return a;
  const groups = expandIPv6(a.split('%')[0]!);
  return groups === null ? a : `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros; null if malformed. */
function expandIPv6(a: string): string[] | null {
  let head = a;
  let tail = '';
  const dbl = a.indexOf('::');
  if (dbl >= 0) {
    head = a.slice(0, dbl);
    tail = a.slice(dbl + 2);
  }
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  // A trailing dotted quad counts as two groups.
  const last = (dbl >= 0 ? t : h).at(-1);
  if (last !== undefined && last.includes('.')) {
    const parts = last.split('.').map(Number);
    const arr = dbl >= 0 ? t : h;
    arr.splice(arr.length - 1, 1, ((parts[0]! << 8) | parts[1]!).toString(16), ((parts[2]! << 8) | parts[3]!).toString(16));
  }
  const missing = 8 - h.length - t.length;
  if (missing < 0 || (dbl < 0 && missing !== 0)) return null;
  return [...h, ...Array<string>(missing).fill('0'), ...t].map((g) => Number.parseInt(g, 16).toString(16));
}
