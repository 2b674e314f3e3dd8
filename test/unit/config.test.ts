import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('config', () => {
  it('runs with no environment at all on the embedded defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      DATA_DIR: './data',
      TZ: 'Asia/Ho_Chi_Minh',
      POLICY: 'hai-cap-2025',
      LOG_LEVEL: 'info',
    });
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.ZALO_BOT_TOKEN).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '', TELEGRAM_BOT_TOKEN: ' ' }).PORT).toBe(8080);
  });

  it('names every bad variable, one line each', () => {
    const problems = problemsOf({
      PORT: 'abc',
      REDIS_URL: 'nonsense',
      TZ: 'Mars/Olympus',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^ {2}PORT: /);
    expect(problems.join('\n')).toMatch(/REDIS_URL: must be a URL starting with redis:\/\/ or rediss:\/\//);
    expect(problems.join('\n')).toMatch(/TZ: must be an IANA time zone/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL: /);
  });

  it('never prints the value of a secret, even a bad one', () => {
    const token = 'not-a-token-but-secret-looking-value';
    const problems = problemsOf({ TELEGRAM_BOT_TOKEN: token, LINK_SECRET: 'short-secret-xyz' });
    expect(problems.map((p) => p.split(':')[0]?.trim())).toEqual(['LINK_SECRET', 'TELEGRAM_BOT_TOKEN']);
    expect(problems.join('\n')).not.toContain(token);
    expect(problems.join('\n')).not.toContain('short-secret-xyz');
  });

  it('requires a secret with each webhook', () => {
    const problems = problemsOf({
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/tg',
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    });
    expect(problems).toEqual(['  TELEGRAM_WEBHOOK_SECRET: is required with TELEGRAM_WEBHOOK_URL']);
  });

  it('accepts redis:// and rediss:// URLs', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://user:pw@cache.internal:6380/2' }).REDIS_URL).toBe(
      'rediss://user:pw@cache.internal:6380/2',
    );
    expect(problemsOf({ REDIS_URL: 'http://cache' })).toHaveLength(1);
  });

  it('takes an optional METRICS_TOKEN for /metrics, refusing a short one without printing it', () => {
    expect(loadConfig({}).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'scrape-token-0123456789' }).METRICS_TOKEN).toBe(
      'scrape-token-0123456789',
    );
    const problems = problemsOf({ METRICS_TOKEN: 'tiny tok' });
    expect(problems).toEqual([expect.stringMatching(/^ {2}METRICS_TOKEN: must be 16–256 characters/)]);
    expect(problems.join('\n')).not.toContain('tiny tok');
  });
});
