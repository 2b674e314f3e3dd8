import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isPolicyPath, policyPresets } from './content/policy.js';

/** Empty strings in an env file mean "not set". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` },
  );

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Variables whose values are never printed, not even when they are wrong. */
export const SECRET_VARIABLES = new Set([
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'ZALO_BOT_TOKEN',
  'ZALO_WEBHOOK_SECRET',
  'LINK_SECRET',
  'REDIS_URL',
  'REDIS_SENTINEL_PASSWORD',
  'ADMIN_BOOTSTRAP_CODE',
  'METRICS_TOKEN',
]);

/** An unset (or empty) variable takes its default. */
const withDefault = <T extends z.ZodType>(fallback: unknown, schema: T) =>
  z.preprocess((v) => (v === undefined || v === '' ? fallback : v), schema);

const wholeNumber = () =>
  z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number');

/** A preset's name, or the path of an existing policy file (what the file says is checked at start). */
const policy = z.string().superRefine((v, ctx) => {
  if (isPolicyPath(v) ? existsSync(resolve(v)) : policyPresets().includes(v)) return;
  ctx.addIssue({
    code: 'custom',
    message: isPolicyPath(v)
      ? `no policy file at ${resolve(v)}`
      : `must be a preset (${policyPresets().join(', ')}) or the path of a policy JSON file`,
  });
});

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port,host:port` (an IPv6 host in brackets: `[::1]:26379`). */
const hostPorts = z.string().transform((v, ctx): HostPort[] => {
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
      const port = Number(m?.[3]);
      return m && port >= 1 && port <= 65535 ? { host: (m[1] ?? m[2]) as string, port } : undefined;
    });
  if (list.length && list.every((e) => e !== undefined)) return list as HostPort[];
  ctx.addIssue({
    code: 'custom',
    message: 'must be host:port pairs separated by commas, e.g. sentinel-1:26379,sentinel-2:26379',
  });
  return z.NEVER;
});

/** Whether the store is Redis: a URL, or Sentinel. */
export const usesRedis = (c: { REDIS_URL?: string | undefined; REDIS_SENTINELS?: HostPort[] | undefined }) =>
  Boolean(c.REDIS_URL || c.REDIS_SENTINELS);

export const configSchema = z
  .object({
    NODE_ENV: optional(z.enum(['development', 'production', 'test'])),
    PORT: withDefault(
      8080,
      wholeNumber()
        .min(0, 'must be between 0 and 65535 (0 picks a free port)')
        .max(65535, 'must be between 0 and 65535 (0 picks a free port)'),
    ),
    PUBLIC_URL: optional(url(['http:', 'https:'])),
    DATA_DIR: withDefault('./data', z.string()),
    TZ: withDefault(
      'Asia/Ho_Chi_Minh',
      z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Asia/Ho_Chi_Minh' }),
    ),
    POLICY: withDefault('hai-cap-2025', policy),
    LOG_LEVEL: withDefault('info', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
    LOG_FORMAT: optional(z.enum(['pretty', 'json'])),
    REDIS_URL: optional(url(['redis:', 'rediss:'])),
    REDIS_KEY_PREFIX: withDefault('chibo:', z.string()),
    REDIS_SENTINELS: optional(hostPorts),
    REDIS_SENTINEL_NAME: optional(z.string()),
    REDIS_SENTINEL_PASSWORD: optional(z.string()),
    REDIS_WAIT_REPLICAS: withDefault(0, wholeNumber().min(0, 'must be 0 or more')),
    REDIS_BATCHING: withDefault('on', z.enum(['on', 'off'], { message: 'must be on or off' })),
    LINK_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
    ADMIN_BOOTSTRAP_CODE: optional(z.string().min(8, 'must be at least 8 characters')),
    METRICS_TOKEN: optional(
      z
        .string()
        .regex(/^[A-Za-z0-9._~+/-]{16,256}$/, 'must be 16–256 characters of A–Z, a–z, 0–9 and . _ ~ + / -'),
    ),
    TELEGRAM_BOT_TOKEN: optional(
      z.string().regex(/^\d+:[\w-]{20,}$/, 'must look like 123456:ABC… as given by @BotFather'),
    ),
    TELEGRAM_API_ROOT: withDefault('https://api.telegram.org', url(['http:', 'https:'])),
    TELEGRAM_WEBHOOK_URL: optional(url(['https:'])),
    TELEGRAM_WEBHOOK_SECRET: optional(
      z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1–256 characters of A–Z, a–z, 0–9, _ and -'),
    ),
    TELEGRAM_SEND_RATE: withDefault(
      25,
      z.coerce.number({ message: 'must be a number' }).positive('must be above 0'),
    ),
    ZALO_BOT_TOKEN: optional(z.string().min(10, 'is too short to be a Zalo bot token')),
    ZALO_API_ROOT: withDefault('https://bot-api.zaloplatforms.com', url(['http:', 'https:'])),
    ZALO_WEBHOOK_URL: optional(url(['https:'])),
    ZALO_WEBHOOK_SECRET: optional(
      z.string().min(8, 'must be 8–256 characters').max(256, 'must be 8–256 characters'),
    ),
    ZALO_SEND_RATE: withDefault(
      10,
      z.coerce.number({ message: 'must be a number' }).positive('must be above 0'),
    ),
    OUTBOX_LEASE_MS: withDefault(15_000, wholeNumber().min(1_000, 'must be at least 1000 (milliseconds)')),
    /** Tests only (NODE_ENV=test): the file holding the time the service's clock runs from (src/test-clock.ts). */
    TEST_CLOCK_FILE: optional(z.string()),
  })
  .superRefine((c, ctx) => {
    if (c.REDIS_SENTINELS && !c.REDIS_SENTINEL_NAME) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_SENTINEL_NAME'],
        message: 'is required with REDIS_SENTINELS (the master name the sentinels monitor)',
      });
    }
    if (!c.REDIS_SENTINELS && (c.REDIS_SENTINEL_NAME || c.REDIS_SENTINEL_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_SENTINELS'],
        message: `is required with ${c.REDIS_SENTINEL_NAME ? 'REDIS_SENTINEL_NAME' : 'REDIS_SENTINEL_PASSWORD'}`,
      });
    }
    if (c.REDIS_WAIT_REPLICAS > 0 && !usesRedis(c)) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_WAIT_REPLICAS'],
        message: 'needs Redis (REDIS_URL or REDIS_SENTINELS)',
      });
    }
    if (c.ZALO_BOT_TOKEN && !c.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message:
          'is required with ZALO_BOT_TOKEN: Zalo has no buttons, so each invitation carries a one-tap answer link to this address',
      });
    }
    if (c.TEST_CLOCK_FILE && c.NODE_ENV !== 'test') {
      ctx.addIssue({
        code: 'custom',
        path: ['TEST_CLOCK_FILE'],
        message: 'is for tests only: it is refused unless NODE_ENV=test',
      });
    }
    if (c.TELEGRAM_WEBHOOK_URL && !c.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_WEBHOOK_SECRET'],
        message: 'is required with TELEGRAM_WEBHOOK_URL',
      });
    }
    if (c.TELEGRAM_WEBHOOK_URL && !c.TELEGRAM_BOT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['TELEGRAM_BOT_TOKEN'],
        message: 'is required with TELEGRAM_WEBHOOK_URL',
      });
    }
    if (c.ZALO_WEBHOOK_URL && !c.ZALO_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['ZALO_WEBHOOK_SECRET'],
        message: 'is required with ZALO_WEBHOOK_URL',
      });
    }
    if (c.ZALO_WEBHOOK_URL && !c.ZALO_BOT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['ZALO_BOT_TOKEN'],
        message: 'is required with ZALO_WEBHOOK_URL',
      });
    }
  });

export type Config = z.output<typeof configSchema>;

/** Readable lines for a person at a terminal; JSON lines in production, for log collectors. */
export const logFormat = (c: Config) => c.LOG_FORMAT ?? (c.NODE_ENV === 'production' ? 'json' : 'pretty');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; every bad variable is named with what is wrong, never with its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    return `  ${name}: ${issue.message}`;
  });
  throw new ConfigError([...new Set(problems)]);
}

export function channelsConfigured(config: Config): string[] {
  const channels: string[] = [];
  if (config.TELEGRAM_BOT_TOKEN)
    channels.push(config.TELEGRAM_WEBHOOK_URL ? 'telegram (webhook)' : 'telegram (polling)');
  if (config.ZALO_BOT_TOKEN) channels.push(config.ZALO_WEBHOOK_URL ? 'zalo (webhook)' : 'zalo (polling)');
  return channels;
}
