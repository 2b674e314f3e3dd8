import { autoRetry } from '@grammyjs/auto-retry';
import { type RunnerHandle, run } from '@grammyjs/runner';
import {
  Bot,
  BotError,
  Composer,
  type Context,
  GrammyError,
  type NextFunction,
  type Transformer,
  webhookCallback,
} from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { commandsFor, type Role, rolesOf } from '../../../handlers/commands.js';
import type { OutboxMessage } from '../../delivery/outbox.js';
import {
  type DirectSender,
  type ReplyHandOver,
  ReplyPort,
  replyKey,
  sendReplies,
} from '../../delivery/replies.js';
import { decodeIntent, type Intent } from '../../domain/intents.js';
import type { View } from '../../domain/view.js';
import { t } from '../../i18n.js';
import type { Logger } from '../../logger.js';
import type { ChannelReporter } from '../../readiness.js';
import { aborted, newReplicaId, whileLeader } from '../../scheduler/coordination.js';
import type { Services } from '../../services/index.js';
import type { Store } from '../../store/port.js';
import { createConversation, type Speaker } from '../conversation.js';
import { type HttpHandler, secretMatcher } from '../routes.js';
import { chatOrder } from './chat-order.js';
import { FloodGuard } from './flood-guard.js';
import { groupUpdates } from './group.js';
import { pollingHealth } from './polling-health.js';
import { renderTelegram, renderTelegramDocument, type TelegramMessage } from './render.js';
import { classifyTelegramError } from './sender.js';
import { checkUpdate, updateType } from './updates.js';

export interface TelegramDeps {
  token: string;
  apiRoot: string;
  services: Services;
  store: Store;
  log: Logger;
  now: () => number;
  /** Updates one person may send in a time frame (default 5 in 2 s). */
  floodGuard?: { limit: number; timeFrameMs: number };
  /** Known bot identity: skips getMe (tests, and a faster start). */
  botInfo?: UserFromGetMe;
  /** The poller lease's life (default TELEGRAM_POLL_LEASE_MS; shorter in tests). */
  pollLeaseMs?: number;
  /** Where a reply that could not be sent at once goes: the outbox (src/delivery/replies.ts). */
  replies?: ReplyHandOver;
  /** Told when an update has been handled to the end, its direct replies sent or handed to the outbox. */
  onHandled?: (handled: { updateId: string; ms: number }) => void;
  /** Where polling's failures and recoveries on this replica are reported (/readyz). */
  reporter?: ChannelReporter;
}

/**
 * The Telegram command menu of someone holding these roles, from the command registry (handlers/commands.ts):
 * every private chat gets the members' one, and a person with a further role gets theirs in their own chat.
 */
export const telegramMenu = (roles: readonly Role[]) =>
  commandsFor(roles, 'telegram').map((c) => ({ command: c.name, description: t(c.description) }));

/**
 * Poller lease: renewed every third of its life, and the other replicas try for it as often, so one takes over
 * within a minute of a death (the lease plus a third of it).
 */
export const TELEGRAM_POLL_LEASE_MS = 45_000;

/** How soon a failed getUpdates is tried again. */
const POLL_RETRY_MS = 2_000;

/**
 * What a person receives (messages, documents, edits): sent once by the handlers' reply, then retried by the
 * outbox, which obeys retry_after, backs off and counts what it gives up (src/delivery/replies.ts).
 */
const DELIVERED = new Set(['sendMessage', 'sendDocument', 'editMessageText']);

/**
 * Everything else (answering taps, the command menus, getMe, the webhook) is retried here, bounded: a few
 * seconds at most, and a network error is thrown at once rather than retried forever (the background start
 * retries those, src/channels/connect.ts).
 */
function boundedRetry(): Transformer {
  const retry = autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 10, rethrowHttpErrors: true });
  return (prev, method, payload, signal) =>
    DELIVERED.has(method) ? prev(method, payload, signal) : retry(prev, method, payload, signal);
}

