import { KafkaClientError } from '@tskafka/protocol';

/** An error the command reports as one line on stderr, with a non-zero exit code. Not retriable. */
export class CliError extends KafkaClientError {
  /** The process exit code. */
  readonly exitCode: number;

  /** `message` is printed as is; `exitCode` defaults to 1. */
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
