/** Class exchange (40), with RabbitMQ's exchange-to-exchange bind/unbind. */
import { defineMethod } from './types.js';

const C = 40;
/** The 0-8 access ticket, reserved-1 in 0-9-1: always 0, kept so the layout matches. */
const ticket = { name: 'ticket', type: 'short', default: 0 } as const;
const noTable = Object.freeze({});

export const exchangeDeclare = defineMethod({
  classId: C, methodId: 10, name: 'exchange.declare', synchronous: true,
  fields: [
    ticket,
    { name: 'exchange', type: 'shortstr' },
    { name: 'type', type: 'shortstr', default: 'direct' },
    { name: 'passive', type: 'bit', default: false },
    { name: 'durable', type: 'bit', default: false },
    { name: 'autoDelete', type: 'bit', default: false }, // reserved-2 in the spec, RabbitMQ uses it
    { name: 'internal', type: 'bit', default: false }, // reserved-3 in the spec, RabbitMQ uses it
    { name: 'nowait', type: 'bit', default: false },
    { name: 'arguments', type: 'table', default: noTable },
  ],
});
export const exchangeDeclareOk = defineMethod({ classId: C, methodId: 11, name: 'exchange.declare-ok', fields: [] });

export const exchangeDelete = defineMethod({
  classId: C, methodId: 20, name: 'exchange.delete', synchronous: true,
  fields: [
    ticket,
    { name: 'exchange', type: 'shortstr' },
    { name: 'ifUnused', type: 'bit', default: false },
    { name: 'nowait', type: 'bit', default: false },
  ],
});
export const exchangeDeleteOk = defineMethod({ classId: C, methodId: 21, name: 'exchange.delete-ok', fields: [] });

const bindFields = [
  ticket,
  { name: 'destination', type: 'shortstr' },
  { name: 'source', type: 'shortstr' },
  { name: 'routingKey', type: 'shortstr', default: '' },
  { name: 'nowait', type: 'bit', default: false },
  { name: 'arguments', type: 'table', default: noTable },
] as const;

export const exchangeBind = defineMethod({ classId: C, methodId: 30, name: 'exchange.bind', synchronous: true, fields: bindFields });
export const exchangeBindOk = defineMethod({ classId: C, methodId: 31, name: 'exchange.bind-ok', fields: [] });
export const exchangeUnbind = defineMethod({ classId: C, methodId: 40, name: 'exchange.unbind', synchronous: true, fields: bindFields });
/** 51, not 41: RabbitMQ's extension spec numbers it so, and every client follows. */
export const exchangeUnbindOk = defineMethod({ classId: C, methodId: 51, name: 'exchange.unbind-ok', fields: [] });

export const exchangeMethods = [
  exchangeDeclare, exchangeDeclareOk, exchangeDelete, exchangeDeleteOk,
  exchangeBind, exchangeBindOk, exchangeUnbind, exchangeUnbindOk,
] as const;
