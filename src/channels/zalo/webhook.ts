import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send, sendJson } from '../../http/server.js';
import type { Logger } from '../../logger.js';
import type { ZaloBot } from './client.js';
import { ZaloError } from './errors.js';
import type { ZaloInbox } from './inbox.js';

/** Zalo sends the `secret_token` given to setWebhook in this header (lower-cased, as node:http presents it). */
export const ZALO_SECRET_HEADER = 'x-bot-api-secret-token';

/** Equal-length digests, so the comparison takes the same time whatever the length or content of a guess. */
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The Zalo webhook endpoint for node:http (e.g. `HttpServer.route('POST', path, handler)`): checks the secret,
 * stores the update in the inbox (src/channels/zalo/inbox.ts), which validates it and drops echoes and repeats,
 * and answers 200 only once it is stored: 503 while the store cannot take it, so Zalo delivers it again. The
 * inbox handles it afterwards. The body may be a bare update or wrapped as `{ ok, result }`.
 */
export function createZaloWebhookHandler(options: {
  bot: ZaloBot;
  secret: string;
  log: Logger;
  inbox: Pick<ZaloInbox, 'accept'>;
}) {
  const { bot, log, inbox } = options;
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
    try {
      await inbox.accept(unwrap(body));
    } catch (err) {
      log.warn({ err }, 'Could not store a Zalo update: answered 503, for Zalo to deliver it again');
      send(res, 503, 'Service unavailable');
      return;
    }
    sendJson(res, 200, { ok: true });
  };
}

/** getUpdates wraps an update as `{ ok, result }`; some webhook deliveries do too. */
function unwrap(body: unknown): unknown {
  const isWrapped = typeof body === 'object' && body !== null && 'ok' in body && 'result' in body;
  return isWrapped ? body.result : body;
}
