/** What every connection of one AMQP listener shares. */
import type { Broker } from '../../../core/broker/broker.js';
import type { Logger } from '../../../server/logger.js';
import { DirectReplyRegistry } from '../channel/direct-reply.js';
import { defaultAmqpEndpointOptions, type AmqpEndpointOptions } from './options.js';

export class EndpointContext {
  readonly options: AmqpEndpointOptions;
  readonly replyTo = new DirectReplyRegistry();
  private connectionSeq = 0;

  constructor(
    readonly broker: Broker,
    readonly logger: Logger,
    options: Partial<AmqpEndpointOptions> = {},
  ) {
    this.options = { ...defaultAmqpEndpointOptions, ...options };
  }

  /** Largest message body accepted (the broker's limit): bigger content headers get 406. */
  get maxMessageBytes(): number {
    return this.broker.ctx.maxMessageBytes;
  }

  nextConnectionId(): string {
    return `amqp-${++this.connectionSeq}-${process.pid}-${Date.now().toString(36)}`;
  }
}
