/** ListPartitionReassignments: a reassignment on one node completes when it is made, so none is ever in progress. */
import { ListPartitionReassignments } from '../api/list-partition-reassignments.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { mayDescribeCluster } from './cluster-access.js';

export const listPartitionReassignmentsHandler = defineHandler(ListPartitionReassignments, (_req, { conn }) => ({
  throttleTimeMs: 0,
  errorCode: mayDescribeCluster(conn) ? KafkaError.NONE : KafkaError.CLUSTER_AUTHORIZATION_FAILED,
  errorMessage: null,
  topics: [],
}));
