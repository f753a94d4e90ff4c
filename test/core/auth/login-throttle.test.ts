import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, defaultLoginThrottleOptions, LoginThrottle, LoginThrottleClosed, TooManyWaitingLogins, type LoginThrottleOptions, type LoginTurn } from '../../../src/core/auth/login-throttle.js';

/** A throttle on a hand-driven clock: timers fire only when the test advances time. */
function manual(options: Partial<LoginThrottleOptions> = {}) {
  let nowMs = 1_000_000;
  let timers: { at: number; fn: () => void }[] = [];
  const t = new LoginThrottle({ ...defaultLoginThrottleOptions, ...options }, () => nowMs, (fn, ms) => void timers.push({ at: nowMs + ms, fn }));
  return {
    t,
    async advance(ms: number): Promise<void> {
      nowMs += ms;
      const due = timers.filter((x) => x.at <= nowMs);
      timers = timers.filter((x) => x.at > nowMs);
      for (const x of due) x.fn();
      await settle();
    },
    pendingTimers: () => timers.length,
  };
}

const settle = () => new Promise<void>((r) => setImmediate(r));

/** enter() as a probe: granted() once the turn is given, done() settles it. */
function probe(t: LoginThrottle, address: string | undefined) {
  let turn: LoginTurn | null = null;
  let error: unknown = null;
  t.enter(address).then(
    (x) => void (turn = x),
    (e: unknown) => void (error = e),
  );
  return {
    granted: (): boolean => turn !== null,
    error: (): unknown => error,
    done(ok: boolean): void {
      assert.ok(turn, 'done() before the turn was granted');
      turn.done(ok);
    },
  };
}

test('delays double from failureDelayMs up to failureDelayMaxMs', () => {
  const t = new LoginThrottle({ ...defaultLoginThrottleOptions, failureDelayMs: 100, failureDelayMaxMs: 5000 });
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 100, 1e6].map((f) => t.delayMs(f)), [0, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
});

test('an address without failures gets its turn at once; logins of one address take turns', async () => {
  const { t } = manual();
  const a = probe(t, '10.0.0.1');
  const b = probe(t, '10.0.0.1');
  const other = probe(t, '10.0.0.2');
  await settle();
  assert.ok(a.granted(), 'first login of the address goes on');
  assert.equal(b.granted(), false, 'the second waits for the first');
  assert.ok(other.granted(), 'another address is not held up');
  a.done(true);
  await settle();
  assert.ok(b.granted(), 'a success hands the turn on without delay');
  b.done(true);
  other.done(true);
  assert.equal(t.size, 0, 'addresses without failures are not remembered');
});

test('after a failure the next login of that address waits the delay; other addresses do not', async () => {
  const m = manual({ failureDelayMs: 100, failureDelayMaxMs: 1000 });
  const a = probe(m.t, '10.0.0.1');
  await settle();
  a.done(false);
  assert.equal(m.t.failures('10.0.0.1'), 1);
  const next = probe(m.t, '10.0.0.1');
  const elsewhere = probe(m.t, '10.0.0.2');
  await settle();
  assert.equal(next.granted(), false);
  assert.ok(elsewhere.granted());
  await m.advance(99);
  assert.equal(next.granted(), false);
  await m.advance(1);
  assert.ok(next.granted(), 'granted once the delay has passed');
  next.done(false);
  // Second failure: 200 ms.
  const third = probe(m.t, '10.0.0.1');
  await m.advance(199);
  assert.equal(third.granted(), false);
  await m.advance(1);
  assert.ok(third.granted());
  third.done(true);
  assert.equal(m.t.failures('10.0.0.1'), 2, 'a success does not clear the count');
  // A login after the delay has passed goes on at once.
  await m.advance(1000);
  const later = probe(m.t, '10.0.0.1');
  await settle();
  assert.ok(later.granted());
  later.done(true);
});

