import { isRetriable, KafkaClientError } from '@tskafka/protocol';

/**
 * An error a handler turns into a Kafka error code in its response. Thrown by the cluster state
 * and the partition layer; never escapes to the connection. Retriable when Kafka's table says its
 * code is (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, ...), as the client receiving it will see it.
 */
export class ApiError extends KafkaClientError {
  /** The Kafka error code to answer with. */
  readonly code: number;

  /** `code` is a Kafka error code; `message` goes into the response's error message where it has one. */
  constructor(code: number, message: string) {
    super(message, { retriable: isRetriable(code) });
    this.code = code;
  }
}

/** The Kafka error code for anything thrown inside a handler: ApiError's own, else UNKNOWN_SERVER_ERROR. */
export function errorCodeOf(e: unknown): number {
  return e instanceof ApiError ? e.code : -1;
}
