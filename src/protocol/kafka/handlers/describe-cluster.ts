/** DescribeCluster: one broker, which is also the controller. */
import { DescribeCluster } from '../api/describe-cluster.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const describeClusterHandler = defineHandler(DescribeCluster, (req, { kafka }) => ({
  throttleTimeMs: 0,
  errorCode: req.endpointType === 1 ? KafkaError.NONE : KafkaError.UNSUPPORTED_ENDPOINT_TYPE,
  errorMessage: null,
  endpointType: req.endpointType,
  clusterId: kafka.clusterId,
  controllerId: kafka.node.nodeId,
  brokers: [{ brokerId: kafka.node.nodeId, host: kafka.node.host, port: kafka.node.port, rack: null }],
}));
