/** The AMQP 0-9-1 endpoint: listener, connection and channel state machines, mappings. */
export { listenAmqp, type AmqpListener, type AmqpListenerOptions } from './server/listener.js';
export { defaultAmqpEndpointOptions, type AmqpEndpointOptions } from './server/options.js';
export { AmqpConnection } from './connection/connection.js';
export type { Transport } from './connection/transport.js';
