/**
 * DescribeCluster (key 60): brokers, controller and cluster id (KIP-700).
 *
 * Served: v0-v1. v1 adds the endpoint type.
 */
import { defineApi, type RequestOf, type ResponseInputOf, type ResponseOf } from '../codec/api-def.js';
import { array, field, struct } from '../codec/schema.js';

export const DescribeCluster = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 0,
  request: struct({
    includeClusterAuthorizedOperations: field('bool', '0+'),
    endpointType: field('int8', '1+', { default: 1 }),
  }),
  response: struct({
    throttleTimeMs: field('int32', '0+'),
    errorCode: field('int16', '0+'),
    errorMessage: field('string', '0+', { nullable: '0+', default: null }),
    endpointType: field('int8', '1+', { default: 1 }),
    clusterId: field('string', '0+'),
    controllerId: field('int32', '0+', { default: -1 }),
    brokers: field(array(struct({
      brokerId: field('int32', '0+'),
      host: field('string', '0+'),
      port: field('int32', '0+'),
      rack: field('string', '0+', { nullable: '0+', default: null }),
    })), '0+'),
    clusterAuthorizedOperations: field('int32', '0+', { default: -2147483648 }),
  }),
});

export type DescribeClusterRequest = RequestOf<typeof DescribeCluster>;
export type DescribeClusterResponse = ResponseOf<typeof DescribeCluster>;
export type DescribeClusterResponseInput = ResponseInputOf<typeof DescribeCluster>;
