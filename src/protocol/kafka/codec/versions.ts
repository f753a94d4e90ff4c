/**
 * Version ranges as Kafka's message definitions write them: "0+", "3-7", "5", "none".
 * Parsed once, when a schema is compiled for a version, never per message.
 */
export interface VersionRange {
  readonly min: number;
  /** Infinity for an open range ("3+"). */
  readonly max: number;
}

const NONE: VersionRange = Object.freeze({ min: 1, max: 0 });

export function parseVersions(s: string): VersionRange {
  if (s === 'none') return NONE;
  const open = /^(\d+)\+$/.exec(s);
  if (open) return { min: Number(open[1]), max: Infinity };
  const span = /^(\d+)-(\d+)$/.exec(s);
  if (span) return { min: Number(span[1]), max: Number(span[2]) };
  if (/^\d+$/.test(s)) return { min: Number(s), max: Number(s) };
  throw new Error(`bad version range ${JSON.stringify(s)}`);
}

export function inVersions(s: string | undefined, version: number): boolean {
  if (s === undefined) return false;
  const r = parseVersions(s);
  return version >= r.min && version <= r.max;
}
