/** Class queue (50). */
import { defineMethod } from './types.js';

const C = 50;
const ticket = { name: 'ticket', type: 'short', default: 0 } as const; // reserved-1
const queue = { name: 'queue', type: 'shortstr', default: '' } as const;
const nowait = { name: 'nowait', type: 'bit', default: false } as const;
const args = { name: 'arguments', type: 'table', default: Object.freeze({}) } as const;
const messageCount = { name: 'messageCount', type: 'long' } as const;

export const queueDeclare = defineMethod({
  classId: C, methodId: 10, name: 'queue.declare', synchronous: true,
  fields: [
    ticket, queue,
    { name: 'passive', type: 'bit', default: false },
    { name: 'durable', type: 'bit', default: false },
    { name: 'exclusive', type: 'bit', default: false },
    { name: 'autoDelete', type: 'bit', default: false },
    nowait, args,
  ],
});
export const queueDeclareOk = defineMethod({
  classId: C, methodId: 11, name: 'queue.declare-ok',
  fields: [{ name: 'queue', type: 'shortstr' }, messageCount, { name: 'consumerCount', type: 'long' }],
});

export const queueBind = defineMethod({
  classId: C, methodId: 20, name: 'queue.bind', synchronous: true,
  fields: [ticket, queue, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr', default: '' }, nowait, args],
});
export const queueBindOk = defineMethod({ classId: C, methodId: 21, name: 'queue.bind-ok', fields: [] });

export const queuePurge = defineMethod({
  classId: C, methodId: 30, name: 'queue.purge', synchronous: true,
  fields: [ticket, queue, nowait],
});
export const queuePurgeOk = defineMethod({ classId: C, methodId: 31, name: 'queue.purge-ok', fields: [messageCount] });

export const queueDelete = defineMethod({
  classId: C, methodId: 40, name: 'queue.delete', synchronous: true,
  fields: [ticket, queue, { name: 'ifUnused', type: 'bit', default: false }, { name: 'ifEmpty', type: 'bit', default: false }, nowait],
});
export const queueDeleteOk = defineMethod({ classId: C, methodId: 41, name: 'queue.delete-ok', fields: [messageCount] });

/** No nowait: queue.unbind is always answered (spec). */
export const queueUnbind = defineMethod({
  classId: C, methodId: 50, name: 'queue.unbind', synchronous: true,
  fields: [ticket, queue, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr', default: '' }, args],
});
export const queueUnbindOk = defineMethod({ classId: C, methodId: 51, name: 'queue.unbind-ok', fields: [] });

export const queueMethods = [
  queueDeclare, queueDeclareOk, queueBind, queueBindOk, queuePurge, queuePurgeOk,
  queueDelete, queueDeleteOk, queueUnbind, queueUnbindOk,
] as const;
