/** Class channel (20). */
import { closeFields } from './connection.js';
import { defineMethod } from './types.js';

const C = 20;

export const channelOpen = defineMethod({
  classId: C, methodId: 10, name: 'channel.open', synchronous: true,
  fields: [{ name: 'outOfBand', type: 'shortstr', default: '' }], // reserved-1
});
export const channelOpenOk = defineMethod({
  classId: C, methodId: 11, name: 'channel.open-ok',
  fields: [{ name: 'channelId', type: 'longstr', default: Buffer.alloc(0) }], // reserved-1
});
export const channelFlow = defineMethod({
  classId: C, methodId: 20, name: 'channel.flow', synchronous: true,
  fields: [{ name: 'active', type: 'bit' }],
});
export const channelFlowOk = defineMethod({
  classId: C, methodId: 21, name: 'channel.flow-ok',
  fields: [{ name: 'active', type: 'bit' }],
});
export const channelClose = defineMethod({ classId: C, methodId: 40, name: 'channel.close', synchronous: true, fields: closeFields });
export const channelCloseOk = defineMethod({ classId: C, methodId: 41, name: 'channel.close-ok', fields: [] });

export const channelMethods = [channelOpen, channelOpenOk, channelFlow, channelFlowOk, channelClose, channelCloseOk] as const;
