import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { type HttpEnv, limitBody, MAX_BODY_BYTES } from '../channels/routes.js';
import { type Clock, realClock } from '../clock.js';
import type { Logger } from '../logger.js';

export type HttpApp = Hono<HttpEnv>;

/** Whether every percent-escape in a URL decodes (`%`, `%E0%A4%A` and overlong UTF-8 do not). */
function wellEscaped(url: string): boolean {
  if (!url.includes('%')) return true;
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * The service's one HTTP app: every route sits behind a request id and the body limit. A request target that is
 * no URL is answered 400 by @hono/node-server before it reaches the app, and a URL with a broken percent-escape
 * 400 here (Hono would pass it on undecoded). Anything a route throws is logged once with the request id and
 * answered with a bare 500: no detail leaves the service.
 */
export function createHttpApp(log: Logger): HttpApp {
  const app = new Hono<HttpEnv>();
  app.use(requestId());
  app.use((c, next) => (wellEscaped(c.req.url) ? next() : Promise.resolve(c.text('Bad request', 400))));
  app.use(limitBody(MAX_BODY_BYTES));
  app.notFound((c) => c.text('Not found', 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    // A client that hangs up while its body is read is gone, not failed: nobody reads this answer.
    if (c.req.raw.signal.aborted) {
      log.debug(
        { requestId: c.get('requestId') },
        'The client closed the connection before its request was read',
      );
      return c.text('Bad request', 400);
    }
    // The route's pattern, not the path: an answer link's path is its bearer token.
    log.error(
      { err, requestId: c.get('requestId'), method: c.req.method, route: c.req.routePath },
      'HTTP handler failed',
    );
    return c.text('Internal error', 500);
  });
  return app;
}

/** `GET /metrics` for Prometheus; behind `Authorization: Bearer <token>` when a token is configured. */
export function metricsRoutes(
  registry: { metrics(): Promise<string>; contentType: string },
  token?: string,
): HttpApp {
  const routes = new Hono<HttpEnv>();
  if (token) routes.use('/metrics', bearerAuth({ token }));
  return routes.get('/metrics', async (c) =>
    c.body(await registry.metrics(), 200, {
      'content-type': registry.contentType,
      'cache-control': 'no-store',
    }),
  );
}

export interface HttpServer {
  port: number;
  /** The node:http server, for what Hono does not see (its own errors). */
  readonly node: Server;
  /** Stops taking connections, then waits (up to a grace period) for the requests being handled. */
  close(): Promise<void>;
}

/** How long `close` waits for requests in flight before cutting their connections. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Serves `app` on node:http. Resolves once listening, with the port (0 picks a free one). Errors of the server
 * itself once listening (accept failing on EMFILE) are logged: with no listener Node would throw them. The grace
 * a close gives requests in flight is real time unless a test passes its own clock.
 */
export async function listen(
  app: HttpApp,
  options: {
    port: number;
    /** Every interface unless given (tests: 127.0.0.1). */
    host?: string;
    log?: Logger;
    clock?: Clock;
  },
): Promise<HttpServer> {
  const { port, host = '0.0.0.0', log, clock = realClock } = options;
  const inFlight = new Set<Promise<unknown>>();
  const server = createAdaptorServer({
    // Served over HTTP/1 only: the bindings are node:http's request and response.
    fetch: (request, env) => {
      const work = Promise.resolve(app.fetch(request, env as HttpBindings));
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work)).catch(() => {});
      return work;
    },
    // An HTTP/1.0 request without a Host header is still served (health checkers send such).
    hostname: 'localhost',
  }) as Server;
  // Keep-alive sockets would hold close() open for their idle timeout.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (err) => log?.error({ err }, 'HTTP server error; still serving'));
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    node: server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const drained = new AbortController();
      void clock.sleep(CLOSE_GRACE_MS, drained.signal).then(
        () => server.closeAllConnections(),
        () => undefined,
      );
      try {
        await Promise.allSettled([...inFlight]);
        // Their keep-alive sockets are idle now.
        server.closeIdleConnections();
        await closed;
      } finally {
        drained.abort();
      }
    },
  };
}
