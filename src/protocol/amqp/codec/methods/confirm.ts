/** Class confirm (85): RabbitMQ's publisher confirms. */
import { defineMethod } from './types.js';

export const confirmSelect = defineMethod({
  classId: 85, methodId: 10, name: 'confirm.select', synchronous: true,
  fields: [{ name: 'nowait', type: 'bit', default: false }],
});
export const confirmSelectOk = defineMethod({ classId: 85, methodId: 11, name: 'confirm.select-ok', fields: [] });

export const confirmMethods = [confirmSelect, confirmSelectOk] as const;
