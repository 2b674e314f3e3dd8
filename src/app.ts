import { type BackgroundConnection, connectInBackground } from './channels/connect.js';
import { createTelegramBot, type TelegramBot } from './channels/telegram/bot.js';
import { TelegramSender } from './channels/telegram/sender.js';
import { LinkSigner } from './channels/web/links.js';
import { answerPages } from './channels/web/pages.js';
import { createZaloChannel, type ZaloChannel } from './channels/zalo/adapter.js';
import { ZaloBot } from './channels/zalo/client.js';
import { ZaloError } from './channels/zalo/errors.js';
import { createZaloInbox, type ZaloInbox, type ZaloInboxDeps } from './channels/zalo/inbox.js';
import { pollOnOneReplica } from './channels/zalo/poller.js';
import { zaloWebhook } from './channels/zalo/webhook.js';
import { type Clock, realClock } from './clock.js';
import { type Config, channelsConfigured, logFormat } from './config.js';
import { loadPolicy } from './content/policy.js';
import type { OutboxOptions } from './delivery/outbox.js';
import { ReplyPort } from './delivery/replies.js';
import { AppEvents } from './events.js';
import { createHttpApp, listen, metricsRoutes } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { describeStore, openStore, redisSecrets, storeConnection } from './open-store.js';
import { Readiness, within } from './readiness.js';
import { TextComposer } from './scheduler/composer.js';
import { newReplicaId } from './scheduler/coordination.js';
import { type Scheduler, startScheduler } from './scheduler/index.js';
import type { Services } from './services/index.js';
import { createServices } from './services/index.js';
import { CommandMenusPort } from './services/menus.js';
import { NotifierPort } from './services/notifier.js';
import { PlanningPort } from './services/planning.js';
import type { Store } from './store/port.js';

export interface App {
  port: number;
  services: Services;
  scheduler: Scheduler;
  store: Store;
  log: Logger;
  /** What /readyz reports; a store adapter may report its connection state into it (`reportStore`). */
  readiness: Readiness;
  /** Resolves true once every configured channel has connected (false if stopped first). */
  channelsConnected: Promise<boolean>;
  /** What the service reports as it runs (an update handled…). */
  events: AppEvents;
  stop(): Promise<void>;
}

const HEALTH_TIMEOUT_MS = 1_000;

/** Liveness of the store: it answers a ping within a second. */
const storeHealthy = (store: Store): Promise<boolean> =>
  within(store.ping(), HEALTH_TIMEOUT_MS, 'the store').then(
    () => true,
    () => false,
  );

/** Composition root: config → logger → store → services → channels → scheduler → HTTP. Starts everything. */
export interface AppOptions {
  log?: Logger;
  /**
   * The clock every part reads and waits on (tests move it to walk through a month, and what waits wakes when
   * they do). Deadlines on I/O, leases and send rates stay on real time (src/clock.ts).
   */
  clock?: Clock;
  /** Pauses between a channel's connection attempts (1 s doubling to 5 minutes); tests shorten them. */
  connectBackoff?: { initialMs?: number; maxMs?: number };
  /** The outbox's attempts and backoff, when not its defaults (tests give up sooner). */
  outbox?: Omit<OutboxOptions, 'rates'>;
  /** The Zalo inbox's retries and sweeps, when not their defaults. */
  zaloInbox?: Pick<ZaloInboxDeps, 'sweepMs' | 'retryMs' | 'maxAttempts' | 'storeTimeoutMs'>;
}

