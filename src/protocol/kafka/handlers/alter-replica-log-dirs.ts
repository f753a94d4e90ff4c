/**
 * AlterReplicaLogDirs: Hopper has one log directory, its data directory, so the only move there
 * is, to the directory a replica is already in, succeeds at once, as in Kafka. Any other path is
 * LOG_DIR_NOT_FOUND; a partition that does not exist is REPLICA_NOT_AVAILABLE.
 */
import { resolve } from 'node:path';
import { AlterReplicaLogDirs } from '../api/alter-replica-log-dirs.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import { mayAlterCluster } from './cluster-access.js';

export const alterReplicaLogDirsHandler = defineHandler(AlterReplicaLogDirs, (req, { kafka, conn }) => {
  const byTopic = new Map<string, { partitionIndex: number; errorCode: number }[]>();
  const allowed = mayAlterCluster(conn);
  for (const d of req.dirs) {
    const known = d.path !== '' && resolve(d.path) === kafka.broker.dataDir;
    for (const t of d.topics) {
      let results = byTopic.get(t.name);
      if (!results) byTopic.set(t.name, (results = []));
      const topic = kafka.topic(t.name);
      for (const p of t.partitions) {
        let errorCode: number = KafkaError.NONE;
        if (!allowed) errorCode = KafkaError.CLUSTER_AUTHORIZATION_FAILED;
        else if (!known) errorCode = KafkaError.LOG_DIR_NOT_FOUND;
        else if (!topic || p < 0 || p >= topic.partitionCount) errorCode = KafkaError.REPLICA_NOT_AVAILABLE;
        results.push({ partitionIndex: p, errorCode });
      }
    }
  }
  return { throttleTimeMs: 0, results: [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions })) };
});
