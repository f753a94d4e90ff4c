/**
 * SaslHandshake: PLAIN (checked by Broker.login) and SCRAM-SHA-256 / SCRAM-SHA-512 (checked
 * against the credentials stored when the password was set; see core/auth/scram.ts).
 */
import { SaslHandshake } from '../api/sasl-handshake.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

export const saslHandshakeHandler = defineHandler(SaslHandshake, (req, { conn }) => {
  const ok = SASL_MECHANISMS.includes(req.mechanism);
  conn.saslMechanism = ok ? req.mechanism : null;
  conn.scram = null;
  return { errorCode: ok ? KafkaError.NONE : KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms: SASL_MECHANISMS };
});
