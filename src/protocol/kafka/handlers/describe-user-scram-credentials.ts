/**
 * DescribeUserScramCredentials: the mechanisms and iteration counts of users' SCRAM credentials,
 * every user that has one when no users are named; a named user without one is
 * RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE, as in Kafka.
 */
import { scramMechanisms } from '../../../core/auth/scram.js';
import { DescribeUserScramCredentials } from '../api/describe-user-scram-credentials.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import type { KafkaContext } from '../server/context.js';
import { mayDescribeScram, scramMechanismIds } from './scram-users.js';

function credentialInfos(kafka: KafkaContext, name: string) {
  const scram = kafka.broker.access.user(name)?.scram ?? {};
  return scramMechanisms.filter((m) => scram[m] !== undefined).map((m) => ({ mechanism: scramMechanismIds[m], iterations: scram[m]!.iterations }));
}

export const describeUserScramCredentialsHandler = defineHandler(DescribeUserScramCredentials, (req, { kafka, conn }) => {
  if (!mayDescribeScram(conn)) {
    return { throttleTimeMs: 0, errorCode: KafkaError.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'describing SCRAM users needs the administrator or monitoring tag', results: [] };
  }
  const ok = { errorCode: KafkaError.NONE, errorMessage: null };
  if (req.users === null || req.users.length === 0) {
    const results = kafka.broker.catalogue.listUsers()
      .map((u) => ({ user: u.name, ...ok, credentialInfos: credentialInfos(kafka, u.name) }))
      .filter((r) => r.credentialInfos.length > 0);
    return { throttleTimeMs: 0, ...ok, results };
  }
  const counts = new Map<string, number>();
  for (const u of req.users) counts.set(u.name, (counts.get(u.name) ?? 0) + 1);
  const results = [...counts].map(([user, n]) => {
    if (n > 1) return { user, errorCode: KafkaError.DUPLICATE_RESOURCE, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request', credentialInfos: [] };
    const credentialInfos_ = credentialInfos(kafka, user);
    if (credentialInfos_.length === 0) return { user, errorCode: KafkaError.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist', credentialInfos: [] };
    return { user, ...ok, credentialInfos: credentialInfos_ };
  });
  return { throttleTimeMs: 0, ...ok, results };
});
