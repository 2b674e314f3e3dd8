import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/**
 * Log lines are English and structured. Tokens sit in Bot API URLs, so every known secret is scrubbed from
 * whatever a line carries (messages, error stacks, request URLs) before it is written.
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
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ??
      (options.format === 'pretty'
        ? pretty({
            colorize: process.stdout.isTTY,
            translateTime: 'SYS:HH:MM:ss',
            ignore: 'pid,hostname,replica',
          })
        : undefined),
  );
}
