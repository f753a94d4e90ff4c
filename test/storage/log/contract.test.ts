/** The storage contract suite over every store and fsync policy (nats-server style). */
import { diskFixture, simFixture } from './helpers.js';
import { logContract } from './contract.js';

logContract('disk, fsync always', diskFixture('always'));
logContract('disk, fsync interval:20', diskFixture('interval:20'));
logContract('disk, fsync never', diskFixture('never'));
logContract('sim, fsync always', simFixture('always'));
