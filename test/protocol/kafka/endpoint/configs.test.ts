/**
 * Topic and broker configs as Kafka 3.9 serves them, through real admin clients: every topic
 * config Kafka accepts is accepted (and refused with Kafka's errors when wrong), DescribeConfigs
 * gives types, sources, synonyms and documentation, CreateTopics v5+ returns the new topic's
 * configs, (Incremental)AlterConfigs round-trip, broker configs change where Kafka allows it and
 * reach the topics, and what Hopper applies (retention, batch size, timestamps, min ISR,
 * compression) takes effect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin, ConfigResourceTypes, ConfigSources, ConfigTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import type { Kafka } from 'kafkajs';
import { AlterConfigs } from '../../../../src/protocol/kafka/api/alter-configs.js';
import { CreateTopics } from '../../../../src/protocol/kafka/api/create-topics.js';
import { DescribeConfigs } from '../../../../src/protocol/kafka/api/describe-configs.js';
import { IncrementalAlterConfigs } from '../../../../src/protocol/kafka/api/incremental-alter-configs.js';
import { Produce } from '../../../../src/protocol/kafka/api/produce.js';
import { KafkaError } from '../../../../src/protocol/kafka/codec/error-codes.js';
import { encodeBatch, forEachBatch, isLogAppendTime } from '../../../../src/storage/codec/record-batch.js';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { decodeCatalogue } from '../../../../src/core/catalogue/codec.js';
import { paths } from '../../../../src/core/paths.js';
import { findPython } from '../../../helpers/python.js';
import { RawClient } from './raw-client.js';
import { readStored, startHarness, type Harness } from './harness.js';

const python = findPython('kafka');

/**
 * kafka-python's admin client (Debian's 2.0.2: DescribeConfigs v2, AlterConfigs v1): alter a
 * topic's compression.type and message.format.version, describe the topic and the broker.
 */
const kafkaPythonConfigs = `
import json, sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType, NewTopic
a = KafkaAdminClient(bootstrap_servers=sys.argv[1], request_timeout_ms=10000)
a.create_topics([NewTopic('cfg-kp', 1, 1, topic_configs={'delete.retention.ms': '900'})])
r = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'cfg-kp', configs={'compression.type': 'gzip', 'message.format.version': '0.10.0.0'})])
altered = [list(x)[:2] for x in r.resources]
t = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'cfg-kp')])[0].resources[0]
b = a.describe_configs([ConfigResource(ConfigResourceType.BROKER, '0')])[0].resources[0]
print(json.dumps({'altered': altered, 'topic': {c[0]: c[1] for c in t[4]}, 'broker': {c[0]: c[1] for c in b[4]}}))
`;

