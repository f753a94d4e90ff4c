/**
 * DescribeUserScramCredentials (key 50): the SCRAM mechanisms and iteration counts each user has
 * credentials for (KIP-554), never the credentials.
 *
 * Served: v0 (its only version; flexible).
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DescribeUserScramCredentials = defineApi({
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 0,
  request: struct({
    users: field(array(struct({
      name: field('string', '0+'),
    })), '0+', { nullable: '0+' }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+' }),
    results: field(array(struct({
      user: field('string', '0+'),
      errorCode: field('int16', '0+'),
      errorMessage: field('string', '0+', { nullable: '0+' }),
      credentialInfos: field(array(struct({
        mechanism: field('int8', '0+'),
        iterations: field('int32', '0+'),
      })), '0+'),
    })), '0+'),
  }),
});

export type DescribeUserScramCredentialsRequest = RequestOf<typeof DescribeUserScramCredentials>;
export type DescribeUserScramCredentialsResponse = ResponseOf<typeof DescribeUserScramCredentials>;
export type DescribeUserScramCredentialsResponseInput = ResponseInputOf<typeof DescribeUserScramCredentials>;
