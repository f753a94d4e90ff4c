# Run by kafka-python.test.ts against a live Hopper: admin (create, list, describe topics and
# configs), a keyed, gzip-compressed producer with headers and acks='all', a consumer group that
# consumes and commits, a second member of the group that resumes from the committed offsets,
# and seek / offsets_for_times on an assigned consumer. lz4, snappy and zstd are produced too when
# their Python modules are installed (Debian's python3-kafka does not depend on them).
#
# Arguments: bootstrap address, N. Prints one JSON document; the Node test asserts on it.
import json, sys, time
import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka import codec

bootstrap, n = sys.argv[1], int(sys.argv[2])
topic, group = 'kp-events', 'kp-group'
out = {'version': kafka.__version__}
# A fixed CreateTime per message, one second apart, so offsets_for_times has a definite answer.
base_ts = 1_700_000_000_000
common = dict(bootstrap_servers=bootstrap, request_timeout_ms=15000)


def record(m):
    return {'partition': m.partition, 'offset': m.offset, 'timestamp': m.timestamp,
            'key': None if m.key is None else m.key.decode(), 'value': m.value.decode(),
            'headers': [[k, v.decode()] for k, v in m.headers]}


def drain(consumer, want, timeout_s=20):
    """Polls until want records arrived (or the time ran out); returns them in arrival order."""
    got, until = [], time.time() + timeout_s
    while len(got) < want and time.time() < until:
        for recs in consumer.poll(timeout_ms=500).values():
            got.extend(record(m) for m in recs)
    return got


# Admin
admin = KafkaAdminClient(client_id='kp-admin', **common)
out['api_version'] = list(admin.config['api_version'])
admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1), NewTopic('kp-empty', num_partitions=2, replication_factor=1)])
try:
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    out['create_again'] = 'created'
except TopicAlreadyExistsError:
    out['create_again'] = 'TopicAlreadyExistsError'
out['topics'] = sorted(admin.list_topics())
out['describe'] = [{'topic': t['topic'], 'error_code': t['error_code'],
                    'partitions': sorted(p['partition'] for p in t['partitions'])}
                   for t in admin.describe_topics([topic])]
cfg = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
out['configs'] = {c[0]: c[1] for r in cfg for res in r.resources for c in res[4]}
out['cluster'] = {'brokers': len(admin.describe_cluster()['brokers'])}

# Producer: acks='all', keys, headers, gzip; one CreateTime per message
producer = KafkaProducer(acks='all', compression_type='gzip', linger_ms=20, **common)
futures = [producer.send(topic, key=b'key-%d' % i, value=b'value %d %s' % (i, b'lorem ipsum ' * 4),
                         headers=[('seq', str(i).encode()), ('origin', b'kafka-python')],
                         timestamp_ms=base_ts + i * 1000)
           for i in range(n)]
producer.flush()
out['produced'] = [{'partition': md.partition, 'offset': md.offset} for md in (f.get(timeout=10) for f in futures)]
producer.close()

# Other codecs, when kafka-python can use them here
out['codecs'] = {}
for name, available in (('lz4', codec.has_lz4()), ('snappy', codec.has_snappy()), ('zstd', codec.has_zstd())):
    if not available:
        continue
    t = 'kp-' + name
    p = KafkaProducer(acks='all', compression_type=name, linger_ms=20, **common)
    for i in range(10):
        p.send(t, key=b'k', value=b'%s %d %s' % (name.encode(), i, b'abc' * 20))
    p.flush()
    p.close()
    c = KafkaConsumer(t, auto_offset_reset='earliest', **common)
    out['codecs'][name] = [r['value'] for r in drain(c, 10)]
    c.close()

# Consumer group: consume everything, commit synchronously
first = KafkaConsumer(topic, group_id=group, auto_offset_reset='earliest', enable_auto_commit=False, **common)
out['consumed'] = drain(first, n)
first.commit()
tps = [TopicPartition(topic, p) for p in range(3)]
out['committed'] = {str(tp.partition): first.committed(tp) for tp in tps}
first.close()

# A second member of the group starts from the committed offsets: nothing, then only new records
second = KafkaConsumer(topic, group_id=group, auto_offset_reset='earliest', enable_auto_commit=False, **common)
out['second_initial'] = drain(second, 1, timeout_s=4)
p = KafkaProducer(acks='all', **common)
for i in range(2):
    p.send(topic, key=b'late-%d' % i, value=b'late %d' % i, timestamp_ms=base_ts + (n + i) * 1000)
p.flush()
p.close()
out['second_new'] = drain(second, 2)
second.commit()
second.close()

offsets = admin.list_consumer_group_offsets(group)
out['group_offsets'] = {str(tp.partition): om.offset for tp, om in offsets.items() if tp.topic == topic}
out['groups'] = sorted(g for g, _ in admin.list_consumer_groups())
admin.close()

# Assigned (no group): offsets_for_times, beginning/end offsets, seek
c = KafkaConsumer(**common)
c.assign(tps)
half = base_ts + (n // 2) * 1000
out['offsets_for_times'] = {str(tp.partition): (None if ot is None else [ot.offset, ot.timestamp])
                            for tp, ot in c.offsets_for_times({tp: half for tp in tps}).items()}
out['offsets_for_future'] = {str(tp.partition): ot for tp, ot in c.offsets_for_times({tp: base_ts + 10**9 for tp in tps}).items()}
out['beginning'] = {str(tp.partition): o for tp, o in c.beginning_offsets(tps).items()}
out['end'] = {str(tp.partition): o for tp, o in c.end_offsets(tps).items()}
# A partition with no record at all: no offset for any time (Kafka answers offset -1).
empty = [TopicPartition('kp-empty', p) for p in range(2)]
out['offsets_for_empty'] = {str(tp.partition): (None if ot is None else [ot.offset, ot.timestamp])
                            for tp, ot in c.offsets_for_times({tp: base_ts for tp in empty}).items()}
ends = out['end']
for tp in tps:
    ot = out['offsets_for_times'][str(tp.partition)]
    c.seek(tp, ot[0] if ot else ends[str(tp.partition)])
want = sum(ends[str(tp.partition)] - (ot[0] if ot else ends[str(tp.partition)])
           for tp, ot in ((tp, out['offsets_for_times'][str(tp.partition)]) for tp in tps))
out['from_time'] = drain(c, want)
c.seek_to_beginning(tps[0])
out['position_beginning'] = c.position(tps[0])
c.seek_to_end(tps[0])
out['position_end'] = c.position(tps[0])
c.close()

print(json.dumps(out))
