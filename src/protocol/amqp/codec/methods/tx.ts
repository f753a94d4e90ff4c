/** Class tx (90): none of its methods has fields. */
import { defineMethod } from './types.js';

const C = 90;
export const txSelect = defineMethod({ classId: C, methodId: 10, name: 'tx.select', synchronous: true, fields: [] });
export const txSelectOk = defineMethod({ classId: C, methodId: 11, name: 'tx.select-ok', fields: [] });
export const txCommit = defineMethod({ classId: C, methodId: 20, name: 'tx.commit', synchronous: true, fields: [] });
export const txCommitOk = defineMethod({ classId: C, methodId: 21, name: 'tx.commit-ok', fields: [] });
export const txRollback = defineMethod({ classId: C, methodId: 30, name: 'tx.rollback', synchronous: true, fields: [] });
export const txRollbackOk = defineMethod({ classId: C, methodId: 31, name: 'tx.rollback-ok', fields: [] });

export const txMethods = [txSelect, txSelectOk, txCommit, txCommitOk, txRollback, txRollbackOk] as const;
