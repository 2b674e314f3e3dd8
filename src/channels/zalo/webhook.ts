import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send, sendJson } from '../../http/server.js';
import type { Logger } from '../../logger.js';
import type { ZaloBot } from './client.js';
import { ZaloError } from './errors.js';

/** Zalo sends the `secret_token` given to setWebhook in this header (lower-cased, as node:http presents it). */
export const ZALO_SECRET_HEADER = 'x-bot-api-secret-token';

/** Equal-length digests, so the comparison takes the same time whatever the length or content of a guess. */
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The Zalo webhook endpoint for node:http (e.g. `HttpServer.route('POST', path, handler)`): checks the secret,
 * answers 200 at once, and hands the update to `bot.processUpdate` afterwards, which validates it and drops
 * echoes and repeats. The body may be a bare update or wrapped as `{ ok, result }`.
 */
export function createZaloWebhookHandler(options: { bot: ZaloBot; secret: string; log: Logger }) {
  const { bot, log } = options;
  const expected = digest(options.secret);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const given = req.headers[ZALO_SECRET_HEADER];
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      log.warn({ ip: req.socket.remoteAddress }, 'Rejected a Zalo webhook call without the right secret');
      send(res, 401, 'Unauthorized');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      // A body over the size limit is the HTTP server's to answer (413).
      if (!(err instanceof SyntaxError)) throw err;
      const error = new ZaloError('EPARSE', 'webhook', 'the request body is not JSON');
      log.warn({ err: error }, 'Rejected a Zalo webhook call whose body is not JSON');
      bot.emit('webhook_error', error);
      send(res, 400, 'Bad request');
      return;
    }
    sendJson(res, 200, { ok: true });
    // Zalo waits for the answer, not for our work: process once the response is on its way.
    setImmediate(() => bot.processUpdate(unwrap(body)));
  };
}

/** getUpdates wraps an update as `{ ok, result }`; some webhook deliveries do too. */
function unwrap(body: unknown): unknown {
  const isWrapped = typeof body === 'object' && body !== null && 'ok' in body && 'result' in body;
  return isWrapped ? body.result : body;
}
