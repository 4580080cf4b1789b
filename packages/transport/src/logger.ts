/**
 * A tiny logging interface, so the transport can say what it does without choosing a logging
 * library for the application. Pass any object with these four methods (pino and console fit).
 *
 * @module
 */

/** Receives the client's log lines. `context` holds structured fields (broker, API, error, ...). */
export interface Logger {
  /** Detail for debugging: connects, negotiated versions, metadata refreshes. */
  debug(message: string, context?: Record<string, unknown>): void;
  /** Notable events that need no action. */
  info(message: string, context?: Record<string, unknown>): void;
  /** Something went wrong and the client is coping (a broker unreachable, a retry). */
  warn(message: string, context?: Record<string, unknown>): void;
  /** Something went wrong that the client could not cope with. */
  error(message: string, context?: Record<string, unknown>): void;
}

/** Log levels, most verbose first; `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** A logger that drops everything. */
export const silentLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

function formatContext(context: Record<string, unknown> | undefined): string {
  if (context === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(context)) {
    if (v === undefined) continue;
    parts.push(`${k}=${v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/**
 * A logger that writes lines at `level` and above to stderr (the default logger uses `warn`), as
 * `[tskafka] WARN message key=value ...`.
 */
export function stderrLogger(level: LogLevel = 'warn', prefix = 'tskafka'): Logger {
  const min = RANK[level];
  const line =
    (name: Exclude<LogLevel, 'silent'>) =>
    (message: string, context?: Record<string, unknown>): void => {
      if (RANK[name] < min) return;
      process.stderr.write(`[${prefix}] ${name.toUpperCase()} ${message}${formatContext(context)}\n`);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
