/**
 * AlterUserScramCredentials (key 51): sets or deletes users' SCRAM credentials (KIP-554). The
 * client sends the salt and the salted password (PBKDF2 of the password), never the password.
 *
 * Served: v0 (its only version; flexible).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const AlterUserScramCredentials = defineApi({
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  request: struct({
    deletions: field(array(struct({
      name: field('string', '0+'),
      mechanism: field('int8', '0+'),
    })), '0+'),
    upsertions: field(array(struct({
      name: field('string', '0+'),
      mechanism: field('int8', '0+'),
      iterations: field('int32', '0+'),
      salt: field('bytes', '0+'),
      saltedPassword: field('bytes', '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    results: field(array(struct({
      user: field('string', '0+'),
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+' }),
    })), '0+'),
  }),
});

export type AlterUserScramCredentialsRequest = RequestOf<typeof AlterUserScramCredentials>;
export type AlterUserScramCredentialsResponse = ResponseOf<typeof AlterUserScramCredentials>;
export type AlterUserScramCredentialsResponseInput = ResponseInputOf<typeof AlterUserScramCredentials>;
