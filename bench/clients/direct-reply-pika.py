"""Direct reply-to round trips with pika (BlockingConnection), for bench/direct-reply.bench.ts.

A responder (its own connection, in a thread) consumes the request queue and answers to each
request's reply-to; the client consumes amq.rabbitmq.reply-to and makes sequential calls.
Prints one JSON object: {"ms": [round-trip milliseconds of each measured call]}.

usage: direct-reply-pika.py PORT CALLS WARMUP durable|transient
  durable: a durable request queue and persistent requests; transient: an auto-delete queue
  (as RabbitMQ's RPC tutorial declares it) and transient requests.
"""
import json
import sys
import threading
import time

import pika

port, calls, warmup = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
durable = sys.argv[4] == 'durable'
QUEUE = 'rpc-bench-pika-' + sys.argv[4]
MODE = 2 if durable else 1
params = pika.ConnectionParameters('127.0.0.1', port, credentials=pika.PlainCredentials('guest', 'guest'))


def respond(ready):
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.queue_declare(QUEUE, durable=durable, auto_delete=not durable)

    def on_request(c, method, props, body):
        c.basic_publish('', props.reply_to, body, pika.BasicProperties(correlation_id=props.correlation_id))

    ch.basic_consume(QUEUE, on_request, auto_ack=True)
    ready.set()
    ch.start_consuming()
    conn.close()
    return conn


ready = threading.Event()
responder = threading.Thread(target=respond, args=(ready,), daemon=True)
responder.start()
ready.wait(30)

conn = pika.BlockingConnection(params)
ch = conn.channel()
reply = []
ch.basic_consume('amq.rabbitmq.reply-to', lambda c, m, p, b: reply.append(p.correlation_id), auto_ack=True)
out = []
for i in range(warmup + calls):
    reply.clear()
    t0 = time.perf_counter()
    ch.basic_publish('', QUEUE, b'request', pika.BasicProperties(reply_to='amq.rabbitmq.reply-to', correlation_id=str(i), delivery_mode=MODE))
    while not reply:
        conn.process_data_events(time_limit=None)
    if reply[0] != str(i):
        sys.exit(f'reply {reply[0]} to call {i}')
    if i >= warmup:
        out.append((time.perf_counter() - t0) * 1000)
conn.close()
print(json.dumps({'ms': out}))
sys.stdout.flush()
