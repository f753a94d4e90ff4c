/** Class basic (60), with RabbitMQ's basic.nack. Content-bearing: publish, return, deliver, get-ok. */
import { defineMethod } from './types.js';

const C = 60;
const ticket = { name: 'ticket', type: 'short', default: 0 } as const; // reserved-1
const queue = { name: 'queue', type: 'shortstr', default: '' } as const;
const consumerTag = { name: 'consumerTag', type: 'shortstr' } as const;
const nowait = { name: 'nowait', type: 'bit', default: false } as const;
const exchange = { name: 'exchange', type: 'shortstr' } as const;
const routingKey = { name: 'routingKey', type: 'shortstr' } as const;
const deliveryTag = { name: 'deliveryTag', type: 'longlong' } as const;
const redelivered = { name: 'redelivered', type: 'bit', default: false } as const;

export const basicQos = defineMethod({
  classId: C, methodId: 10, name: 'basic.qos', synchronous: true,
  fields: [
    { name: 'prefetchSize', type: 'long', default: 0 },
    { name: 'prefetchCount', type: 'short', default: 0 },
    { name: 'global', type: 'bit', default: false },
  ],
});
export const basicQosOk = defineMethod({ classId: C, methodId: 11, name: 'basic.qos-ok', fields: [] });

export const basicConsume = defineMethod({
  classId: C, methodId: 20, name: 'basic.consume', synchronous: true,
  fields: [
    ticket, queue,
    { name: 'consumerTag', type: 'shortstr', default: '' },
    { name: 'noLocal', type: 'bit', default: false },
    { name: 'noAck', type: 'bit', default: false },
    { name: 'exclusive', type: 'bit', default: false },
    nowait,
    { name: 'arguments', type: 'table', default: Object.freeze({}) },
  ],
});
export const basicConsumeOk = defineMethod({ classId: C, methodId: 21, name: 'basic.consume-ok', fields: [consumerTag] });

export const basicCancel = defineMethod({ classId: C, methodId: 30, name: 'basic.cancel', synchronous: true, fields: [consumerTag, nowait] });
export const basicCancelOk = defineMethod({ classId: C, methodId: 31, name: 'basic.cancel-ok', fields: [consumerTag] });

export const basicPublish = defineMethod({
  classId: C, methodId: 40, name: 'basic.publish', content: true,
  fields: [
    ticket,
    { name: 'exchange', type: 'shortstr', default: '' },
    { name: 'routingKey', type: 'shortstr', default: '' },
    { name: 'mandatory', type: 'bit', default: false },
    { name: 'immediate', type: 'bit', default: false },
  ],
});

export const basicReturn = defineMethod({
  classId: C, methodId: 50, name: 'basic.return', content: true,
  fields: [{ name: 'replyCode', type: 'short' }, { name: 'replyText', type: 'shortstr', default: '' }, exchange, routingKey],
});

export const basicDeliver = defineMethod({
  classId: C, methodId: 60, name: 'basic.deliver', content: true,
  fields: [consumerTag, deliveryTag, redelivered, exchange, routingKey],
});

export const basicGet = defineMethod({
  classId: C, methodId: 70, name: 'basic.get', synchronous: true,
  fields: [ticket, queue, { name: 'noAck', type: 'bit', default: false }],
});
export const basicGetOk = defineMethod({
  classId: C, methodId: 71, name: 'basic.get-ok', content: true,
  fields: [deliveryTag, redelivered, exchange, routingKey, { name: 'messageCount', type: 'long' }],
});
export const basicGetEmpty = defineMethod({
  classId: C, methodId: 72, name: 'basic.get-empty',
  fields: [{ name: 'clusterId', type: 'shortstr', default: '' }], // reserved-1
});

export const basicAck = defineMethod({
  classId: C, methodId: 80, name: 'basic.ack',
  fields: [{ name: 'deliveryTag', type: 'longlong', default: 0 }, { name: 'multiple', type: 'bit', default: false }],
});
export const basicReject = defineMethod({
  classId: C, methodId: 90, name: 'basic.reject',
  fields: [deliveryTag, { name: 'requeue', type: 'bit', default: true }],
});
export const basicRecoverAsync = defineMethod({
  classId: C, methodId: 100, name: 'basic.recover-async',
  fields: [{ name: 'requeue', type: 'bit', default: false }],
});
export const basicRecover = defineMethod({
  classId: C, methodId: 110, name: 'basic.recover', synchronous: true,
  fields: [{ name: 'requeue', type: 'bit', default: false }],
});
export const basicRecoverOk = defineMethod({ classId: C, methodId: 111, name: 'basic.recover-ok', fields: [] });
export const basicNack = defineMethod({
  classId: C, methodId: 120, name: 'basic.nack',
  fields: [
    { name: 'deliveryTag', type: 'longlong', default: 0 },
    { name: 'multiple', type: 'bit', default: false },
    { name: 'requeue', type: 'bit', default: true },
  ],
});

export const basicMethods = [
  basicQos, basicQosOk, basicConsume, basicConsumeOk, basicCancel, basicCancelOk, basicPublish, basicReturn,
  basicDeliver, basicGet, basicGetOk, basicGetEmpty, basicAck, basicReject, basicRecoverAsync, basicRecover,
  basicRecoverOk, basicNack,
] as const;
