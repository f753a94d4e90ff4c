/** Logs each resource alarm as it is raised and cleared, with the figures that decided it. */
import type { AlarmKind, Alarms } from '../core/broker/alarms.js';
import type { Logger } from './logger.js';

export interface AlarmLimits {
  memoryHighWatermarkBytes: number;
  diskFreeLimitBytes: number;
}

export function logAlarms(alarms: Alarms, log: Logger, limits: AlarmLimits): () => void {
  let previous = new Set<AlarmKind>();
  const detail = (k: AlarmKind) =>
    k === 'memory'
      ? { rssBytes: process.memoryUsage.rss(), memoryHighWatermarkBytes: limits.memoryHighWatermarkBytes }
      : { diskFreeLimitBytes: limits.diskFreeLimitBytes };
  return alarms.subscribe((active) => {
    for (const k of active) {
      if (!previous.has(k)) log.warn(`${k} alarm raised: publishers are blocked`, { event: 'alarm.raised', alarm: k, ...detail(k) });
    }
    for (const k of previous) {
      if (!active.has(k)) log.info(`${k} alarm cleared${active.size === 0 ? ': publishers may go on' : ''}`, { event: 'alarm.cleared', alarm: k, ...detail(k) });
    }
    previous = new Set(active);
  });
}
