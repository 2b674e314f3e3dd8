import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import type { Handler, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { RequestIdVariables } from 'hono/request-id';

/**
 * What a channel's HTTP routes (webhooks, the web answer pages) are written in. The app's one HTTP server
 * (src/http/server.ts) mounts them; it sits above the channels, so the shared words live here, below it.
 */

/** What every route sees: node's request and response (as bindings) and the request's id. */
export type HttpEnv = { Bindings: HttpBindings; Variables: RequestIdVariables };
export type HttpHandler = Handler<HttpEnv>;

/** The most a request body may carry: a webhook update is far smaller. Routes may lower it (forms). */
export const MAX_BODY_BYTES = 1 << 20;

/** A body over `maxSize` bytes is answered 413 before a handler reads it. */
export const limitBody = (maxSize: number): MiddlewareHandler =>
  bodyLimit({ maxSize, onError: (c) => c.text('Payload too large', 413) });

/**
 * Compares a secret header with the expected secret in constant time: both are hashed to equal-length digests
 * first, so the time taken says nothing about the length or content of a guess.
 */
export function secretMatcher(secret: string): (given: string | undefined) => boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = digest(secret);
  return (given) => given !== undefined && timingSafeEqual(digest(given), expected);
}
