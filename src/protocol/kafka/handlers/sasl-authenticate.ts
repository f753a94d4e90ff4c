/**
 * SaslAuthenticate with PLAIN (RFC 4616): [authzid] NUL authcid NUL passwd, one round trip; or
 * SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677): client-first → server-first, then
 * client-final → server-final, two round trips. A success binds a Session (the user's
 * permissions on the endpoint's vhost) to the connection; every later topic operation is
 * checked through it.
 */
import { isScramMechanism, ScramError } from '../../../core/auth/scram.js';
import { Session } from '../../../core/broker/session.js';
import { SaslAuthenticate } from '../api/sasl-authenticate.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { errorMessage } from '../server/context.js';

const EMPTY = Buffer.alloc(0);

export const saslAuthenticateHandler = defineHandler(SaslAuthenticate, async (req, { kafka, conn }) => {
  const fail = (errorCode: number, message: string) => {
    // Kafka closes the connection after a failed authentication.
    conn.closeAfterResponse = true;
    conn.scram = null;
    return { errorCode, errorMessage: message, authBytes: EMPTY, sessionLifetimeMs: 0 };
  };
  const ok = (authBytes: Buffer) => ({ errorCode: KafkaError.NONE, errorMessage: null, authBytes, sessionLifetimeMs: 0 });
  if (conn.session) return fail(KafkaError.ILLEGAL_SASL_STATE, 'already authenticated');
  const mechanism = conn.saslMechanism;
  if (isScramMechanism(mechanism)) {
    const access = kafka.broker.access;
    try {
      if (conn.scram === null) {
        conn.scram = access.scramServer(mechanism);
        return ok(Buffer.from(conn.scram.clientFirst(req.authBytes), 'utf8'));
      }
      const { serverFinal, user } = await access.scramFinal(conn.scram, req.authBytes, { peerAddress: conn.remoteAddress });
      conn.scram = null;
      conn.session = Session.forUser(kafka.broker, access.authenticatedUser(user), { vhost: kafka.options.vhost, peerAddress: conn.remoteAddress });
      return ok(Buffer.from(serverFinal, 'utf8'));
    } catch (e) {
      return fail(KafkaError.SASL_AUTHENTICATION_FAILED, e instanceof ScramError ? `${mechanism}: ${e.message}` : errorMessage(e));
    }
  }
  if (mechanism !== 'PLAIN') return fail(KafkaError.ILLEGAL_SASL_STATE, 'SaslHandshake with a supported mechanism must come first');
  const parts = req.authBytes.toString('utf8').split('\u0000');
  if (parts.length !== 3) return fail(KafkaError.SASL_AUTHENTICATION_FAILED, 'malformed PLAIN message');
  const [, user, password] = parts as [string, string, string];
  try {
    conn.session = await kafka.broker.login({ user, password, vhost: kafka.options.vhost, peerAddress: conn.remoteAddress });
  } catch (e) {
    return fail(KafkaError.SASL_AUTHENTICATION_FAILED, errorMessage(e));
  }
  return ok(EMPTY);
});
