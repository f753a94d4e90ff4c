import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCoordinator } from '../../../../src/protocol/kafka/groups/coordinator.js';
import { GroupError, type JoinRequest } from '../../../../src/protocol/kafka/groups/types.js';

function setup(initialRebalanceDelayMs = 0) {
  const clock = { t: 1_000_000, now() { return this.t; } };
  const gc = new GroupCoordinator({ clock, minSessionTimeoutMs: 100, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs });
  const advance = (ms: number) => {
    clock.t += ms;
    gc.tick();
  };
  return { gc, clock, advance };
}

const meta = (s: string) => Buffer.from(s);
function req(over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g', memberId: '', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 2000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: meta('m') }], ...over,
  };
}

describe('group coordinator (sans-IO, fake clock)', () => {
  it('a single member joins, leads, syncs and becomes Stable', async () => {
    const { gc } = setup();
    const j = await gc.join(req());
    assert.equal(j.errorCode, 0);
    assert.equal(j.generationId, 1);
    assert.equal(j.leader, j.memberId);
    assert.equal(j.members.length, 1);
    const s = await gc.sync({ groupId: 'g', memberId: j.memberId, generationId: 1, groupInstanceId: null, assignments: [{ memberId: j.memberId, assignment: meta('a1') }] });
    assert.equal(s.errorCode, 0);
    assert.equal(s.assignment.toString(), 'a1');
    assert.equal(gc.describe('g')!.state, 'Stable');
  });

  it('a second member triggers a rebalance the first learns of by heartbeat', async () => {
    const { gc } = setup();
    const a = await gc.join(req());
    await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null, assignments: [] });
    const bJoin = gc.join(req({ clientId: 'b' }));
    assert.equal(gc.heartbeat('g', a.memberId, 1, null), GroupError.REBALANCE_IN_PROGRESS);
    const aJoin = gc.join(req({ memberId: a.memberId }));
    const [a2, b2] = await Promise.all([aJoin, bJoin]);
    assert.equal(a2.generationId, 2);
    assert.equal(b2.generationId, 2);
    assert.equal(a2.leader, a.memberId, 'the leader is kept');
    assert.equal(a2.members.length, 2);
    assert.equal(b2.members.length, 0);
    // The follower's sync waits for the leader's.
    const bSync = gc.sync({ groupId: 'g', memberId: b2.memberId, generationId: 2, groupInstanceId: null, assignments: [] });
    const aSync = await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 2, groupInstanceId: null, assignments: [{ memberId: a.memberId, assignment: meta('A') }, { memberId: b2.memberId, assignment: meta('B') }] });
    assert.equal(aSync.assignment.toString(), 'A');
    assert.equal((await bSync).assignment.toString(), 'B');
    assert.equal(gc.heartbeat('g', a.memberId, 1, null), GroupError.ILLEGAL_GENERATION);
    assert.equal(gc.heartbeat('g', a.memberId, 2, null), GroupError.NONE);
  });

  it('members that do not rejoin within the rebalance timeout are dropped', async () => {
    const { gc, advance } = setup();
    const a = await gc.join(req({ sessionTimeoutMs: 10_000 }));
    await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null, assignments: [] });
    const b = gc.join(req({ clientId: 'b' }));
    advance(1999);
    assert.equal(gc.describe('g')!.state, 'PreparingRebalance');
    advance(2);
    const rb = await b;
    assert.equal(rb.errorCode, 0);
    assert.equal(rb.leader, rb.memberId);
    assert.equal(gc.describe('g')!.members.length, 1);
    assert.equal(gc.heartbeat('g', a.memberId, 2, null), GroupError.UNKNOWN_MEMBER_ID);
  });

  it('a join that waited longer than its session timeout starts a new session with its answer', async () => {
    const { gc, advance } = setup();
    const a = await gc.join(req({ sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000 }));
    await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null, assignments: [] });
    const bP = gc.join(req({ clientId: 'b', sessionTimeoutMs: 1000 })); // waits for a, up to 5000 ms
    advance(3000);
    const aP = gc.join(req({ memberId: a.memberId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 5000 }));
    const [a2, b2] = await Promise.all([aP, bP]);
    advance(500); // b's first session (1000 ms from its JoinGroup) ran out while it waited
    const bSync = gc.sync({ groupId: 'g', memberId: b2.memberId, generationId: b2.generationId, groupInstanceId: null, assignments: [] });
    const aSync = await gc.sync({ groupId: 'g', memberId: a2.memberId, generationId: a2.generationId, groupInstanceId: null, assignments: [] });
    assert.equal(aSync.errorCode, GroupError.NONE);
    assert.equal((await bSync).errorCode, GroupError.NONE);
    assert.equal(gc.describe('g')!.members.length, 2);
  });

  it('session timeouts expire silent members and rebalance the rest', async () => {
    const { gc, advance } = setup();
    const a = await gc.join(req());
    const bP = gc.join(req({ clientId: 'b', sessionTimeoutMs: 5000 }));
    const aP = gc.join(req({ memberId: a.memberId }));
    const [a2, b2] = await Promise.all([aP, bP]);
    await Promise.all([
      gc.sync({ groupId: 'g', memberId: a2.memberId, generationId: a2.generationId, groupInstanceId: null, assignments: [] }),
      gc.sync({ groupId: 'g', memberId: b2.memberId, generationId: b2.generationId, groupInstanceId: null, assignments: [] }),
    ]);
    advance(800);
    assert.equal(gc.heartbeat('g', b2.memberId, b2.generationId, null), GroupError.NONE);
    advance(800); // a's 1000 ms session has run out
    assert.equal(gc.describe('g')!.members.length, 1);
    assert.equal(gc.heartbeat('g', b2.memberId, b2.generationId, null), GroupError.REBALANCE_IN_PROGRESS);
    const b3 = await gc.join(req({ memberId: b2.memberId, sessionTimeoutMs: 5000 }));
    assert.equal(b3.leader, b2.memberId);
  });

  it('leave rebalances; the last leave empties the group; delete needs it empty', async () => {
    const { gc } = setup();
    const a = await gc.join(req());
    await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null, assignments: [] });
    assert.equal(gc.delete('g'), GroupError.NON_EMPTY_GROUP);
    assert.equal(gc.leave('g', a.memberId, null), GroupError.NONE);
    assert.equal(gc.describe('g')!.state, 'Empty');
    assert.equal(gc.leave('g', a.memberId, null), GroupError.UNKNOWN_MEMBER_ID);
    assert.equal(gc.delete('g'), GroupError.NONE);
    assert.equal(gc.describe('g'), undefined);
  });

  it('a member whose session ran out is gone for DescribeGroups, ListGroups and DeleteGroups before the next tick', async () => {
    // A static member that closes does not leave (KIP-345): only its session timeout removes it.
    const { gc, clock } = setup();
    const a = await gc.join(req({ groupInstanceId: 'static-1' }));
    await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: 'static-1', assignments: [] });
    clock.t += 1001; // past the 1000 ms session, no tick() in between
    assert.equal(gc.delete('g'), GroupError.NONE);
    assert.equal(gc.describe('g'), undefined);

    const b = await gc.join(req({ groupId: 'h', groupInstanceId: 'static-2' }));
    await gc.sync({ groupId: 'h', memberId: b.memberId, generationId: 1, groupInstanceId: 'static-2', assignments: [] });
    clock.t += 1001;
    assert.equal(gc.describe('h')!.members.length, 0);
    assert.equal(gc.listings().find((l) => l.groupId === 'h')!.state, 'Empty');
  });

  it('picks the protocol all members support with the most votes, and refuses one in common with none', async () => {
    const { gc } = setup();
    const a = gc.join(req({ protocols: [{ name: 'roundrobin', metadata: meta('1') }, { name: 'range', metadata: meta('2') }] }));
    const ra = await a;
    assert.equal(ra.protocolName, 'roundrobin');
    const bad = await gc.join(req({ protocols: [{ name: 'sticky', metadata: meta('x') }] }));
    assert.equal(bad.errorCode, GroupError.INCONSISTENT_GROUP_PROTOCOL);
    const bP = gc.join(req({ protocols: [{ name: 'range', metadata: meta('3') }] }));
    const aP = gc.join(req({ memberId: ra.memberId, protocols: [{ name: 'roundrobin', metadata: meta('1') }, { name: 'range', metadata: meta('2') }] }));
    const [a2] = await Promise.all([aP, bP]);
    assert.equal(a2.protocolName, 'range');
  });

  it('a static member restarting with the same subscription keeps its assignment without a rebalance', async () => {
    const { gc } = setup();
    const a = await gc.join(req({ groupInstanceId: 'i-1' }));
    await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: 'i-1', assignments: [{ memberId: a.memberId, assignment: meta('mine') }] });
    const again = await gc.join(req({ groupInstanceId: 'i-1' }));
    assert.equal(again.errorCode, 0);
    assert.notEqual(again.memberId, a.memberId);
    assert.equal(again.generationId, 1, 'no new generation');
    assert.equal(gc.describe('g')!.state, 'Stable');
    const s = await gc.sync({ groupId: 'g', memberId: again.memberId, generationId: 1, groupInstanceId: 'i-1', assignments: [] });
    assert.equal(s.assignment.toString(), 'mine');
    // The old member id is fenced.
    assert.equal(gc.heartbeat('g', a.memberId, 1, 'i-1'), GroupError.FENCED_INSTANCE_ID);
    assert.equal(gc.leave('g', '', 'i-1'), GroupError.NONE);
    assert.equal(gc.describe('g')!.state, 'Empty');
  });

  it('refuses session timeouts outside the bounds and commits from stale generations', async () => {
    const { gc } = setup();
    assert.equal((await gc.join(req({ sessionTimeoutMs: 10 }))).errorCode, GroupError.INVALID_SESSION_TIMEOUT);
    const a = await gc.join(req());
    assert.equal(gc.checkCommit('g', a.memberId, 1, null), GroupError.REBALANCE_IN_PROGRESS, 'awaiting sync');
    await gc.sync({ groupId: 'g', memberId: a.memberId, generationId: 1, groupInstanceId: null, assignments: [] });
    assert.equal(gc.checkCommit('g', a.memberId, 1, null), GroupError.NONE);
    assert.equal(gc.checkCommit('g', a.memberId, 0, null), GroupError.ILLEGAL_GENERATION);
    assert.equal(gc.checkCommit('g', 'nobody', 1, null), GroupError.UNKNOWN_MEMBER_ID);
    assert.equal(gc.checkCommit('other', '', -1, null), GroupError.NONE, 'standalone commit');
  });

  it('the initial rebalance delay lets a new group gather members', async () => {
    const { gc, advance } = setup(500);
    let done = 0;
    const a = gc.join(req()).then((r) => (done++, r));
    const b = gc.join(req({ clientId: 'b' })).then((r) => (done++, r));
    await Promise.resolve();
    assert.equal(done, 0);
    advance(500);
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra.generationId, 1);
    assert.equal(rb.generationId, 1);
  });
});
