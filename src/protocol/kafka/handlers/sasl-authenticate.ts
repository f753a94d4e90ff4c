/**
 * SaslAuthenticate with PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd. A success binds a
 * Session (the user's permissions on the endpoint's vhost) to the connection; every later
 * topic operation is checked through it.
 */
import { SaslAuthenticate } from '../api/sasl-authenticate.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { errorMessage } from '../server/context.js';

const EMPTY = Buffer.alloc(0);

export const saslAuthenticateHandler = defineHandler(SaslAuthenticate, async (req, { kafka, conn }) => {
  const fail = (errorCode: number, message: string) => {
    // Kafka closes the connection after a failed authentication.
    conn.closeAfterResponse = true;
    return { errorCode, errorMessage: message, authBytes: EMPTY, sessionLifetimeMs: 0 };
  };
  if (conn.saslMechanism !== 'PLAIN') return fail(KafkaError.ILLEGAL_SASL_STATE, 'SaslHandshake with mechanism PLAIN must come first');
  if (conn.session) return fail(KafkaError.ILLEGAL_SASL_STATE, 'already authenticated');
  const parts = req.authBytes.toString('utf8').split('\u0000');
  if (parts.length !== 3) return fail(KafkaError.SASL_AUTHENTICATION_FAILED, 'malformed PLAIN message');
  const [, user, password] = parts as [string, string, string];
  try {
    conn.session = await kafka.broker.login({ user, password, vhost: kafka.options.vhost, peerAddress: conn.remoteAddress });
  } catch (e) {
    return fail(KafkaError.SASL_AUTHENTICATION_FAILED, errorMessage(e));
  }
  return { errorCode: KafkaError.NONE, errorMessage: null, authBytes: EMPTY, sessionLifetimeMs: 0 };
});
