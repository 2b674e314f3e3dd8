import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

export type RouteParams = Record<string, string>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: RouteParams) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/** The most a webhook or form body may carry; Telegram updates are far smaller. */
const MAX_BODY_BYTES = 1 << 20;

export class BodyTooLargeError extends Error {}

/** Reads a request body up to a limit, as text. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
) {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

export const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');

/**
 * One HTTP server for webhooks, signed-link pages, /healthz and /metrics. A handful of fixed routes does not
 * need a framework: routes are `METHOD /path/:param` patterns matched in order.
 */
export class HttpServer {
  private readonly routes: Route[] = [];
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {
    this.server = createServer((req, res) => {
      const work = this.dispatch(req, res);
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    // Keep-alive sockets would hold close() open for their idle timeout.
    this.server.keepAliveTimeout = 5_000;
  }

  route(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== req.method && !(route.method === 'GET' && req.method === 'HEAD')) continue;
      const params: RouteParams = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      try {
        await route.handler(req, res, params);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          if (!res.headersSent) send(res, 413, 'Payload too large');
          return;
        }
        this.log.error({ err, path }, 'HTTP handler failed');
        if (!res.headersSent) send(res, 500, 'Internal error');
        else res.end();
      }
      return;
    }
    send(res, pathMatched ? 405 : 404, pathMatched ? 'Method not allowed' : 'Not found');
  }

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops taking connections, then waits for requests already being handled. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await Promise.allSettled([...this.inFlight]);
    await closed;
  }
}