test('failures are forgotten failureResetMs after the last one', async () => {
  const m = manual({ failureDelayMs: 100, failureResetMs: 10_000 });
  for (let i = 0; i < 3; i++) {
    const p = probe(m.t, '10.0.0.1');
    await m.advance(1000);
    p.done(false);
  }
  assert.equal(m.t.failures('10.0.0.1'), 3);
  await m.advance(10_000);
  const p = probe(m.t, '10.0.0.1');
  await settle();
  assert.ok(p.granted());
  assert.equal(m.t.failures('10.0.0.1'), 0);
  p.done(true);
});

test('a burst from one address is checked one at a time, in order', async () => {
  const m = manual({ failureDelayMs: 100 });
  const burst = Array.from({ length: 5 }, () => probe(m.t, '10.0.0.1'));
  await settle();
  assert.deepEqual(burst.map((p) => p.granted()), [true, false, false, false, false]);
  burst[0]!.done(false);
  await m.advance(100);
  assert.deepEqual(burst.map((p) => p.granted()), [true, true, false, false, false]);
  burst[1]!.done(false);
  await m.advance(199);
  assert.equal(burst[2]!.granted(), false);
  await m.advance(1);
  assert.ok(burst[2]!.granted());
});

test('too many waiting logins of one address are refused at once', async () => {
  const { t } = manual({ waitingLoginsPerAddressMax: 2 });
  const first = probe(t, '10.0.0.1');
  const w1 = probe(t, '10.0.0.1');
  const w2 = probe(t, '10.0.0.1');
  const w3 = probe(t, '10.0.0.1');
  await settle();
  assert.ok(first.granted());
  assert.equal(w1.granted(), false);
  assert.equal(w2.granted(), false);
  assert.ok(w3.error() instanceof TooManyWaitingLogins);
});

test('memory is bounded: idle addresses beyond failureAddressesMax are forgotten, oldest first', async () => {
  const m = manual({ failureAddressesMax: 3 });
  for (let i = 1; i <= 5; i++) {
    const p = probe(m.t, `10.0.0.${i}`);
    await settle();
    p.done(false);
  }
  // Entries are trimmed when a new address comes in; the newest failures are kept.
  assert.equal(m.t.size, 3);
  assert.equal(m.t.failures('10.0.0.5'), 1);
  assert.equal(m.t.failures('10.0.0.1'), 0);
});

test('no address (in-process) or failureDelayMs 0: no throttling', async () => {
  const { t } = manual({ failureDelayMs: 0 });
  const a = probe(t, '10.0.0.1');
  const b = probe(t, '10.0.0.1');
  await settle();
  assert.ok(a.granted() && b.granted());
  a.done(false);
  assert.equal(t.size, 0);
  const m = manual();
  const c = probe(m.t, undefined);
  const d = probe(m.t, undefined);
  await settle();
  assert.ok(c.granted() && d.granted());
});

test('addressKey: IPv4 as is, IPv4-mapped as IPv4, IPv6 by its /64', () => {
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:DB8:1:2::9'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressKey('2001:db8:1:2::ffff:1.2.3.4'), '2001:db8:1:2::/64');
  assert.equal(addressKey('not an address'), 'not an address');
});

test('close(): waiting logins fail, their timers stop, and later logins are refused', async () => {
  const t = new LoginThrottle({ ...defaultLoginThrottleOptions, failureDelayMs: 60_000 });
  const first = probe(t, '10.0.0.1');
  await settle();
  first.done(false);
  const waiting = probe(t, '10.0.0.1');
  await settle();
  assert.equal(waiting.granted(), false);
  t.close();
  await settle();
  assert.ok(waiting.error() instanceof LoginThrottleClosed);
  const late = probe(t, '10.0.0.2');
  await settle();
  assert.ok(late.error() instanceof LoginThrottleClosed);
  // Nothing keeps the process alive for the 60 s delay (the test would hang otherwise).
});
