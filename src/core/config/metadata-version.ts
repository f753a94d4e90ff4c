/**
 * Kafka's version strings for message.format.version (its MetadataVersion list as of 3.9):
 * "0.10.0-IV1", "3.9-IV0", a release alone ("0.10.0", "2.8") for its latest production level,
 * or a longer release ("0.10.0.1", "2.8.1") read as its first three ("0.") or two segments.
 */
import type { Validator } from './def.js';

/** Release → its internal versions (an empty list: the release alone is the version). */
const releases: Record<string, number> = {
  '0.8.0': 0, '0.8.1': 0, '0.8.2': 0, '0.9.0': 0,
  '0.10.0': 2, '0.10.1': 3, '0.10.2': 1, '0.11.0': 3,
  '1.0': 1, '1.1': 1, '2.0': 2, '2.1': 3, '2.2': 2, '2.3': 2, '2.4': 2, '2.5': 1, '2.6': 1, '2.7': 3, '2.8': 2,
  '3.0': 2, '3.1': 1, '3.2': 1, '3.3': 4, '3.4': 1, '3.5': 3, '3.6': 3, '3.7': 5, '3.8': 1, '3.9': 1,
};
/** Releases past Kafka 3.9's latest production level: only their IVs are valid names. */
const unreleased: Record<string, number> = { '4.0': 2 };

const known = new Set<string>();
for (const [release, ivs] of Object.entries(releases)) {
  known.add(release);
  for (let i = 0; i < ivs; i++) known.add(`${release}-IV${i}`);
}
for (const [release, ivs] of Object.entries(unreleased)) for (let i = 0; i < ivs; i++) known.add(`${release}-IV${i}`);

export function isMetadataVersion(text: string): boolean {
  const segments = text.split('.');
  const keep = text.startsWith('0.') ? 3 : 2;
  return known.has(keep >= segments.length ? text : segments.slice(0, keep).join('.'));
}

export const validateMetadataVersion: Validator = (v, fail) => {
  if (!isMetadataVersion(v as string)) fail(`Version ${String(v)} is not a valid version`);
};
