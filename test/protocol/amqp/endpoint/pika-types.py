# Run by types.test.ts (and by hand against RabbitMQ): how header field types and the
# timestamp property come back to a pika consumer, type letter by type letter.
#
#   pika-types.py PORT publish-timestamps QUEUE   publishes two messages whose timestamp
#                                                 property is past 2^53 (amqplib cannot)
#   pika-types.py PORT get QUEUE...               basic.get one message from each queue and
#                                                 prints one JSON line per message
#
# pika 1.2 decodes some letters lossily (float as an int, 'b'/'B' with swapped signs), so the
# headers table is read here from its bytes with its letters kept: [letter, value] for every
# value, [name, letter, value] for every table entry.
import json, struct, sys
import pika
import pika.data

FIXED = {'b': '>b', 'B': '>B', 's': '>h', 'u': '>H', 'I': '>i', 'i': '>I', 'l': '>q', 'f': '>f', 'd': '>d', 'T': '>Q'}


def value(buf, pos):
    kind = chr(buf[pos])
    pos += 1
    if kind in FIXED:
        fmt = FIXED[kind]
        v = struct.unpack_from(fmt, buf, pos)[0]
        pos += struct.calcsize(fmt)
        if kind in 'fd':
            v = repr(v)  # exact, and JSON has no NaN
        return [kind, v], pos
    if kind == 't':
        return [kind, buf[pos] != 0], pos + 1
    if kind == 'D':
        return [kind, [buf[pos], struct.unpack_from('>I', buf, pos + 1)[0]]], pos + 5
    if kind in 'Sx':
        n = struct.unpack_from('>I', buf, pos)[0]
        raw = bytes(buf[pos + 4:pos + 4 + n])
        return [kind, raw.decode('utf8') if kind == 'S' else raw.hex()], pos + 4 + n
    if kind == 'V':
        return [kind, None], pos
    if kind == 'A':
        n = struct.unpack_from('>I', buf, pos)[0]
        end = pos + 4 + n
        pos += 4
        items = []
        while pos < end:
            v, pos = value(buf, pos)
            items.append(v)
        return [kind, items], end
    if kind == 'F':
        t, pos = table(buf, pos)
        return [kind, t], pos
    raise ValueError('unknown field type %r' % kind)


def table(buf, pos):
    n = struct.unpack_from('>I', buf, pos)[0]
    end = pos + 4 + n
    pos += 4
    out = []
    while pos < end:
        klen = buf[pos]
        name = bytes(buf[pos + 1:pos + 1 + klen]).decode('utf8')
        pos += 1 + klen
        v, pos = value(buf, pos)
        out.append([name] + v)
    return out, end


port = int(sys.argv[1])
conn = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port))
ch = conn.channel()
# From here on the only tables received are message headers: BasicProperties.decode calls
# pika.data.decode_table for them.
pika.data.decode_table = table
if sys.argv[2] == 'publish-timestamps':
    ch.confirm_delivery()
    for ts in (2 ** 64 - 1, 1_700_000_000_123_456_789):
        ch.basic_publish('', sys.argv[3], b'ts', pika.BasicProperties(timestamp=ts))
else:
    for q in sys.argv[3:]:
        method, props, body = ch.basic_get(q, auto_ack=True)
        if method is None:
            print(json.dumps({'queue': q, 'empty': True}))
            continue
        print(json.dumps({'queue': q, 'timestamp': props.timestamp, 'headers': props.headers}))
conn.close()
