/** A group request refused with a Kafka error code (and the message Kafka would give). */
export class GroupFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
