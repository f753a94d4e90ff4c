/** Direct exchange: a binding matches when its key equals the routing key. */
import type { ExchangeType, BindingIndex } from './exchange-type.js';
import type { DestNode, RouteSink } from './destination.js';

interface DirectToken {
  readonly key: string;
  readonly dest: DestNode;
}

class DirectIndex implements BindingIndex<DirectToken> {
  // A list per key, not a set: two bindings with the same key and destination but different
  // arguments are distinct bindings, and removing one must leave the other routing.
  private readonly byKey = new Map<string, DestNode[]>();

  add(key: string, _args: unknown, dest: DestNode): DirectToken {
    const list = this.byKey.get(key);
    if (list) list.push(dest);
    else this.byKey.set(key, [dest]);
    return { key, dest };
  }

  remove(token: DirectToken): void {
    const list = this.byKey.get(token.key);
    if (!list) return;
    const i = list.indexOf(token.dest);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(token.key);
  }

  route(key: string, _message: unknown, sink: RouteSink): void {
    const list = this.byKey.get(key);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) sink.add(list[i]!);
  }
}

export const directExchange: ExchangeType = {
  name: 'direct',
  validateBinding() {},
  createIndex: () => new DirectIndex(),
};
