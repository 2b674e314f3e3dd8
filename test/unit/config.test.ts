import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig, usesRedis } from '../../src/config.js';

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

  it('says the range of a PORT out of it', () => {
    for (const port of ['70000', '-1'])
      expect(problemsOf({ PORT: port })).toEqual([
        '  PORT: must be between 0 and 65535 (0 picks a free port)',
      ]);
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
    expect(loadConfig({ PORT: '65535' }).PORT).toBe(65535);
  });

  it('refuses an unknown POLICY like any other bad variable, listing the presets', () => {
    expect(problemsOf({ POLICY: 'hai-cap-2052' })).toEqual([
      '  POLICY: must be a preset (hai-cap-2025, kontum-2023, laocai-2020) or the path of a policy JSON file',
    ]);
    expect(problemsOf({ POLICY: 'policies/missing.json' })).toEqual([
      `  POLICY: no policy file at ${resolve('policies/missing.json')}`,
    ]);
    expect(loadConfig({ POLICY: 'kontum-2023' }).POLICY).toBe('kontum-2023');
    expect(loadConfig({ POLICY: 'test/fixtures/policy/deployment/own-policy.json' }).POLICY).toBe(
      'test/fixtures/policy/deployment/own-policy.json',
    );
  });

  it('takes webhook URLs only over https', () => {
    const problems = problemsOf({
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      TELEGRAM_WEBHOOK_URL: 'http://bot.example.org/tg',
      TELEGRAM_WEBHOOK_SECRET: 'secret',
      ZALO_BOT_TOKEN: 'zalo-token-0123456789',
      ZALO_WEBHOOK_URL: 'http://bot.example.org/zalo',
      ZALO_WEBHOOK_SECRET: 'zalo-secret',
      PUBLIC_URL: 'https://bot.example.org',
    });
    expect(problems).toEqual([
      '  TELEGRAM_WEBHOOK_URL: must be a URL starting with https://',
      '  ZALO_WEBHOOK_URL: must be a URL starting with https://',
    ]);
  });

  it('refuses Zalo without PUBLIC_URL: its invitations would carry no answer link', () => {
    const problems = problemsOf({ ZALO_BOT_TOKEN: 'zalo-token-0123456789' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ {2}PUBLIC_URL: is required with ZALO_BOT_TOKEN: .*one-tap answer link/);
    expect(
      loadConfig({ ZALO_BOT_TOKEN: 'zalo-token-0123456789', PUBLIC_URL: 'https://chibo.example.vn' })
        .PUBLIC_URL,
    ).toBe('https://chibo.example.vn');
  });

  it('reads Sentinel as host:port pairs with the master name, and needs both', () => {
    const c = loadConfig({
      REDIS_SENTINELS: 'sentinel-1:26379, 10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'chibo',
    });
    expect(c.REDIS_SENTINELS).toEqual([
      { host: 'sentinel-1', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(usesRedis(c)).toBe(true);
    expect(problemsOf({ REDIS_SENTINELS: 'sentinel-1:26379' })).toEqual([
      '  REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS (the master name the sentinels monitor)',
    ]);
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'chibo' })).toEqual([
      '  REDIS_SENTINELS: is required with REDIS_SENTINEL_NAME',
    ]);
    for (const bad of ['sentinel-1', 'sentinel-1:0', 'a:1,b', ',', 'redis://s:26379'])
      expect(problemsOf({ REDIS_SENTINELS: bad, REDIS_SENTINEL_NAME: 'chibo' })).toEqual([
        '  REDIS_SENTINELS: must be host:port pairs separated by commas, e.g. sentinel-1:26379,sentinel-2:26379',
      ]);
  });

  it('waits for Redis replicas only on Redis', () => {
    expect(loadConfig({}).REDIS_WAIT_REPLICAS).toBe(0);
    expect(
      loadConfig({ REDIS_URL: 'redis://cache:6379', REDIS_WAIT_REPLICAS: '1' }).REDIS_WAIT_REPLICAS,
    ).toBe(1);
    expect(problemsOf({ REDIS_WAIT_REPLICAS: '1' })).toEqual([
      '  REDIS_WAIT_REPLICAS: needs Redis (REDIS_URL or REDIS_SENTINELS)',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://cache', REDIS_WAIT_REPLICAS: '-1' })).toEqual([
      '  REDIS_WAIT_REPLICAS: must be 0 or more',
    ]);
  });

  it('batches Redis work unless REDIS_BATCHING=off, and refuses other values', () => {
    expect(loadConfig({}).REDIS_BATCHING).toBe('on');
    expect(loadConfig({ REDIS_BATCHING: 'off' }).REDIS_BATCHING).toBe('off');
    expect(problemsOf({ REDIS_BATCHING: 'no' })).toEqual(['  REDIS_BATCHING: must be on or off']);
  });

  it('refuses the test clock outside tests', () => {
    expect(problemsOf({ TEST_CLOCK_FILE: '/tmp/clock', NODE_ENV: 'production' })).toEqual([
      '  TEST_CLOCK_FILE: is for tests only: it is refused unless NODE_ENV=test',
    ]);
    expect(problemsOf({ TEST_CLOCK_FILE: '/tmp/clock' })).toHaveLength(1);
    expect(loadConfig({ TEST_CLOCK_FILE: '/tmp/clock', NODE_ENV: 'test' }).TEST_CLOCK_FILE).toBe(
      '/tmp/clock',
    );
  });

  it('documents every variable in .env.example and the README, and .env.example as it is starts the service', () => {
    const example = readFileSync('.env.example', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    const internal = new Set(['NODE_ENV', 'TEST_CLOCK_FILE']);
    for (const name of Object.keys(configSchema.shape).filter((n) => !internal.has(n))) {
      expect(example, name).toMatch(new RegExp(`^${name}=`, 'm'));
      expect(readme, name).toContain(`| \`${name}\` |`);
    }
    expect(problemsOf(parseEnv(example) as Record<string, string>)).toEqual([]);
  });
});
