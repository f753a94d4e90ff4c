/**
 * AlterReplicaLogDirs (key 34): moves replicas between the broker's log directories.
 *
 * Served: v1-v2 (v0 removed by KIP-896). v2 is flexible.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const AlterReplicaLogDirs = defineApi({
  apiKey: 34,
  name: 'AlterReplicaLogDirs',
  minVersion: 1,
  maxVersion: 2,
  flexibleFrom: 2,
  request: struct({
    dirs: field(array(struct({
      path: field('string', '0+'),
      topics: field(array(struct({
        name: field('string', '0+'),
        partitions: field(array('int32'), '0+'),
      })), '0+'),
    })), '0+'),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    results: field(array(struct({
      topicName: field('string', '0+'),
      partitions: field(array(struct({
        partitionIndex: field('int32', '0+'),
        errorCode: field('int16', '0+'),
      })), '0+'),
    })), '0+'),
  }),
});

export type AlterReplicaLogDirsRequest = RequestOf<typeof AlterReplicaLogDirs>;
export type AlterReplicaLogDirsResponse = ResponseOf<typeof AlterReplicaLogDirs>;
export type AlterReplicaLogDirsResponseInput = ResponseInputOf<typeof AlterReplicaLogDirs>;
