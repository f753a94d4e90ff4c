/**
 * DescribeLogDirs: one log directory, Hopper's data directory, with the size of each partition
 * of the topics asked for (all topics for null). Partitions have no lag (one replica, which is
 * the leader) and no future replica. v4 adds the volume's size and free space.
 */
import { statfs } from 'node:fs/promises';
import { DescribeLogDirs } from '../api/describe-log-dirs.js';
import { KafkaError } from '../codec/error-codes.js';
import { defineHandler } from '../server/handler.js';
import type { KafkaContext } from '../server/context.js';
import { mayDescribeCluster } from './cluster-access.js';

async function volume(dir: string): Promise<{ totalBytes: number; usableBytes: number }> {
  try {
    const s = await statfs(dir);
    return { totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
  } catch {
    return { totalBytes: -1, usableBytes: -1 };
  }
}

function describeTopic(kafka: KafkaContext, name: string, partitions: readonly number[] | null) {
  const topic = kafka.topic(name);
  if (!topic) return null;
  const indexes = partitions ?? Array.from({ length: topic.partitionCount }, (_, i) => i);
  return {
    name,
    partitions: indexes.filter((p) => p >= 0 && p < topic.partitionCount).map((p) => ({
      partitionIndex: p, partitionSize: topic.partition(p).sizeBytes, offsetLag: 0, isFutureKey: false,
    })),
  };
}

export const describeLogDirsHandler = defineHandler(DescribeLogDirs, async (req, { kafka, conn }) => {
  if (!mayDescribeCluster(conn)) return { throttleTimeMs: 0, errorCode: KafkaError.CLUSTER_AUTHORIZATION_FAILED, results: [] };
  const wanted = req.topics === null ? kafka.vhost.topicNames().sort().map((t) => ({ topic: t, partitions: null })) : req.topics;
  const topics = [];
  for (const t of wanted) {
    const d = describeTopic(kafka, t.topic, t.partitions);
    if (d !== null) topics.push(d);
  }
  const dir = kafka.broker.dataDir;
  return { throttleTimeMs: 0, errorCode: KafkaError.NONE, results: [{ errorCode: KafkaError.NONE, logDir: dir, topics, ...(await volume(dir)) }] };
});
