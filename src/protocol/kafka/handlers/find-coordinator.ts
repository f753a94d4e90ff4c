/** FindCoordinator: this node coordinates every group and transactional id; batched from v4. */
import { FindCoordinator } from '../api/find-coordinator.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';

export const findCoordinatorHandler = defineHandler(FindCoordinator, (req, { conn, version }) => {
  // The address of the listener the request came in on, as Kafka answers.
  const { nodeId, host, port } = conn.listener.node;
  // keyType 0: group, 1: transaction, 2: share (KIP-932; Kafka keys it "group:topicId:partition").
  const errorCode = req.keyType === 0 || req.keyType === 1 || req.keyType === 2 ? KafkaError.NONE : KafkaError.INVALID_REQUEST;
  const ok = errorCode === KafkaError.NONE;
  const keys = version >= 4 ? req.coordinatorKeys : [req.key];
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage: null,
    nodeId: ok ? nodeId : -1,
    host: ok ? host : '',
    port: ok ? port : -1,
    coordinators: keys.map((key) => ({ key, nodeId: ok ? nodeId : -1, host: ok ? host : '', port: ok ? port : -1, errorCode, errorMessage: null })),
  };
});