/**
 * The updates the bot handles, asked for by polling and by the webhook alike: Telegram sends nothing else (a
 * webhook set without the list would also bring reactions, edits, channel posts …, only to be ignored).
 */
const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** grammY types its signals with the abort-controller package's AbortSignal; Node's is the same at run time. */
type ApiSignal = Parameters<Bot['init']>[0];

/** Splits "/start@chibo_bot KL7Q2M" into a command intent. */
function commandIntent(text: string): Intent | undefined {
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return undefined;
  return { type: 'command', name: (m[1] ?? '').toLowerCase(), args: (m[2] ?? '').trim() };
}

/**
 * A tap's context, marked once the tap is answered: it is answered once, and a failure after that has nothing
 * left to say. A mark on the update's own context rather than a WeakSet of them (an ephemeron per tap).
 */
type TapContext = Context & { tapAnswered?: true };

/** A reply about to be sent: rendered, with where it goes (the `index`-th view of the update's reply). */
interface TelegramReply {
  ctx: Context;
  view: View;
  index: number;
  chatId: number;
  params?: TelegramMessage;
  document?: ReturnType<typeof renderTelegramDocument>;
  /** The tapped message this reply replaces. */
  editOf?: number | undefined;
}

/** Sends Telegram replies (src/delivery/replies.ts); a reply's outbox form is built only if it is handed over. */
const telegramReplies: DirectSender<TelegramReply> = {
  async send({ ctx, chatId, params, document, editOf }) {
    if (document) return ctx.api.sendDocument(chatId, document.file, document.other);
    const message = params as TelegramMessage;
    if (editOf === undefined) return ctx.api.sendMessage(chatId, message.text, message);
    try {
      return await ctx.editMessageText(message.text, message);
    } catch (err) {
      // "message is not modified" is the same answer tapped twice: nothing to do.
      if (!String((err as { description?: unknown })?.description ?? err).includes('not modified')) throw err;
      return undefined;
    }
  },
  message({ ctx, view, index, chatId, editOf }): OutboxMessage {
    const message: OutboxMessage = {
      key: replyKey(`reply:telegram:${ctx.update.update_id}`, index),
      channel: 'telegram',
      chatId: String(chatId),
      view,
    };
    return editOf === undefined ? message : { ...message, editMessageId: String(editOf) };
  },
  classify: classifyTelegramError,
};

/**
 * The Telegram adapter: updates become intents for the shared handlers; views become messages, edits and
 * callback answers. Creating it starts nothing; `startPolling` or `webhook` does.
 */
