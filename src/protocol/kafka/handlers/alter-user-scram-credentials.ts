/**
 * AlterUserScramCredentials: sets (upsertions) or deletes SCRAM credentials of Hopper users,
 * durably, with Kafka's checks (mechanism, 4096..16384 iterations, one change per user and
 * mechanism). The client sends the salt and SaltedPassword; Hopper keeps StoredKey and
 * ServerKey derived from them, never the salted password. A user that does not exist is
 * created, without a password (it logs in with SCRAM only) and with full permissions on the
 * Kafka vhost, as a Kafka user is authorized to everything without ACLs.
 */
import { HopperError } from '../../../core/errors.js';
import { scramCredentialFromSalted } from '../../../core/auth/scram.js';
import { AlterUserScramCredentials } from '../api/alter-user-scram-credentials.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { errorMessage, kafkaCode } from '../server/context.js';
import { mayAlterScram, scramMechanismOf } from './scram-users.js';

/** Kafka's bounds on SCRAM iteration counts (ScramMechanism's min and max). */
const ITERATIONS_MIN = 4096;
const ITERATIONS_MAX = 16384;

interface Change {
  mechanism: number;
  iterations?: number;
  salt?: Buffer;
  saltedPassword?: Buffer;
}

function refusal(change: Change, deletion: boolean): [number, string] | null {
  if (scramMechanismOf(change.mechanism) === null) return [KafkaError.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'];
  if (deletion) return null;
  if (change.iterations! < ITERATIONS_MIN) return [KafkaError.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'];
  if (change.iterations! > ITERATIONS_MAX) return [KafkaError.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'];
  return null;
}

export const alterUserScramCredentialsHandler = defineHandler(AlterUserScramCredentials, async (req, { kafka, conn }) => {
  const byUser = new Map<string, { change: Change; deletion: boolean }[]>();
  for (const d of req.deletions) (byUser.get(d.name) ?? byUser.set(d.name, []).get(d.name)!).push({ change: d, deletion: true });
  for (const u of req.upsertions) (byUser.get(u.name) ?? byUser.set(u.name, []).get(u.name)!).push({ change: u, deletion: false });
  const results: { user: string; errorCode: number; errorMessage: string | null }[] = [];
  // Users are changed concurrently, so that their catalogue saves coalesce.
  await Promise.all([...byUser].map(async ([user, changes]) => {
    const answer = (errorCode: number, message: string | null) => void results.push({ user, errorCode, errorMessage: message });
    if (!mayAlterScram(conn, kafka)) return answer(KafkaError.CLUSTER_AUTHORIZATION_FAILED, 'changing SCRAM credentials needs a login as a user with the administrator tag');
    if (user === '') return answer(KafkaError.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty');
    const mechanisms = changes.map((c) => c.change.mechanism);
    if (new Set(mechanisms).size !== mechanisms.length) return answer(KafkaError.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request');
    const bad = changes.map((c) => refusal(c.change, c.deletion)).find((r) => r !== null);
    if (bad) return answer(bad[0], bad[1]);
    try {
      // Checked first, so that a request is applied to a user wholly or not at all.
      for (const { change, deletion } of changes) {
        if (deletion && kafka.broker.access.user(user)?.scram?.[scramMechanismOf(change.mechanism)!] === undefined) {
          throw new HopperError('NOT_FOUND', 'Attempt to delete a user credential that does not exist');
        }
      }
      const credentials = changes.map(({ change, deletion }) => {
        const mechanism = scramMechanismOf(change.mechanism)!;
        if (deletion) return { mechanism, credential: null };
        try {
          return { mechanism, credential: scramCredentialFromSalted(mechanism, change.salt!, change.iterations!, change.saltedPassword!) };
        } catch (e) {
          throw new HopperError('INVALID_ARGUMENT', errorMessage(e));
        }
      });
      let created = false;
      for (const c of credentials) created = (await kafka.broker.access.setScramCredential(user, c.mechanism, c.credential)).created || created;
      if (created) await kafka.broker.access.setPermissions(user, kafka.options.vhost, { configure: '.*', write: '.*', read: '.*' });
      answer(KafkaError.NONE, null);
    } catch (e) {
      const code = e instanceof HopperError && e.code === 'NOT_FOUND' ? KafkaError.RESOURCE_NOT_FOUND
        : e instanceof HopperError && (e.code === 'INVALID_ARGUMENT' || e.code === 'INVALID_NAME') ? KafkaError.UNACCEPTABLE_CREDENTIAL : kafkaCode(e);
      answer(code, errorMessage(e));
    }
  }));
  // In the order the users were first named, as the request listed them.
  const order = [...byUser.keys()];
  results.sort((a, b) => order.indexOf(a.user) - order.indexOf(b.user));
  return { throttleTimeMs: 0, results };
});
