/**
 * What an API handler is: one per API key (handlers/*.ts), each answering every version it
 * advertises, plus Kafka's `getErrorResponse`: the response that carries one error code for the
 * whole request, used for UNSUPPORTED_VERSION, injected faults and unexpected failures.
 */
import type { ApiDef, MessageInput, MessageValue, RequestHeader } from '@tskafka/protocol/internals';
import type { BrokerNode } from './broker.js';
import type { Connection } from './connection.js';
import type { ReadBufferLease } from './log/read-buffers.js';

/** Returned by a handler that must not answer (Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no response');

/** What a handler is given besides the request body. */
export interface RequestContext {
  /** The broker handling the request. */
  readonly node: BrokerNode;
  /** The client connection. */
  readonly connection: Connection;
  /** The decoded request header. */
  readonly header: RequestHeader;
  /** The request's API version (the response uses the same). */
  readonly apiVersion: number;
  /** Wall-clock time when handling started, in ms. */
  readonly now: number;
  /**
   * Set by a handler when nothing it did keeps a view of the request's bytes (a Produce whose
   * records the log copied): the connection then reads later requests into the same memory.
   * Left unset, the request's memory is left to the garbage collector.
   */
  requestBytesReleased?: boolean;
  /**
   * Memory for what the handler reads from segment files into its response (Fetch): the
   * connection releases it once the response is written out, for the next fetch to read into.
   */
  readonly readBuffers?: ReadBufferLease;
}

/** A handler's answer: a response body, nothing (acks=0), or either later. */
export type HandlerResult<A extends ApiDef> =
  | MessageInput<A['response']>
  | typeof NO_RESPONSE
  | Promise<MessageInput<A['response']> | typeof NO_RESPONSE>;

/** The handler of one API. */
export interface ApiHandler<A extends ApiDef = ApiDef> {
  /** The API. */
  readonly api: A;
  /** Lowest version advertised in ApiVersions. */
  readonly minVersion: number;
  /** Highest version advertised in ApiVersions. */
  readonly maxVersion: number;
  /** Whether the API may be used before SASL authentication completes. */
  readonly beforeAuthentication?: boolean;
  /** Whether the client waits for a response (false for Produce with acks=0); default true. */
  expectsResponse?(request: MessageValue<A['request']>): boolean;
  /** Handles a request. */
  handle(ctx: RequestContext, request: MessageValue<A['request']>): HandlerResult<A>;
  /** A response carrying `errorCode` for everything the request asked about. */
  errorResponse(
    request: MessageValue<A['request']>,
    errorCode: number,
    ctx: RequestContext,
  ): MessageInput<A['response']>;
}

/** Declares a handler with its types tied to the API's schemas. */
export function defineHandler<A extends ApiDef>(handler: ApiHandler<A>): ApiHandler<A> {
  return handler;
}
