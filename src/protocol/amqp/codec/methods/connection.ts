/** Class connection (10), with RabbitMQ's blocked/unblocked and update-secret extensions. */
import { defineMethod } from './types.js';

const C = 10;

export const connectionStart = defineMethod({
  classId: C, methodId: 10, name: 'connection.start', synchronous: true,
  fields: [
    { name: 'versionMajor', type: 'octet', default: 0 },
    { name: 'versionMinor', type: 'octet', default: 9 },
    { name: 'serverProperties', type: 'table' },
    { name: 'mechanisms', type: 'longstr' },
    { name: 'locales', type: 'longstr' },
  ],
});

export const connectionStartOk = defineMethod({
  classId: C, methodId: 11, name: 'connection.start-ok',
  fields: [
    { name: 'clientProperties', type: 'table' },
    { name: 'mechanism', type: 'shortstr', default: 'PLAIN' },
    { name: 'response', type: 'longstr' },
    { name: 'locale', type: 'shortstr', default: 'en_US' },
  ],
});

export const connectionSecure = defineMethod({
  classId: C, methodId: 20, name: 'connection.secure', synchronous: true,
  fields: [{ name: 'challenge', type: 'longstr' }],
});

export const connectionSecureOk = defineMethod({
  classId: C, methodId: 21, name: 'connection.secure-ok',
  fields: [{ name: 'response', type: 'longstr' }],
});

const tuneFields = [
  { name: 'channelMax', type: 'short', default: 0 },
  { name: 'frameMax', type: 'long', default: 0 },
  { name: 'heartbeat', type: 'short', default: 0 },
] as const;

export const connectionTune = defineMethod({ classId: C, methodId: 30, name: 'connection.tune', synchronous: true, fields: tuneFields });
export const connectionTuneOk = defineMethod({ classId: C, methodId: 31, name: 'connection.tune-ok', fields: tuneFields });

export const connectionOpen = defineMethod({
  classId: C, methodId: 40, name: 'connection.open', synchronous: true,
  fields: [
    { name: 'virtualHost', type: 'shortstr', default: '/' },
    { name: 'capabilities', type: 'shortstr', default: '' }, // reserved-1
    { name: 'insist', type: 'bit', default: false }, // reserved-2
  ],
});

export const connectionOpenOk = defineMethod({
  classId: C, methodId: 41, name: 'connection.open-ok',
  fields: [{ name: 'knownHosts', type: 'shortstr', default: '' }], // reserved-1
});

/** Shared with channel.close: who failed (class-id/method-id of the offending method, or 0). */
export const closeFields = [
  { name: 'replyCode', type: 'short' },
  { name: 'replyText', type: 'shortstr', default: '' },
  { name: 'classId', type: 'short' },
  { name: 'methodId', type: 'short' },
] as const;

export const connectionClose = defineMethod({ classId: C, methodId: 50, name: 'connection.close', synchronous: true, fields: closeFields });
export const connectionCloseOk = defineMethod({ classId: C, methodId: 51, name: 'connection.close-ok', fields: [] });

export const connectionBlocked = defineMethod({
  classId: C, methodId: 60, name: 'connection.blocked',
  fields: [{ name: 'reason', type: 'shortstr', default: '' }],
});
export const connectionUnblocked = defineMethod({ classId: C, methodId: 61, name: 'connection.unblocked', fields: [] });

export const connectionUpdateSecret = defineMethod({
  classId: C, methodId: 70, name: 'connection.update-secret', synchronous: true,
  fields: [
    { name: 'newSecret', type: 'longstr' },
    { name: 'reason', type: 'shortstr' },
  ],
});
export const connectionUpdateSecretOk = defineMethod({ classId: C, methodId: 71, name: 'connection.update-secret-ok', fields: [] });

export const connectionMethods = [
  connectionStart, connectionStartOk, connectionSecure, connectionSecureOk, connectionTune, connectionTuneOk,
  connectionOpen, connectionOpenOk, connectionClose, connectionCloseOk, connectionBlocked, connectionUnblocked,
  connectionUpdateSecret, connectionUpdateSecretOk,
] as const;
