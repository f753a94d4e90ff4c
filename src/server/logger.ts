/**
 * A small leveled logger writing one line per event to stderr (stdout is for the start banner).
 *
 * An event is a message and optional fields (who, what, why). The text format appends the
 * fields as key=value (values with spaces or quotes are JSON-quoted); the JSON format writes one
 * object per line, {"time","level","msg",...fields}, for log collectors. Operator events carry
 * an `event` field with a stable name (connection.opened, login.failed, queue.deleted, ...;
 * the list is in the README) to filter on.
 */
export type Level = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';
const rank: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** Details of an event. Undefined values are left out. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

const PLAIN_VALUE = /^[^\s"=]+$/;

function textFields(fields: LogFields): string {
  let out = '';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    out += ` ${k}=${typeof v === 'string' && !PLAIN_VALUE.test(s) ? JSON.stringify(s) : s}`;
  }
  return out;
}

export function formatLine(format: LogFormat, time: Date, level: Level, msg: string, fields?: LogFields): string {
  if (format === 'json') return JSON.stringify({ time: time.toISOString(), level, msg, ...fields });
  return `${time.toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${fields ? textFields(fields) : ''}`;
}

export function createLogger(level: Level, write: (line: string) => void = (l) => process.stderr.write(l + '\n'), format: LogFormat = 'text'): Logger {
  const at = (l: Level) => (msg: string, fields?: LogFields) => {
    if (rank[l] <= rank[level]) write(formatLine(format, new Date(), l, msg, fields));
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A client's address as logs show it: address:port, IPv6 addresses in brackets. */
export function peerText(address: string, port: number | undefined): string {
  if (port === undefined) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
