/** A logger for the cross-package tests that keeps what it is told to warn about. */
import type { Logger } from 'tskafka';

/** A {@link Logger} that keeps each warning's message, and the error it carried, if any. */
export interface CapturingLogger extends Logger {
  /** The warnings' messages, in order. */
  readonly warnings: string[];
  /** The `error` each warning carried, by message. */
  readonly causes: Map<string, unknown>;
}

/** A logger that keeps the warnings it is given and drops the rest. */
export function capturingLogger(): CapturingLogger {
  const warnings: string[] = [];
  const causes = new Map<string, unknown>();
  return {
    warnings,
    causes,
    debug: () => {},
    info: () => {},
    warn: (message, context) => {
      warnings.push(message);
      if (context?.error !== undefined) causes.set(message, context.error);
    },
    error: () => {},
  };
}
