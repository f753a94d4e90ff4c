/** SaslHandshake: PLAIN is the one mechanism served (credentials checked by Broker.login). */
import { SaslHandshake } from '../api/sasl-handshake.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const SASL_MECHANISMS = ['PLAIN'];

export const saslHandshakeHandler = defineHandler(SaslHandshake, (req, { conn }) => {
  const ok = SASL_MECHANISMS.includes(req.mechanism);
  conn.saslMechanism = ok ? req.mechanism : null;
  return { errorCode: ok ? KafkaError.NONE : KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms: SASL_MECHANISMS };
});
