# Run by pika.test.ts against a live Hopper: the README pika example and more (confirms,
# qos, headers, direct reply-to, transactions). Argument: the AMQP port.
import sys, pika
port = int(sys.argv[1])
conn = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port))
ch = conn.channel()
ch.confirm_delivery()
ch.queue_declare(queue='jobs', durable=True)
for i in range(5):
    ch.basic_publish('', 'jobs', b'hello %d' % i, pika.BasicProperties(delivery_mode=2, headers={'n': i}))
ch.basic_qos(prefetch_count=10)
got = []
def on(c, m, p, body):
    got.append((body, p.headers))
    c.basic_ack(m.delivery_tag)
    if len(got) == 5:
        c.stop_consuming()
ch.basic_consume('jobs', on)
ch.start_consuming()
print(got)
# direct reply-to
ch.queue_declare(queue='rpc', exclusive=True)
def server(c, m, p, body):
    c.basic_publish('', p.reply_to, b're:' + body, pika.BasicProperties(correlation_id=p.correlation_id))
    c.basic_ack(m.delivery_tag)
ch.basic_consume('rpc', server)
replies = []
def client(c, m, p, body):
    replies.append(body); c.stop_consuming()
ch.basic_consume('amq.rabbitmq.reply-to', client, auto_ack=True)
ch.basic_publish('', 'rpc', b'ping', pika.BasicProperties(reply_to='amq.rabbitmq.reply-to', correlation_id='1'))
ch.start_consuming()
print(replies)
# tx
ch2 = conn.channel()
ch2.tx_select(); ch2.basic_publish('', 'jobs', b'tx'); ch2.tx_commit()
print(ch2.queue_declare(queue='jobs', passive=True).method.message_count)
conn.close()
print("pika ok")
