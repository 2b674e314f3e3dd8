import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Fields that carry what people wrote or who they are (Telegram's and Zalo's names for them, and ours). Wherever
 * a logged object has one, up to two levels down, its value is replaced: logs carry IDs, never names or text.
 */
export const PERSONAL_FIELDS = [
  'text',
  'caption',
  'data',
  'query',
  'first_name',
  'last_name',
  'username',
  'display_name',
  'displayName',
  'name',
  'title',
  'phone_number',
  'note',
  'reason',
] as const;

/** Two levels of wildcards: each deeper level doubles the cost of every line logged with an object. */
const REDACT_PATHS = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/**
 * Properties of an error that carry what was sent or received rather than what went wrong: grammY's `payload`
 * (the message sent), a BotError's `ctx` (the whole update), axios's `config`, `request` and `response` (bodies,
 * headers, URLs with tokens). An error is logged by its type, message, code and stack.
 */
const ERROR_BAGGAGE = ['payload', 'ctx', 'config', 'request', 'response'];

function serializeError(err: unknown) {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (typeof out !== 'object' || out === null) return out;
  for (const key of ERROR_BAGGAGE) delete out[key];
  return out;
}

/** A Telegram update is logged as its ID and kind, whatever a call site passes. */
function serializeUpdate(update: unknown) {
  if (typeof update !== 'object' || update === null) return update;
  const { update_id: id } = update as { update_id?: unknown };
  return { update_id: id, type: Object.keys(update).find((k) => k !== 'update_id') };
}

/**
 * Log lines are English and structured. Tokens sit in Bot API URLs, so every known secret is scrubbed from
 * whatever a line carries (messages, error stacks, request URLs) before it is written; personal fields are
 * redacted (PERSONAL_FIELDS).
 */
export function createLogger(options: {
  level: string;
  format?: 'pretty' | 'json';
  secrets?: (string | undefined)[];
  destination?: pino.DestinationStream;
  /** Which replica writes the lines (JSON lines carry it; the readable format leaves it out). */
  replica?: string;
}) {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 6);
  const scrub = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);
  return pino(
    {
      level: options.level,
      base: options.replica ? { replica: options.replica } : undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        streamWrite: secrets.length ? scrub : undefined,
      },
      redact: { paths: REDACT_PATHS, censor: '[personal]' },
      serializers: { err: serializeError, error: serializeError, update: serializeUpdate },
    },
    options.destination ??
      (options.format === 'pretty'
        ? pretty({
            colorize: process.stdout.isTTY,
            translateTime: 'SYS:HH:MM:ss',
            ignore: 'pid,hostname,replica',
          })
        : // Written synchronously: pino's default buffers asynchronously, and a line still in flight when the
          // process exits is written after later ones (a fatal line after the stop it caused) or not at all. The
          // service logs a few lines a second at most, so the writes cost nothing that shows.
          pino.destination({ dest: 1, sync: true })),
  );
}