export function createTelegramBot(deps: TelegramDeps) {
  const { store, log } = deps;
  const bot = new Bot(deps.token, {
    client: { apiRoot: deps.apiRoot },
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });
  bot.api.config.use(boundedRetry());
  // After the retry: it sees what the runner gets.
  const pollingState = pollingHealth({ log: deps.log, now: deps.now, reporter: deps.reporter });
  bot.api.config.use(pollingState.watch);
  const replies = deps.replies ?? new ReplyPort();
  // Invites carry a deep link to this bot: t.me/<bot>?start=<code> sends "/start <code>".
  const services: Services = {
    ...deps.services,
    inviteLink: (code) => (bot.isInited() ? `https://t.me/${bot.botInfo.username}?start=${code}` : undefined),
  };
  const conversation = createConversation({ services, store, log, now: deps.now });

  /**
   * The one error boundary, around every middleware: an update whose handling fails is logged by its ID, kind
   * and error (never its content), and a failed tap still gets a toast so its spinner stops. Nothing escapes it,
   * so a webhook call is answered 200 and Telegram does not redeliver an update that would only fail again.
   */
  async function updateFailed({ error, ctx }: BotError<Context>) {
    const updateLog = log.child({ update_id: ctx.update.update_id });
    updateLog.error({ type: updateType(ctx.update), err: error }, 'Telegram update failed');
    if (!ctx.callbackQuery || (ctx as TapContext).tapAnswered) return;
    await ctx
      .answerCallbackQuery({ text: t('error.tapFailed') })
      .catch((err) => updateLog.warn({ err }, 'Could not answer a tap whose handling failed'));
  }

  // Updates of one chat are handled in order (the runner is concurrent across chats).
  const inOrder = chatOrder();
  // A per-user flood guard: past the limit, updates are dropped until the window passes; a dropped tap is told so.
  const flood = new FloodGuard({
    ...(deps.floodGuard ?? { limit: 5, timeFrameMs: 2000 }),
    now: deps.now,
    onDroppedTap: tooFast,
  });
  // Every other update, after the taps.
  const others = new Composer<Context>();

  /** Past the flood guard, taps go straight to their handler; everything else to the rest. */
  function route(ctx: Context, next: NextFunction): Promise<unknown> {
    if (!flood.admits(ctx)) return flood.dropped(ctx);
    const data = ctx.callbackQuery?.data;
    return data === undefined ? Promise.resolve(others.middleware()(ctx, next)) : onTap(ctx, data);
  }

  // One middleware for the error boundary, the chat order, the flood guard and the routing, rather than one
  // layer each: grammY enters every middleware registered on the bot for each update (a closure and a promise
  // or two apiece), and `bot.on('callback_query:data')` would build a new composer for each update besides.
  // It also sees the end of every update (answered, dropped by the flood guard, or failed): `onHandled`.
  const { onHandled } = deps;
  bot.use(async (ctx, next) => {
    const started = onHandled && performance.now();
    try {
      await inOrder(ctx.chat?.id, route, ctx, next);
    } catch (err) {
      await updateFailed(new BotError(err, ctx));
    } finally {
      if (onHandled)
        onHandled({ updateId: String(ctx.update.update_id), ms: performance.now() - (started ?? 0) });
    }
  });
  // A cell's group: /nhom binds it, and the bot follows it when it is upgraded or leaves it.
  others.use(groupUpdates({ groups: services.groups, log, speak, reply }));
  // In groups the bot only posts; it takes commands and answers in private chats, and taps anywhere.
  others.use((ctx, next) => (ctx.chat?.type === 'private' || ctx.callbackQuery ? next() : undefined));

  /** Stops a dropped tap's spinner, in the tapper's language. */
  async function tooFast(ctx: Context) {
    try {
      const person = ctx.from && (await services.repos.people.byChannel('telegram', ctx.from.id));
      await ctx.answerCallbackQuery({ text: t('flood.tooFast', {}, person?.locale ?? 'vi') });
    } catch (err) {
      log.debug({ err, update: ctx.update.update_id }, 'Could not answer a tap the flood guard dropped');
    }
  }

  /** Who sent an update, as the conversation knows them; undefined for an update from no one in no chat. */
  function speakerOf(ctx: Context): Speaker | undefined {
    const { from, chat } = ctx;
    if (!from || !chat) return undefined;
    const speaker: Speaker = {
      channel: 'telegram',
      userId: String(from.id),
      displayName: from.last_name ? `${from.first_name} ${from.last_name}`.trim() : from.first_name,
      chatKind: chat.type === 'private' ? 'private' : 'group',
      chatId: String(chat.id),
    };
    if ('title' in chat && chat.title) speaker.chatTitle = chat.title;
    return speaker;
  }

  /** One turn of the conversation (src/channels/conversation.ts); nothing for an update from no one. */
  async function speak(ctx: Context, said: Intent): Promise<View[] | undefined> {
    const speaker = speakerOf(ctx);
    return speaker && (await conversation.turn(speaker, said)).views;
  }

  /**
   * Renders views: on a tap, the first view may replace the tapped message or be only its toast. A private
   * view goes to the person's own chat (their user ID) wherever they asked from. They are sent at once, in
   * order; from the first that fails, the outbox takes over (src/delivery/replies.ts).
   */
  async function reply(ctx: Context, views: View[]) {
    const direct: TelegramReply[] = [];
    for (let i = 0; i < views.length; i++) {
      const view = views[i] as View;
      const chatId = view.privately ? ctx.from?.id : ctx.chat?.id;
      if (chatId === undefined) continue;
      if (ctx.callbackQuery && view.toastOnly) continue;
      if (view.document) {
        direct.push({
          ctx,
          view,
          index: i,
          chatId,
          document: renderTelegramDocument({ ...view, document: view.document }),
        });
        continue;
      }
      const params = renderTelegram(view);
      const tapped = ctx.callbackQuery?.message;
      const editOf = tapped && view.replace && !view.privately ? tapped.message_id : undefined;
      direct.push({ ctx, view, index: i, chatId, params, editOf });
    }
    await sendReplies(direct, telegramReplies, replies);
  }

  async function onTap(ctx: Context, data: string) {
    const intent = decodeIntent(data);
    const views = intent && (await speak(ctx, intent));
    if (!views) {
      await ctx.answerCallbackQuery({ text: t('refuse.invalid') });
      (ctx as TapContext).tapAnswered = true;
      return;
    }
    // Answer the tap at once, with the first view's toast, before any message is edited or sent.
    let toast: string | undefined;
    for (let i = 0; i < views.length && !toast; i++) toast = views[i]?.toast;
    await ctx.answerCallbackQuery(toast ? { text: toast.slice(0, 200) } : {});
    (ctx as TapContext).tapAnswered = true;
    await reply(ctx, views);
  }

  others.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    // A command as it is; any other text may answer the pending question (the conversation's).
    const views = await speak(ctx, commandIntent(text) ?? { type: 'text', text });
    if (views) await reply(ctx, views);
  });

  /** Vietnamese command menus, scoped: every private chat sees the members' commands. */
  async function setCommands(signal?: AbortSignal) {
    await bot.api.setMyCommands(
      telegramMenu(['member']),
      { scope: { type: 'all_private_chats' } },
      signal as ApiSignal,
    );
  }

  /**
   * One attempt to connect, for the background start (src/channels/connect.ts): who the bot is (getMe, which
   * invite links need), its command menu, then the webhook or polling. Telegram refusing the menu (a 4xx) is
   * logged and passed over, since the commands work without it; anything else fails the attempt.
   */
  async function connect(webhook: { url: string; secret: string } | undefined, abort: AbortSignal) {
    const signal = abort as ApiSignal;
    // Not bot.init(): grammY retries its getMe on network errors for ever, which is this loop's business.
    if (!bot.isInited()) bot.botInfo = await bot.api.getMe(signal);
    await setCommands(abort).catch((err) => {
      if (!(err instanceof GrammyError)) throw err;
      log.warn({ error: err.message }, 'Telegram refused the command menu; commands work without it');
    });
    abort.throwIfAborted();
    if (webhook)
      await bot.api.setWebhook(
        webhook.url,
        { secret_token: webhook.secret, allowed_updates: ALLOWED_UPDATES },
        signal,
      );
    else await startPolling();
  }

  /**
   * Each person's own menu after their roles may have changed: someone who is more than a member (a secretary,
   * a committee member, an admin) gets the commands of all their roles in their private chat (a chat scope
   * replaces the default there); anyone else's chat scope is removed, so the members' default shows again.
   * A failure is logged: the commands work without the menu.
   */
  async function refreshMenus(personIds: readonly string[]) {
    const people = await services.repos.people.getMany([...personIds]);
    for (const person of people) {
      if (person.telegramId === undefined) continue;
      const scope = { type: 'chat' as const, chat_id: person.telegramId };
      try {
        const roles = await rolesOf(services, person.id);
        if (roles.some((role) => role !== 'member'))
          await bot.api.setMyCommands(telegramMenu(roles), { scope });
        else await bot.api.deleteMyCommands({ scope });
      } catch (err) {
        log.warn({ err, personId: person.id }, 'Could not set a Telegram command menu');
      }
    }
  }

  let runner: RunnerHandle | undefined;
  let poller: { stop(): Promise<void> } | undefined;

  /**
   * Long polling on exactly one replica: the one holding the poller lease (whileLeader, as the Zalo poller).
   * Others retry the lease, so one of them takes over within a minute after the poller dies.
   */
  async function startPolling() {
    poller ??= whileLeader(
      store,
      'telegram-poller',
      async (signal) => {
        log.info('Holding the Telegram poller lease: polling');
        await bot.init();
        await bot.api.deleteWebhook();
        const handle = run(bot, {
          runner: {
            fetch: { allowed_updates: ALLOWED_UPDATES },
            // Silent: its failures are logged and reported by pollingHealth, not printed to the console.
            silent: true,
            // Every few seconds while getUpdates fails, rather than the default doubling without bound, which
            // after an outage of an hour could leave updates waiting most of another hour.
            retryInterval: POLL_RETRY_MS,
          },
        });
        runner = handle;
        try {
          // Until the lease is lost or on stop; a runner that stops by itself gives the lease up.
          await Promise.race([handle.task(), aborted(signal)]);
        } finally {
          if (handle.isRunning()) await handle.stop();
          runner = undefined;
          // The lease went elsewhere (or the service stops): how polling fares is the next poller's to say.
          if (signal.aborted) pollingState.stopped();
        }
        log.info('Telegram polling stopped on this replica');
      },
      { replicaId: newReplicaId(), ttlMs: deps.pollLeaseMs ?? TELEGRAM_POLL_LEASE_MS, log },
    );
  }

  async function stop() {
    await poller?.stop();
    poller = undefined;
  }

  /**
   * The webhook route, through grammY's Hono adapter, which answers 401 to a wrong X-Telegram-Bot-Api-Secret-Token.
   * With the right one, the body is read first: not JSON is 400 (a broken sender, worth a look); JSON the bot
   * cannot use is 200 with one warning (Telegram would redeliver anything else, forever). The body is cached by
   * Hono, so grammY reads it again for free.
   */
  function webhook(secretToken: string, { timeoutMs = 10_000 } = {}): HttpHandler {
    const callback = webhookCallback(bot, 'hono', {
      secretToken,
      // An update still being handled after 10 s (a send waiting out a 429) is answered 200 and carries on:
      // a 500 would have Telegram deliver it again while the first is under way.
      timeoutMilliseconds: timeoutMs,
      onTimeout: () => log.warn({ timeoutMs }, 'A Telegram update is taking long; answered its webhook call'),
    });
    const rightSecret = secretMatcher(secretToken);
    return async (c) => {
      if (!rightSecret(c.req.header('x-telegram-bot-api-secret-token'))) return callback(c);
      const requestId = c.get('requestId');
      let body: unknown;
      try {
        body = await c.req.json();
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        log.warn({ requestId }, 'Refused a Telegram webhook call whose body is not JSON');
        return c.text('Bad request', 400);
      }
      const check = checkUpdate(body);
      if (!check.ok) {
        log.warn(
          { requestId, update_id: check.updateId, issues: check.issues },
          'Ignored a Telegram update the bot cannot use',
        );
        return c.body(null, 200);
      }
      return callback(c);
    };
  }

  return {
    bot,
    setCommands,
    connect,
    /** Binds the services' command-menu port (src/services/menus.ts). */
    menus: { refresh: refreshMenus },
    startPolling,
    stop,
    webhook,
    isPolling: () => runner?.isRunning() ?? false,
  };
}

export type TelegramBot = ReturnType<typeof createTelegramBot>;
