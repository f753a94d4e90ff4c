/**
 * Where a binding leads. A Router interns one DestNode per destination, so routing can
 * deduplicate with an epoch stamp on the node instead of allocating a Set per message, and the
 * `Destination` objects it returns are shared, frozen values (compare them by kind and name, or
 * by identity within one Router).
 */

export type DestinationKind = 'queue' | 'exchange' | 'topic';

export interface Destination {
  readonly kind: DestinationKind;
  readonly name: string;
}

/** The Router's interned, mutable record behind a Destination. Binding indexes hold these. */
export interface DestNode {
  readonly dest: Destination;
  /** Routing epoch in which this node was last emitted; equal to the current epoch = seen. */
  mark: number;
}

/** Collects the destinations an exchange type finds; duplicates are allowed and dropped. */
export interface RouteSink {
  add(node: DestNode): void;
}

export function destinationKey(d: Destination): string {
  return `${d.kind}\u0000${d.name}`;
}

export function formatDestination(d: Destination): string {
  return `${d.kind} ${JSON.stringify(d.name)}`;
}
