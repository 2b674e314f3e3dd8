import type { Context } from 'hono';
import type { Logger } from '../../logger.js';
import { type HttpEnv, type HttpHandler, secretMatcher } from '../routes.js';
import type { ZaloBot } from './client.js';
import { ZaloError } from './errors.js';
import type { ZaloInbox } from './inbox.js';

/** Zalo sends the `secret_token` given to setWebhook in this header. */
export const ZALO_SECRET_HEADER = 'x-bot-api-secret-token';

export type ZaloWebhookCall = { ok: true; update: unknown } | { ok: false; response: Response };

/**
 * The webhook's gate: the secret, compared in constant time (401), then the body as JSON (400, reported as a
 * `webhook_error`). What passes is an update to act on, bare or unwrapped from `{ ok, result }`; it is not yet
 * validated (the inbox does that, dropping echoes and repeats).
 */
export function zaloWebhookGate(options: { bot: ZaloBot; secret: string; log: Logger }) {
  const { bot, log } = options;
  const rightSecret = secretMatcher(options.secret);
  return async (c: Context<HttpEnv>): Promise<ZaloWebhookCall> => {
    if (!rightSecret(c.req.header(ZALO_SECRET_HEADER))) {
      log.warn(
        { requestId: c.get('requestId'), ip: c.env?.incoming?.socket.remoteAddress },
        'Rejected a Zalo webhook call without the right secret',
      );
      return { ok: false, response: c.text('Unauthorized', 401) };
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch (err) {
      // A body over the size limit is the HTTP app's to answer (413).
      if (!(err instanceof SyntaxError)) throw err;
      const error = new ZaloError('EPARSE', 'webhook', 'the request body is not JSON');
      log.warn(
        { err: error, requestId: c.get('requestId') },
        'Rejected a Zalo webhook call whose body is not JSON',
      );
      bot.emit('webhook_error', error);
      return { ok: false, response: c.text('Bad request', 400) };
    }
    return { ok: true, update: unwrap(body) };
  };
}

/**
 * The Zalo webhook route: past the gate, the update is stored in the inbox (src/channels/zalo/inbox.ts), which
 * validates it and drops echoes and repeats, and answered 200 only once it is stored: 503 while the store cannot
 * take it, so Zalo delivers it again. The inbox handles it afterwards.
 */
export function zaloWebhook(options: {
  bot: ZaloBot;
  secret: string;
  log: Logger;
  inbox: Pick<ZaloInbox, 'accept'>;
}): HttpHandler {
  const { log, inbox } = options;
  const gate = zaloWebhookGate(options);
  return async (c) => {
    const call = await gate(c);
    if (!call.ok) return call.response;
    try {
      await inbox.accept(call.update);
    } catch (err) {
      log.warn(
        { err, requestId: c.get('requestId') },
        'Could not store a Zalo update: answered 503, for Zalo to deliver it again',
      );
      return c.text('Service unavailable', 503);
    }
    return c.json({ ok: true });
  };
}

/** getUpdates wraps an update as `{ ok, result }`; some webhook deliveries do too. */
function unwrap(body: unknown): unknown {
  const isWrapped = typeof body === 'object' && body !== null && 'ok' in body && 'result' in body;
  return isWrapped ? body.result : body;
}