export async function startApp(config: Config, options: AppOptions = {}): Promise<App> {
  const replicaId = newReplicaId();
  const log =
    options.log ??
    createLogger({
      level: config.LOG_LEVEL,
      format: logFormat(config),
      replica: replicaId,
      secrets: [
        config.TELEGRAM_BOT_TOKEN,
        config.ZALO_BOT_TOKEN,
        config.TELEGRAM_WEBHOOK_SECRET,
        config.ZALO_WEBHOOK_SECRET,
        config.LINK_SECRET,
        config.METRICS_TOKEN,
        ...redisSecrets(config),
      ],
    });
  // Content is checked before anything starts: a bad policy file stops start-up naming file and path.
  const policy = loadPolicy(config.POLICY);
  const store = openStore(config, log);
  const metrics = createMetrics();
  const clock = options.clock ?? realClock;
  const events = new AppEvents();
  events.on('handled', ({ channel, ms }) => metrics.updateDuration.observe({ channel }, ms / 1000));
  const planning = new PlanningPort();
  const notifier = new NotifierPort();
  const menus = new CommandMenusPort();
  // Replies that could not be sent at once go to the outbox, made with the scheduler below.
  const replies = new ReplyPort();
  const services = createServices(store, clock, policy, planning, { notifier, menus });
  const readiness = new Readiness({ store, now: clock.now });
  // Redis says how its connection stands, and why it is down (SQLite, a file, has nothing to say).
  storeConnection(store).onStateChange(({ state, error }) =>
    readiness.reportStore(state === 'ready' ? { ok: true } : { ok: false, error: error ?? `Redis ${state}` }),
  );

  // Channels report to /readyz from here on: each shows as starting until it has connected.
  const telegramState = config.TELEGRAM_BOT_TOKEN ? readiness.addChannel('telegram') : undefined;
  let telegram: TelegramBot | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
    telegram = createTelegramBot({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      services,
      store,
      log,
      now: clock.now,
      replies,
      onHandled: (handled) => events.emit('handled', { channel: 'telegram', ...handled }),
      ...(telegramState ? { reporter: telegramState } : {}),
    });
    menus.bind(telegram.menus);
  }

  // Signed one-tap answer links, for every channel (Zalo has no buttons; Telegram members may use them too).
  const linkSigner = LinkSigner.shared(store, config.LINK_SECRET);

  let zaloBot: ZaloBot | undefined;
  let zalo: ZaloChannel | undefined;
  let zaloInbox: ZaloInbox | undefined;
  let zaloPoller: { stop(): Promise<void> } | undefined;
  if (config.ZALO_BOT_TOKEN) {
    zaloBot = new ZaloBot(config.ZALO_BOT_TOKEN, {
      baseApiUrl: config.ZALO_API_ROOT,
      logger: log,
      sleep: clock.sleep,
    });
    zalo = createZaloChannel({
      bot: zaloBot,
      services,
      store,
      log,
      now: clock.now,
      publicUrl: config.PUBLIC_URL,
      linkSigner,
      replies,
    });
    // Updates are stored before they are acknowledged, and handled from the store (src/channels/zalo/inbox.ts).
    zaloInbox = createZaloInbox({
      store,
      bot: zaloBot,
      channel: zalo,
      log,
      now: clock.now,
      sleep: clock.sleep,
      onHandled: ({ messageId, ms }) => events.emit('handled', { channel: 'zalo', updateId: messageId, ms }),
      ...options.zaloInbox,
    });
  }

  // ── Scheduler: daily planner, minute dispatcher, outbox senders (src/scheduler, src/delivery) ──
  const scheduler = startScheduler({
    store,
    log,
    replicaId,
    metrics,
    policy,
    now: clock.now,
    sleep: clock.sleep,
    timeZone: config.TZ,
    senders: [
      ...(config.TELEGRAM_BOT_TOKEN
        ? [new TelegramSender(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT })]
        : []),
      ...(zalo ? [zalo] : []),
    ],
    rates: { telegram: config.TELEGRAM_SEND_RATE, zalo: config.ZALO_SEND_RATE },
    leaseMs: config.OUTBOX_LEASE_MS,
    ...(options.outbox ? { outbox: options.outbox } : {}),
    // The thematic check carries topic suggestions; the first preparation step, the checklist.
    composer: new TextComposer({ topics: { topics: services.topics, checklist: services.checklist } }),
    groups: services.groups,
  });
  planning.bind(scheduler.planning);
  notifier.bind(scheduler.outbox);
  replies.bind(scheduler.outbox);
  // ── end scheduler ──

  // ── HTTP: every route (src/http/server.ts adds the request id, body limit, 400s, 404 and 500) ──
  const http = createHttpApp(log)
    .get('/healthz', async (c) => {
      const ok = await storeHealthy(store);
      return c.json({ status: ok ? 'ok' : 'unavailable', store: { kind: store.kind, ok } }, ok ? 200 : 503);
    })
    .get('/readyz', async (c) => {
      const { status, body } = await readiness.report();
      return c.json(body, status);
    })
    .route('/', metricsRoutes(metrics.registry, config.METRICS_TOKEN))
    .route('/', answerPages({ services, signer: linkSigner, log, now: clock.now }));
  if (telegram && config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET)
    http.post(webhookPath(config.TELEGRAM_WEBHOOK_URL), telegram.webhook(config.TELEGRAM_WEBHOOK_SECRET));
  if (zaloBot && zaloInbox && config.ZALO_WEBHOOK_URL && config.ZALO_WEBHOOK_SECRET)
    http.post(
      webhookPath(config.ZALO_WEBHOOK_URL),
      zaloWebhook({ bot: zaloBot, secret: config.ZALO_WEBHOOK_SECRET, log, inbox: zaloInbox }),
    );
  const zaloState = zaloBot && readiness.addChannel('zalo');
  const server = await listen(http, { port: config.PORT, log });
  const { port } = server;
  log.info(startupSummary(config, store, port));
  // Not awaited: the service keeps serving /healthz (503) while the store is still unreachable.
  announceBootstrap(services, config, log).catch((err) =>
    log.warn({ err }, 'Could not read the admin bootstrap code'),
  );

  // Nothing below holds up start-up: each channel connects in the background, retrying with backoff.
  const connections: BackgroundConnection[] = [];
  const background = {
    log,
    now: clock.now,
    sleep: clock.sleep,
    ...(options.connectBackoff ? { backoff: options.connectBackoff } : {}),
  };
  if (telegram && telegramState) {
    const bot = telegram;
    const webhook =
      config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
        ? { url: config.TELEGRAM_WEBHOOK_URL, secret: config.TELEGRAM_WEBHOOK_SECRET }
        : undefined;
    connections.push(
      connectInBackground({
        ...background,
        channel: 'telegram',
        reporter: telegramState,
        // Every replica serves the webhook (setting it is idempotent); polling runs on one.
        connect: (signal) => bot.connect(webhook, signal),
      }),
    );
  }
  if (zaloBot && zaloInbox && zaloState) {
    const bot = zaloBot;
    const inbox = zaloInbox;
    connections.push(
      connectInBackground({
        ...background,
        channel: 'zalo',
        reporter: zaloState,
        connect: async (signal) => {
          // getMe teaches the client its own ID, so it can drop its echoed messages: the inbox waits for it.
          await bot.getMe();
          signal.throwIfAborted();
          if (config.ZALO_WEBHOOK_URL && config.ZALO_WEBHOOK_SECRET) {
            await bot.setWebHook(config.ZALO_WEBHOOK_URL, { secret_token: config.ZALO_WEBHOOK_SECRET });
          } else {
            await bot.deleteWebHook().catch((err) => {
              // Zalo refusing (there was none to delete) is no reason not to poll.
              if (!(err instanceof ZaloError && err.code === 'EZALO')) throw err;
              log.warn({ error: err.message }, 'Could not delete the Zalo webhook');
            });
            signal.throwIfAborted();
            zaloPoller ??= pollOnOneReplica(bot, store, { log, inbox });
          }
          signal.throwIfAborted();
          inbox.start();
        },
      }),
    );
  }
  const channelsConnected = Promise.all(connections.map((c) => c.connected)).then((all) =>
    all.every(Boolean),
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('Shutting down: no new requests, finishing those in flight');
      await Promise.all(connections.map((c) => c.stop()));
      await telegram?.stop();
      await zaloPoller?.stop();
      await zaloBot?.stopPolling();
      await server.close();
      await zaloInbox?.stop();
      await scheduler.stop();
      await store.close();
      log.info('Stopped');
    })();
    return stopping;
  };
  return { port, store, log, stop, services, scheduler, readiness, channelsConnected, events };
}

