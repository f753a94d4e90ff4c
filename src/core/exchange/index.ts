/** Routing: exchanges, bindings and the per-vhost Router. */
export { Router, type RouterOptions, type DeclareOptions, type DeleteExchangeOptions, type BindingInfo } from './router.js';
export type { ExchangeSpec, ExchangeInfo } from './exchange.js';
export type { Destination, DestinationKind } from './destination.js';
export { argumentsEqual, typedValueMatches, noArguments, type Arguments } from './arguments.js';
export { defaultExchangeName, defaultExchangeResourceName, predeclaredExchanges } from './defaults.js';
export { exchangeType, exchangeTypeNames, registerExchangeType } from './types.js';
export type { ExchangeType, BindingIndex } from './exchange-type.js';
