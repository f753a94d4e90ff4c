/**
 * An exchange's declared settings, their defaults and the redeclaration rule. What is compared
 * on redeclare follows RabbitMQ: type, durable, auto-delete, internal and the alternate
 * exchange; other arguments are not compared (clients that add an argument on a later
 * declare keep working, as they do against RabbitMQ).
 */
import { HopperError } from '../errors.js';
import { validateExchangeName } from '../names.js';
import { getArgument, noArguments, stringArgument, type Arguments } from './arguments.js';

export interface ExchangeSpec {
  name: string;
  /** direct, fanout, topic, headers, or a registered extension type. */
  type: string;
  /** Survives a restart (the catalogue stores it). Default false, as in AMQP. */
  durable?: boolean;
  /** Deleted when its last binding (as the source) is removed. Default false. */
  autoDelete?: boolean;
  /** Only reachable through e2e bindings and alternate-exchange links, never by publishing. */
  internal?: boolean;
  /**
   * Where messages go when this exchange's own bindings match nothing. Defaults to the
   * `alternate-exchange` argument, which is how AMQP clients set it.
   */
  alternateExchange?: string | null;
  arguments?: Arguments;
}

export interface ExchangeInfo {
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly alternateExchange: string | null;
  readonly arguments: Arguments;
}

export const alternateExchangeArgument = 'alternate-exchange';

/** Fills defaults and reads the alternate exchange from the arguments when not given. */
export function resolveExchangeSpec(spec: ExchangeSpec): ExchangeInfo {
  const args = spec.arguments ?? noArguments;
  let ae = spec.alternateExchange;
  if (ae === undefined) {
    const raw = getArgument(args, alternateExchangeArgument);
    if (raw !== undefined) {
      ae = stringArgument(args, alternateExchangeArgument);
      if (ae === undefined) throw new HopperError('INVALID_ARGUMENT', `invalid type '${raw.type}' for arg '${alternateExchangeArgument}'`);
    }
  }
  if (ae != null) validateExchangeName(ae);
  return {
    name: spec.name,
    type: spec.type,
    durable: spec.durable ?? false,
    autoDelete: spec.autoDelete ?? false,
    internal: spec.internal ?? false,
    alternateExchange: ae ?? null,
    arguments: args === noArguments ? args : { ...args },
  };
}

const comparedFields = ['type', 'durable', 'autoDelete', 'internal', 'alternateExchange'] as const;
const amqpFieldNames: Record<(typeof comparedFields)[number], string> = {
  type: 'type',
  durable: 'durable',
  autoDelete: 'auto_delete',
  internal: 'internal',
  alternateExchange: 'alternate-exchange',
};

/**
 * Throws INEQUIVALENT when a redeclaration differs from the existing exchange, with RabbitMQ
 * 3.10's text: "inequivalent arg 'type' for exchange 'x' in vhost '/': received 'fanout' but
 * current is 'direct'"; for an alternate exchange on one side only, "received none but current
 * is the value 'a' of type 'longstr'".
 */
export function assertEquivalent(vhost: string, current: ExchangeInfo, wanted: ExchangeInfo): void {
  for (const f of comparedFields) {
    const cur = current[f];
    const rec = wanted[f];
    if (cur === rec) continue;
    const side = (v: string | boolean | null, info: ExchangeInfo) =>
      v === null ? 'none' : f === 'alternateExchange' ? `the value '${v}' of type '${aeTypeName(info)}'` : `'${v}'`;
    const both = cur !== null && rec !== null;
    throw new HopperError(
      'INEQUIVALENT',
      `inequivalent arg '${amqpFieldNames[f]}' for exchange '${current.name}' in vhost '${vhost}': ` +
        `received ${both ? `'${rec}'` : side(rec, wanted)} but current is ${both ? `'${cur}'` : side(cur, current)}`,
    );
  }
}

/** RabbitMQ's name for the alternate-exchange argument's field type. */
function aeTypeName(x: ExchangeInfo): string {
  return getArgument(x.arguments, alternateExchangeArgument)?.type === 'bytes' ? 'binary' : 'longstr';
}
