/** DescribeCluster: one broker, which is also the controller. */
import { DescribeCluster } from '../api/describe-cluster.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const describeClusterHandler = defineHandler(DescribeCluster, (req, { kafka, conn }) => ({
  throttleTimeMs: 0,
  errorCode: req.endpointType === 1 ? KafkaError.NONE : KafkaError.UNSUPPORTED_ENDPOINT_TYPE,
  errorMessage: null,
  endpointType: req.endpointType,
  clusterId: kafka.clusterId,
  controllerId: kafka.node.nodeId,
  // The address of the listener the request came in on, as Kafka answers.
  brokers: [{ brokerId: conn.listener.node.nodeId, host: conn.listener.node.host, port: conn.listener.node.port, rack: null }],
}));