/** The path a webhook URL is served on. */
const webhookPath = (url: string) => new URL(url).pathname;

/** Until the first admin is made, say (once per start) how to become it. */
async function announceBootstrap(services: Services, config: Config, log: Logger) {
  const bootstrap = await services.people.bootstrapCode(config.ADMIN_BOOTSTRAP_CODE);
  if (!bootstrap) return;
  log.info(
    [
      'No admin yet. To become the first admin, send the bot this one-time code:',
      `  /start ${bootstrap.code}`,
      '  (on Telegram, or as a message on Zalo). It works once.',
    ].join('\n'),
  );
}

/** One readable block: what the service runs with and how to change it. */
function startupSummary(config: Config, store: Store, port: number): string {
  const channels = channelsConfigured(config);
  return [
    'chibo is running',
    `  store:    ${describeStore(store, config)}`,
    `  http:     http://localhost:${port} (GET /healthz, GET /readyz, GET /metrics)`,
    `  policy:   ${config.POLICY}; time zone ${config.TZ}`,
    `  channels: ${channels.length ? channels.join(', ') : 'none'}`,
    ...(channels.length
      ? []
      : [
          '  To connect a channel set TELEGRAM_BOT_TOKEN (from @BotFather) and/or ZALO_BOT_TOKEN (Zalo Bot Platform),',
          '  then restart. Every variable is documented in .env.example; REDIS_URL switches to Redis for replicas.',
        ]),
  ].join('\n');
}
