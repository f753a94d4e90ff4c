/**
 * ElectLeaders: this node leads every partition and is every partition's preferred (and only)
 * replica, so an election is never needed: ELECTION_NOT_NEEDED for each existing partition, as a
 * one-broker Kafka answers, UNKNOWN_TOPIC_OR_PARTITION for the others. For all partitions (null)
 * the answer lists none, as Kafka leaves out partitions that already have their leader.
 */
import { ElectLeaders } from '../api/elect-leaders.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { mayAlterCluster } from './cluster-access.js';

const PREFERRED = 0;
const UNCLEAN = 1;

export const electLeadersHandler = defineHandler(ElectLeaders, (req, { kafka, conn }) => {
  const allowed = mayAlterCluster(conn);
  const validType = req.electionType === PREFERRED || req.electionType === UNCLEAN;
  const results = (req.topicPartitions ?? []).map((t) => {
    const topic = kafka.topic(t.topic);
    return {
      topic: t.topic,
      partitionResult: [...new Set(t.partitions)].map((p) => {
        let errorCode: number = KafkaError.ELECTION_NOT_NEEDED;
        let errorMessage: string | null = null;
        if (!allowed) errorCode = KafkaError.CLUSTER_AUTHORIZATION_FAILED;
        else if (!validType) [errorCode, errorMessage] = [KafkaError.INVALID_REQUEST, `Unknown election type ${req.electionType}`];
        else if (!topic || p < 0 || p >= topic.partitionCount) [errorCode, errorMessage] = [KafkaError.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.'];
        return { partitionId: p, errorCode, errorMessage };
      }),
    };
  });
  return { throttleTimeMs: 0, errorCode: allowed ? KafkaError.NONE : KafkaError.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: results };
});
