/**
 * Our response encoders against @platformatic/kafka's response parsers, for every API version
 * both know, flexible versions included (which kafkajs cannot check): the parser must read back
 * every value we wrote and consume exactly our bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kafkaApis } from '../../../src/protocol/kafka/api/registry.js';
import { isFlexible, responseHeaderVersion } from '../../../src/protocol/kafka/codec/api-def.js';
import { encodeResponse } from '../../../src/protocol/kafka/codec/message.js';
import { Reader } from '../../../src/protocol/kafka/codec/reader.js';
import { responseArb } from './arbitrary.js';
import { assertIncluded, clientLeaves, tame, wireLeaves, withoutTags } from './oracle.js';
import { pltApi, pltParse, pltVersions } from './platformatic.js';

function isTagSection(b: Buffer): boolean {
  const r = new Reader(b);
  try {
    r.taggedFields(() => false);
  } catch {
    return false;
  }
  return b.length > 0 && r.remaining === 0;
}

/**
 * Where @platformatic/kafka 1.35 departs from Kafka's message definitions (checked against the
 * JSON files), so its parser cannot be the oracle; the kafkajs checks and goldens cover these.
 */
const pltBugs: Record<string, string> = {
  'Metadata v9': 'reads ClusterAuthorizedOperations (int32, v8-v10) as a boolean',
  'Metadata v10': 'reads ClusterAuthorizedOperations (int32, v8-v10) as a boolean',
  'DescribeConfigs v2': 'reads ConfigType and Documentation, which start at v3',
  'OffsetForLeaderEpoch v4': 'reads Partition before ErrorCode; the definition has ErrorCode first',
  'ConsumerGroupHeartbeat v0': "does not read the Assignment struct's tagged-field section",
  'ConsumerGroupHeartbeat v1': "does not read the Assignment struct's tagged-field section",
  'ConsumerGroupDescribe v0': 'reads SubscribedTopicNames ([]string) as one string (still so in 2.9)',
  'DescribeClientQuotas v0': 'its describe-client-quotas-v0 module is v1 (createAPI(48, 1)): compact encodings',
  'DescribeTopicPartitions v0': 'leaves NextCursor\'s tagged-field section unread',
};

for (const api of kafkaApis.all) {
  const versions = pltVersions(api).filter((v) => v >= api.minVersion && v <= api.maxVersion && !pltBugs[`${api.name} v${v}`]);
  if (versions.length === 0) continue;
  test(`${api.name} responses v${versions.join(',v')} parse in @platformatic/kafka`, async () => {
    for (const v of versions) {
      const mod = await pltApi(api, v);
      const headerBytes = 8 + (responseHeaderVersion(api, v) === 1 ? 1 : 0);
      for (const s of fc.sample(responseArb(api, v), { numRuns: 25, seed: 7 + v })) {
        // Its tagged-field reader skips a count of bytes rather than the fields, so only empty
        // tagged sections can be cross-checked; the goldens and round trips cover tagged fields.
        const body = withoutTags(api.response, v, tame(s) as Record<string, unknown>);
        const frame = Buffer.concat(encodeResponse(api, v, 9, body as never));
        const { value, leftover } = pltParse(mod, api, v, frame.subarray(headerBytes));
        // Its parsers leave the top-level tagged-field section unread (the connection moves on by
        // frame size), so what is left must be exactly that section, or nothing.
        const rest = frame.subarray(frame.length - leftover);
        if (isFlexible(api, v)) assert.ok(leftover === 0 || isTagSection(rest), `${api.name} v${v}: ${leftover} bytes left: ${rest.toString('hex')}`);
        else assert.equal(leftover, 0, `${api.name} v${v}: ${leftover} bytes left`);
        assertIncluded(wireLeaves(api.response, v, body, isFlexible(api, v)), clientLeaves(value), `${api.name} v${v}`);
      }
    }
  });
}
