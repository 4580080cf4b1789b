/**
 * Opening the TCP (or TLS) socket of a connection, with its own timeout, and telling network
 * failures (retriable) from TLS handshake failures (not retriable) apart.
 *
 * @module
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions as TlsConnectionOptions, connect as tlsConnect } from 'node:tls';
import { ConnectionError, SslAuthenticationError, type TransportErrorContext } from './errors.js';
import type { SslOption } from './options.js';

/** Socket error codes that mean the network, not TLS, failed. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/**
 * The transport error for a socket error: a {@link SslAuthenticationError} when it happened in
 * the TLS handshake for a reason other than the network (certificate not trusted, wrong host
 * name, ...), else a retriable {@link ConnectionError}.
 */
export function socketError(e: Error, duringTlsHandshake: boolean, context: TransportErrorContext): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const ctx = { ...context, cause: e };
  if (duringTlsHandshake && (code === undefined || !NETWORK_CODES.has(code))) {
    return new SslAuthenticationError(`TLS handshake failed: ${e.message}`, ctx);
  }
  return new ConnectionError(`connection failed: ${e.message}`, ctx);
}

/** What {@link openSocket} needs. */
export interface OpenSocketOptions {
  /** The broker's host. */
  host: string;
  /** The broker's port. */
  port: number;
  /** TLS, if any: `true` or Node's `tls.connect` options. */
  ssl: SslOption | undefined;
  /** How long the TCP connect (and TLS handshake) may take. */
  timeoutMs: number;
  /** For errors. */
  context: TransportErrorContext;
  /** The error to fail with when the socket closes before it is up (e.g. closed by the client). */
  closedError(): Error;
  /**
   * For a plain TCP socket, Node's `onread`: reads go into the buffer `buffer()` returns and
   * `callback(n)` is told of each. TLS sockets ignore it (their bytes come in 'data' events).
   */
  onread?: { buffer: () => Buffer; callback: (n: number) => boolean };
}

/**
 * Starts connecting. `socket` is there at once (so the caller can destroy it); `ready` resolves
 * once it is connected (and the TLS session is up), or rejects with a typed error, the socket
 * destroyed.
 */
export function openSocket(o: OpenSocketOptions): { socket: Socket; ready: Promise<void> } {
  const { host, port, ssl } = o;
  let socket: Socket;
  if (ssl) {
    const tlsOptions: TlsConnectionOptions = ssl === true ? {} : ssl;
    // SNI takes host names only.
    const servername = tlsOptions.servername ?? (isIP(host) === 0 ? host : undefined);
    socket = tlsConnect({ ...tlsOptions, host, port, ...(servername === undefined ? {} : { servername }) });
  } else {
    socket = netConnect(o.onread ? { host, port, onread: o.onread } : { host, port });
  }
  const ready = new Promise<void>((resolve, reject) => {
    const readyEvent = ssl ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => {
      fail(new ConnectionError(`connecting timed out after ${o.timeoutMs} ms`, o.context));
    }, o.timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off(readyEvent, onReady);
    };
    const fail = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onError = (e: Error): void => fail(socketError(e, Boolean(ssl), o.context));
    const onClose = (): void => fail(o.closedError());
    const onReady = (): void => {
      cleanup();
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      resolve();
    };
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once(readyEvent, onReady);
  });
  return { socket, ready };
}