describe('kafka topic and broker configs', () => {
  let h: Harness;
  let kafka: Kafka;
  let admin: Admin;
  let raw: RawClient;
  before(async () => {
    h = await startHarness({ autoCreateTopics: false });
    kafka = h.kafka();
    admin = new Admin({ clientId: 'cfg-admin', bootstrapBrokers: [h.bootstrap] });
    raw = await RawClient.open(h.listener.port);
  });
  after(async () => {
    raw.close();
    await admin.close();
    await h.close();
  });

  const describeTopic = async (topic: string, keys: string[], includeSynonyms = false, includeDocumentation = false) => {
    const [r] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: keys }], includeSynonyms, includeDocumentation });
    return r!.configs;
  };

  it('CreateTopics accepts the configs librdkafka and kafkajs send; unknown names and bad values get INVALID_CONFIG', async () => {
    const kadmin = kafka.admin();
    await kadmin.connect();
    try {
      await kadmin.createTopics({
        topics: [{
          topic: 'cfg-many', configEntries: [
            { name: 'compression.type', value: 'lz4' }, { name: 'delete.retention.ms', value: '900' },
            { name: 'message.format.version', value: '0.10.0.0' }, { name: 'min.insync.replicas', value: '1' },
            { name: 'flush.ms', value: '12345678' }, { name: 'segment.index.bytes', value: '4096' },
            { name: 'cleanup.policy', value: 'compact, delete' }, { name: 'min.cleanable.dirty.ratio', value: '1' },
            { name: 'message.timestamp.type', value: 'LogAppendTime' }, { name: 'unclean.leader.election.enable', value: 'TRUE' },
          ],
        }],
      });
      const cfg = Object.fromEntries((await describeTopic('cfg-many', [])).map((c) => [c.name, c.value]));
      // Stored and echoed in Kafka's normal form.
      assert.equal(cfg['cleanup.policy'], 'compact,delete');
      assert.equal(cfg['min.cleanable.dirty.ratio'], '1.0');
      assert.equal(cfg['unclean.leader.election.enable'], 'true');
      assert.equal(cfg['message.format.version'], '0.10.0.0');
      assert.equal(cfg['delete.retention.ms'], '900');
      assert.equal(h.broker.vhost('/').topic('cfg-many').config.deleteRetentionMs, 900);
      assert.equal(h.broker.vhost('/').topic('cfg-many').config.cleanupPolicy, 'compact,delete');

      await assert.rejects(kadmin.createTopics({ topics: [{ topic: 'cfg-bad', configEntries: [{ name: 'dummy.doesntexist', value: 'x' }] }] }), (e: { errors?: { type: string }[] }) => {
        assert.equal(e.errors?.[0]?.type, 'INVALID_CONFIG');
        return true;
      });
      // kafkajs replaces the broker's message with its own; the raw answer carries Kafka's.
      const refused = async (name: string, value: string, message: RegExp) => {
        raw.send(CreateTopics, 7, { topics: [{ name: `cfg-bad-${name}`, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name, value }] }], timeoutMs: 1000, validateOnly: false });
        const t = (await raw.receive(CreateTopics, 7)).body.topics[0]!;
        assert.equal(t.errorCode, KafkaError.INVALID_CONFIG, `${name}=${value}`);
        assert.match(t.errorMessage ?? '', message);
        assert.equal(h.broker.vhost('/').hasTopic(`cfg-bad-${name}`), false);
      };
      await refused('dummy.doesntexist', 'x', /Unknown topic config name: dummy\.doesntexist/);
      await refused('retention.ms', 'soon', /Invalid value soon for configuration retention\.ms: Not a number of type LONG/);
      await refused('retention.ms', '-5', /Value must be at least -1/);
      await refused('cleanup.policy', 'compact,forever', /Invalid value forever for configuration cleanup\.policy: String must be one of: compact, delete/);
      await refused('message.format.version', '9.9', /Version 9\.9 is not a valid version/);
      await refused('min.cleanable.dirty.ratio', '1.5', /Value must be no more than 1/);
      await refused('remote.storage.enable', 'true', /Tiered Storage functionality is disabled/);
      await refused('segment.bytes', '2147483648', /Not a number of type INT/);
    } finally {
      await kadmin.disconnect();
    }
  });

  it('DescribeConfigs: types, sources, synonyms and documentation as Kafka gives them', async () => {
    await admin.createTopics({ topics: ['cfg-describe'], partitions: 1, replicas: 1 });
    const all = await describeTopic('cfg-describe', []);
    assert.ok(all.length >= 36, `${all.length} topic configs`);
    for (const c of all) {
      assert.equal(typeof c.value, 'string', c.name);
      assert.notEqual(c.configType, ConfigTypes.UNKNOWN, c.name);
      assert.equal(c.documentation, null);
    }
    const [policy] = await describeTopic('cfg-describe', ['cleanup.policy'], true, true);
    const { documentation, ...rest } = policy!;
    assert.deepEqual(rest, {
      name: 'cleanup.policy', value: 'delete', readOnly: false, configSource: ConfigSources.DEFAULT_CONFIG, isSensitive: false,
      synonyms: [{ name: 'log.cleanup.policy', value: 'delete', source: ConfigSources.DEFAULT_CONFIG }], configType: ConfigTypes.LIST,
    });
    assert.ok(documentation?.startsWith('How old log segments are cleaned up.'));
    const byName = Object.fromEntries((await describeTopic('cfg-describe', ['retention.ms', 'retention.bytes', 'segment.bytes', 'max.message.bytes'], true)).map((c) => [c.name, c]));
    // retention.ms: log.retention.hours (168) is dropped as Kafka drops it: no synonyms, DEFAULT_CONFIG.
    assert.deepEqual([byName['retention.ms']!.value, byName['retention.ms']!.configSource, byName['retention.ms']!.synonyms], ['604800000', ConfigSources.DEFAULT_CONFIG, []]);
    assert.deepEqual([byName['retention.bytes']!.value, byName['retention.bytes']!.configType], ['-1', ConfigTypes.LONG]);
    // Hopper's own segment size (128 MiB) is a static broker setting over Kafka's 1 GiB default.
    assert.equal(byName['segment.bytes']!.value, '134217728');
    assert.equal(byName['segment.bytes']!.configSource, ConfigSources.STATIC_BROKER_CONFIG);
    assert.deepEqual(byName['segment.bytes']!.synonyms.map((s) => [s.name, s.value, s.source]), [
      ['log.segment.bytes', '134217728', ConfigSources.STATIC_BROKER_CONFIG], ['log.segment.bytes', '1073741824', ConfigSources.DEFAULT_CONFIG],
    ]);
    assert.equal(Number(byName['max.message.bytes']!.value), h.broker.vhost('/').topic('cfg-describe').config.maxBatchBytes);

    const [broker] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '0' }] });
    const b = Object.fromEntries(broker!.configs.map((c) => [c.name, c]));
    for (const name of ['advertised.listeners', 'log.retention.ms', 'num.partitions', 'default.replication.factor', 'auto.create.topics.enable', 'message.max.bytes']) {
      assert.ok(b[name], name);
    }
    assert.deepEqual([b['advertised.listeners']!.configSource, b['advertised.listeners']!.readOnly, b['advertised.listeners']!.configType], [ConfigSources.DEFAULT_CONFIG, false, ConfigTypes.STRING]);
    assert.equal(b['advertised.listeners']!.value, `PLAINTEXT://127.0.0.1:${h.listener.port}`);
    assert.deepEqual([b['num.partitions']!.value, b['num.partitions']!.readOnly], ['1', true]);
    assert.equal(b['auto.create.topics.enable']!.value, 'false');
    assert.equal(b['auto.create.topics.enable']!.configSource, ConfigSources.STATIC_BROKER_CONFIG);
    assert.equal(b['log.retention.ms']!.value, '604800000');
    assert.equal(b['log.retention.hours']!.value, '168');

    const wrong = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '7' }] }).catch((e: { errors?: unknown[] }) => e);
    assert.ok(wrong instanceof Error, 'another node id is refused');
  });

  it('CreateTopics v5+ answers with the new topic\'s configs', async () => {
    const [created] = await admin.createTopics({ topics: ['cfg-created'], partitions: 2, replicas: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] });
    assert.equal(created!.configuration['cleanup.policy'], 'compact');
    assert.equal(created!.configuration['retention.ms'], '604800000');
    assert.equal(created!.configuration['compression.type'], 'producer');
  });

  it('IncrementalAlterConfigs SET, APPEND, SUBTRACT and DELETE round-trip through DescribeConfigs', async () => {
    await admin.createTopics({ topics: ['cfg-incr'], partitions: 1, replicas: 1 });
    const op = async (configOperation: 0 | 1 | 2 | 3, value?: string) => admin.incrementalAlterConfigs({
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'cfg-incr', configs: [{ name: 'cleanup.policy', configOperation, ...(value === undefined ? {} : { value }) } as any] }],
      validateOnly: false,
    });
    const policy = async () => (await describeTopic('cfg-incr', ['cleanup.policy']))[0]!;
    await op(IncrementalAlterConfigOperationTypes.SET, 'compact');
    assert.deepEqual([(await policy()).value, (await policy()).configSource], ['compact', ConfigSources.TOPIC_CONFIG]);
    await op(IncrementalAlterConfigOperationTypes.APPEND, 'delete');
    assert.equal((await policy()).value, 'compact,delete');
    assert.equal(h.broker.vhost('/').topic('cfg-incr').config.cleanupPolicy, 'compact,delete');
    await op(IncrementalAlterConfigOperationTypes.SUBTRACT, 'compact');
    assert.equal((await policy()).value, 'delete');
    await op(IncrementalAlterConfigOperationTypes.DELETE);
    assert.deepEqual([(await policy()).value, (await policy()).configSource], ['delete', ConfigSources.DEFAULT_CONFIG]);

    // validateOnly changes nothing; APPEND to a config that is not a list is INVALID_CONFIG.
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'cfg-incr', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: true });
    assert.equal((await describeTopic('cfg-incr', ['retention.ms']))[0]!.value, '604800000');
    raw.send(IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'cfg-incr', configs: [{ name: 'retention.ms', configOperation: 2, value: '5' }] }], validateOnly: false });
    const r = (await raw.receive(IncrementalAlterConfigs, 1)).body.responses[0]!;
    assert.deepEqual([r.errorCode, r.errorMessage], [KafkaError.INVALID_CONFIG, 'Can\'t APPEND to key retention.ms because its type is not LIST.']);
    raw.send(IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'cfg-incr', configs: [{ name: 'retention.ms', configOperation: 0, value: '5' }, { name: 'retention.ms', configOperation: 1, value: null }] }], validateOnly: false });
    assert.equal((await raw.receive(IncrementalAlterConfigs, 1)).body.responses[0]!.errorCode, KafkaError.INVALID_REQUEST);
  });

  it('AlterConfigs replaces a topic\'s configs; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await admin.createTopics({ topics: ['cfg-alter'], partitions: 1, replicas: 1, configs: [{ name: 'retention.bytes', value: '1000000' }] });
    await admin.alterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'cfg-alter', configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '86400000' }] }], validateOnly: false });
    const cfg = Object.fromEntries((await describeTopic('cfg-alter', [])).map((c) => [c.name, [c.value, c.configSource]]));
    assert.deepEqual(cfg['retention.ms'], ['86400000', ConfigSources.TOPIC_CONFIG]);
    assert.deepEqual(cfg['retention.bytes'], ['-1', ConfigSources.DEFAULT_CONFIG], 'the old set is replaced');
    raw.send(AlterConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'no-such-topic', configs: [{ name: 'compression.type', value: 'lz4' }] }], validateOnly: false });
    assert.equal((await raw.receive(AlterConfigs, 2)).body.responses[0]!.errorCode, KafkaError.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('broker configs: dynamic ones change (per broker and cluster-wide) and reach topics; the rest are refused', async () => {
    await admin.createTopics({ topics: ['cfg-broker'], partitions: 1, replicas: 1 });
    const kadmin = kafka.admin();
    await kadmin.connect();
    try {
      await kadmin.alterConfigs({ validateOnly: false, resources: [{ type: 4 /* kafkajs's ConfigResourceTypes.BROKER */, name: '0', configEntries: [{ name: 'message.max.bytes', value: '2000000' }, { name: 'sasl.kerberos.min.time.before.relogin', value: '58000' }] }] });
      const [b] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '0', configurationKeys: ['message.max.bytes'] }] });
      assert.deepEqual(b!.configs.map((c) => [c.value, c.configSource, c.readOnly, c.configType]), [['2000000', ConfigSources.DYNAMIC_BROKER_CONFIG, false, ConfigTypes.INT]]);
      // The topic's max.message.bytes now comes from the dynamic broker config, and is enforced.
      const [t] = await describeTopic('cfg-broker', ['max.message.bytes'], true);
      assert.deepEqual([t!.value, t!.configSource, t!.synonyms[0]], ['2000000', ConfigSources.DYNAMIC_BROKER_CONFIG, { name: 'message.max.bytes', value: '2000000', source: ConfigSources.DYNAMIC_BROKER_CONFIG }]);
      assert.equal(h.broker.vhost('/').topic('cfg-broker').config.maxBatchBytes, 2_000_000);
      const big = encodeBatch([{ key: null, value: Buffer.alloc(2_100_000, 1) }]);
      raw.send(Produce, 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'cfg-broker', partitionData: [{ index: 0, records: big }] }] });
      assert.equal((await raw.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!.errorCode, KafkaError.MESSAGE_TOO_LARGE);

      // Cluster-wide default (empty name): log.retention.ms reaches topics without their own setting.
      await admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '3600000' }] }] });
      assert.equal(h.broker.vhost('/').topic('cfg-broker').config.retentionMs, 3_600_000);
      const [defaults] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '' }] });
      assert.deepEqual(defaults!.configs.map((c) => [c.name, c.value, c.configSource]), [['log.retention.ms', '3600000', ConfigSources.DYNAMIC_DEFAULT_BROKER_CONFIG]]);

      const alter = async (name: string, configs: { name: string; value: string }[]) => {
        raw.send(AlterConfigs, 2, { resources: [{ resourceType: 4, resourceName: name, configs }], validateOnly: false });
        return (await raw.receive(AlterConfigs, 2)).body.responses[0]!;
      };
      const fixed = await alter('0', [{ name: 'num.partitions', value: '3' }]);
      assert.deepEqual([fixed.errorCode, fixed.errorMessage], [KafkaError.INVALID_REQUEST, 'Cannot update these configs dynamically: Set(num.partitions)']);
      assert.equal((await alter('0', [{ name: 'message.max.bytes', value: 'big' }])).errorCode, KafkaError.INVALID_REQUEST);
      assert.equal((await alter('', [{ name: 'sasl.kerberos.min.time.before.relogin', value: '1' }])).errorCode, KafkaError.INVALID_REQUEST, 'per-broker only');
      assert.equal((await alter('3', [{ name: 'message.max.bytes', value: '5000' }])).errorCode, KafkaError.INVALID_REQUEST, 'another node');

      // Durable: the catalogue file holds them (a restarted broker applies them to topics as it opens them).
      raw.send(DescribeConfigs, 4, { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['message.max.bytes'] }], includeSynonyms: false, includeDocumentation: false });
      assert.equal((await raw.receive(DescribeConfigs, 4)).body.results[0]!.configs[0]!.value, '2000000');
      const saved = decodeCatalogue(await readFile(paths.catalogue(h.broker.dataDir))).snapshot.brokerConfigs;
      assert.deepEqual(saved, { perBroker: { 'message.max.bytes': '2000000', 'sasl.kerberos.min.time.before.relogin': '58000' }, clusterDefault: { 'log.retention.ms': '3600000' } });
      // Legacy AlterConfigs replaces the whole level: back to Hopper's own limit.
      assert.equal((await alter('0', [])).errorCode, KafkaError.NONE);
      assert.equal(h.broker.vhost('/').topic('cfg-broker').config.maxBatchBytes, h.broker.ctx.staticTopicLogConfig().maxBatchBytes);
    } finally {
      await kadmin.disconnect();
    }
  });

  it('kafka-python: alter_configs and describe_configs on a topic and on the broker', { skip: python === null ? 'kafka-python is not installed (apt-get install python3-kafka)' : false }, async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(python!, ['-c', kafkaPythonConfigs, h.bootstrap], { timeout: 60_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))));
    const r = JSON.parse(out) as { altered: [number, string | null][]; topic: Record<string, string>; broker: Record<string, string> };
    assert.deepEqual(r.altered, [[0, null]]);
    assert.deepEqual([r.topic['compression.type'], r.topic['message.format.version'], r.topic['delete.retention.ms']], ['gzip', '0.10.0.0', '86400000'], 'AlterConfigs replaced the whole set');
    assert.equal(r.broker['advertised.listeners'], `PLAINTEXT://127.0.0.1:${h.listener.port}`);
    assert.equal(r.broker['num.partitions'], '1');
  });

  it('applied at produce: LogAppendTime, timestamp bounds, min.insync.replicas and compression.type', async () => {
    await admin.createTopics({
      topics: ['cfg-produce'], partitions: 1, replicas: 1,
      configs: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }, { name: 'compression.type', value: 'gzip' }],
    });
    const produce = async (topic: string, records: Buffer, acks = -1) => {
      raw.send(Produce, 9, { acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
      return (await raw.receive(Produce, 9)).body.responses[0]!.partitionResponses[0]!;
    };
    const before = Date.now();
    const ok = await produce('cfg-produce', encodeBatch([{ key: null, value: Buffer.from('old'), timestamp: 1000 }, { key: null, value: Buffer.from('b'), timestamp: 2000 }], { compression: 'zstd' }));
    assert.equal(ok.errorCode, 0);
    assert.ok(ok.logAppendTimeMs >= before, 'the answer carries the append time');
    const stored = await readStored(h.broker, 'cfg-produce');
    assert.deepEqual(stored.codecs, [1], 'recompressed to gzip');
    assert.deepEqual(stored.messages.map((m) => m.message.value?.toString()), ['old', 'b']);
    for (const m of stored.messages) assert.equal(m.message.timestamp, ok.logAppendTimeMs, 'LogAppendTime replaces the producer\'s timestamps');
    const { bytes } = await h.broker.vhost('/').topic('cfg-produce').partition(0).read(0, 1 << 20);
    forEachBatch(bytes, (hd) => assert.ok(isLogAppendTime(hd.attributes)));

    await admin.createTopics({ topics: ['cfg-bounds'], partitions: 1, replicas: 1, configs: [{ name: 'message.timestamp.before.max.ms', value: '60000' }, { name: 'min.insync.replicas', value: '2' }] });
    const stale = await produce('cfg-bounds', encodeBatch([{ key: null, value: Buffer.from('x'), timestamp: Date.now() - 3_600_000 }]), 1);
    assert.equal(stale.errorCode, KafkaError.INVALID_TIMESTAMP);
    assert.match(stale.errorMessage ?? '', /is out of range/);
    const minIsr = await produce('cfg-bounds', encodeBatch([{ key: null, value: Buffer.from('x') }]), -1);
    assert.equal(minIsr.errorCode, KafkaError.NOT_ENOUGH_REPLICAS);
    assert.equal((await produce('cfg-bounds', encodeBatch([{ key: null, value: Buffer.from('x') }]), 1)).errorCode, 0, 'acks=1 does not wait for replicas');
    assert.equal(h.broker.vhost('/').topic('cfg-bounds').partition(0).nextOffset, 1);
  });
});
