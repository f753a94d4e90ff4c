/** Fanout exchange: every binding matches; routing keys are ignored. */
import type { ExchangeType, BindingIndex } from './exchange-type.js';
import type { DestNode, RouteSink } from './destination.js';

class FanoutIndex implements BindingIndex<DestNode> {
  // One entry per binding (not per destination), for the same reason as the direct index.
  private readonly dests: DestNode[] = [];

  add(_key: string, _args: unknown, dest: DestNode): DestNode {
    this.dests.push(dest);
    return dest;
  }

  remove(dest: DestNode): void {
    const i = this.dests.indexOf(dest);
    if (i >= 0) this.dests.splice(i, 1);
  }

  route(_key: string, _message: unknown, sink: RouteSink): void {
    const d = this.dests;
    for (let i = 0; i < d.length; i++) sink.add(d[i]!);
  }
}

export const fanoutExchange: ExchangeType = {
  name: 'fanout',
  validateBinding() {},
  createIndex: () => new FanoutIndex(),
};
