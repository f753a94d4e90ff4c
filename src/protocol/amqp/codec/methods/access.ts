/**
 * Class access (30): removed from 0-9-1 but still sent by old clients; RabbitMQ answers
 * access.request with request-ok, so the codec must at least parse it.
 */
import { defineMethod } from './types.js';

export const accessRequest = defineMethod({
  classId: 30, methodId: 10, name: 'access.request', synchronous: true,
  fields: [
    { name: 'realm', type: 'shortstr', default: '/data' },
    { name: 'exclusive', type: 'bit', default: false },
    { name: 'passive', type: 'bit', default: true },
    { name: 'active', type: 'bit', default: true },
    { name: 'write', type: 'bit', default: true },
    { name: 'read', type: 'bit', default: true },
  ],
});
export const accessRequestOk = defineMethod({
  classId: 30, methodId: 11, name: 'access.request-ok',
  fields: [{ name: 'ticket', type: 'short', default: 1 }],
});

export const accessMethods = [accessRequest, accessRequestOk] as const;
