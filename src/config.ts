import { z } from 'zod';

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
  'ADMIN_BOOTSTRAP_CODE',
  'METRICS_TOKEN',
]);

export const configSchema = z
  .object({
    NODE_ENV: optional(z.enum(['development', 'production', 'test'])),
    PORT: z.preprocess(
      (v) => (v === undefined || v === '' ? 8080 : v),
      z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').min(0).max(65535),
    ),
    PUBLIC_URL: optional(url(['http:', 'https:'])),
    DATA_DIR: z.preprocess((v) => (v === undefined || v === '' ? './data' : v), z.string()),
    TZ: z.preprocess(
      (v) => (v === undefined || v === '' ? 'Asia/Ho_Chi_Minh' : v),
      z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as Asia/Ho_Chi_Minh' }),
    ),
    POLICY: z.preprocess((v) => (v === undefined || v === '' ? 'hai-cap-2025' : v), z.string()),
    LOG_LEVEL: z.preprocess(
      (v) => (v === undefined || v === '' ? 'info' : v),
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    ),
    LOG_FORMAT: optional(z.enum(['pretty', 'json'])),
    REDIS_URL: optional(url(['redis:', 'rediss:'])),
    REDIS_KEY_PREFIX: z.preprocess((v) => (v === undefined || v === '' ? 'chibo:' : v), z.string()),
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
    TELEGRAM_API_ROOT: z.preprocess(
      (v) => (v === undefined || v === '' ? 'https://api.telegram.org' : v),
      url(['http:', 'https:']),
    ),
    TELEGRAM_WEBHOOK_URL: optional(url(['https:', 'http:'])),
    TELEGRAM_WEBHOOK_SECRET: optional(
      z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1–256 characters of A–Z, a–z, 0–9, _ and -'),
    ),
    TELEGRAM_SEND_RATE: z.preprocess(
      (v) => (v === undefined || v === '' ? 25 : v),
      z.coerce.number({ message: 'must be a number' }).positive('must be above 0'),
    ),
    ZALO_BOT_TOKEN: optional(z.string().min(10, 'is too short to be a Zalo bot token')),
    ZALO_API_ROOT: z.preprocess(
      (v) => (v === undefined || v === '' ? 'https://bot-api.zaloplatforms.com' : v),
      url(['http:', 'https:']),
    ),
    ZALO_WEBHOOK_URL: optional(url(['https:', 'http:'])),
    ZALO_WEBHOOK_SECRET: optional(
      z.string().min(8, 'must be 8–256 characters').max(256, 'must be 8–256 characters'),
    ),
    ZALO_SEND_RATE: z.preprocess(
      (v) => (v === undefined || v === '' ? 10 : v),
      z.coerce.number({ message: 'must be a number' }).positive('must be above 0'),
    ),
  })
  .superRefine((c, ctx) => {
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
