/**
 * The contract between the Router and an exchange type. A type owns the index of its
 * exchange's bindings and answers "which destinations match this message"; the Router owns
 * everything else (binding identity, e2e, alternate exchanges, deduplication).
 */
import type { Message } from '../message.js';
import type { Arguments } from './arguments.js';
import type { DestNode, RouteSink } from './destination.js';

export interface BindingIndex<Token = unknown> {
  /** Adds one binding; the returned token is handed back to `remove`. */
  add(routingKey: string, args: Arguments, dest: DestNode): Token;
  remove(token: Token): void;
  /**
   * Calls sink.add for every destination of a matching binding, at least once each (duplicates
   * are fine: the sink drops them). Runs once per message per exchange: must not allocate
   * per binding.
   */
  route(routingKey: string, message: Message, sink: RouteSink): void;
}

export interface ExchangeType {
  readonly name: string;
  /** Throws HopperError INVALID_ARGUMENT if a binding's key or arguments make no sense for the type. */
  validateBinding(routingKey: string, args: Arguments): void;
  createIndex(): BindingIndex;
}
