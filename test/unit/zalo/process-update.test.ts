import { describe, expect, it, vi } from 'vitest';
import { ZaloBot } from '../../../src/channels/zalo/client.js';
import type { ZaloMessage } from '../../../src/channels/zalo/types.js';
import { createLogger } from '../../../src/logger.js';
import { zaloUpdate } from '../../support/fake-zalo.js';

function memoryLog() {
  const lines: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { log, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** No call reaches the network here: processUpdate is driven directly, as polling and the webhook do. */
const newBot = (log = memoryLog().log) =>
  new ZaloBot('test-token-not-used', { baseApiUrl: 'http://127.0.0.1:1', logger: log });

describe('ZaloBot.processUpdate', () => {
  it('emits message, then the type event, then matching onText callbacks, as the SDK does', () => {
    const bot = newBot();
    const seen: string[] = [];
    bot.on('message', (msg, meta) => seen.push(`message:${meta.type}:${msg.text}`));
    bot.on('text', (msg) => seen.push(`text:${msg.text}`));
    bot.onText(/^\/start (.+)$/, (_msg, match) => seen.push(`start:${match[1]}`));
    bot.onText(/khong-khop/, () => seen.push('never'));

    bot.processUpdate(zaloUpdate({ text: '/start MOI-123' }));

    expect(seen).toEqual(['message:text:/start MOI-123', 'text:/start MOI-123', 'start:MOI-123']);
  });

  it('names photos, stickers and unsupported messages by what they carry', () => {
    const bot = newBot();
    const types: (string | undefined)[] = [];
    const photos: ZaloMessage[] = [];
    bot.on('message', (_msg, meta) => types.push(meta.type));
    bot.on('photo', (msg) => photos.push(msg));
    bot.on('sticker', (msg) => types.push(`sticker event ${msg.sticker}`));

    bot.processUpdate(zaloUpdate({ photo: 'https://example.test/a.jpg', caption: 'biên bản' }));
    bot.processUpdate(zaloUpdate({ sticker: 'st-1' }));
    bot.processUpdate(zaloUpdate({}));

    expect(types).toEqual(['photo', 'sticker', 'sticker event st-1', undefined]);
    expect(photos[0]).toMatchObject({ photo: 'https://example.test/a.jpg', caption: 'biên bản' });
  });

  it('matches a global regexp on every message, not only every other one', () => {
    const bot = newBot();
    const matches: string[] = [];
    bot.onText(/co/g, (msg) => matches.push(msg.message_id));

    bot.processUpdate(zaloUpdate({ text: 'co' }, { messageId: 'a' }));
    bot.processUpdate(zaloUpdate({ text: 'co' }, { messageId: 'b' }));

    expect(matches).toEqual(['a', 'b']);
  });

  it('drops an update of the wrong shape with a warning that names the fields, not their values', () => {
    const { log, entries } = memoryLog();
    const bot = newBot(log);
    const onMessage = vi.fn();
    bot.on('message', onMessage);

    const update = zaloUpdate({ text: 'bí mật của đảng viên' });
    expect(() =>
      bot.processUpdate({ ...update, message: { ...update.message, chat: undefined } }),
    ).not.toThrow();
    bot.processUpdate('not an update');
    bot.processUpdate(null);

    expect(onMessage).not.toHaveBeenCalled();
    const warnings = entries().filter((e) => e.level === 40);
    expect(warnings).toHaveLength(3);
    expect(JSON.stringify(warnings[0])).toContain('message.chat');
    expect(JSON.stringify(entries())).not.toContain('bí mật');
  });

  it('takes numeric IDs as strings', () => {
    const bot = newBot();
    const onMessage = vi.fn();
    bot.on('message', onMessage);
    const update = zaloUpdate({ text: 'x' });

    bot.processUpdate({
      ...update,
      message: { ...update.message, message_id: 42, chat: { id: 7, chat_type: 'PRIVATE' } },
    });

    expect(onMessage.mock.calls[0]?.[0]).toMatchObject({ message_id: '42', chat: { id: '7' } });
  });

  it('processes a message_id once, and forgets it only after many newer messages', () => {
    const bot = newBot();
    const ids: string[] = [];
    bot.on('message', (msg) => ids.push(msg.message_id));

    bot.processUpdate(zaloUpdate({ text: 'co' }, { messageId: 'm-1' }));
    bot.processUpdate(zaloUpdate({ text: 'co' }, { messageId: 'm-1' }));
    expect(ids).toEqual(['m-1']);

    for (let i = 0; i < 1_000; i++)
      bot.processUpdate(zaloUpdate({ text: 'x' }, { messageId: `filler-${i}` }));
    bot.processUpdate(zaloUpdate({ text: 'co' }, { messageId: 'm-1' }));
    expect(ids.at(-1)).toBe('m-1');
    expect(ids).toHaveLength(1_002);
  });

  it('drops the bot’s own echoed messages', () => {
    const bot = newBot();
    const onMessage = vi.fn();
    bot.on('message', onMessage);

    bot.processUpdate(zaloUpdate({ text: 'Lời mời họp chi bộ' }, { fromId: 'bot-1', isBot: true }));

    expect(onMessage).not.toHaveBeenCalled();
  });

  it('reports a throwing or rejecting listener through `error` and goes on with the others', async () => {
    const bot = newBot();
    const errors: string[] = [];
    const reached = vi.fn();
    bot.on('error', (err) => errors.push(err.message));
    bot.on('message', () => {
      throw new Error('sync boom');
    });
    bot.on('text', async () => {
      throw new Error('async boom');
    });
    bot.onText(/./, async () => {
      throw new Error('onText boom');
    });
    bot.onText(/./, reached);

    bot.processUpdate(zaloUpdate({ text: 'co' }));

    await vi.waitFor(() => expect(errors).toHaveLength(3));
    expect(errors.sort()).toEqual(['async boom', 'onText boom', 'sync boom']);
    expect(reached).toHaveBeenCalledOnce();
  });

  it('logs a failing listener when nobody listens for `error`, instead of crashing', async () => {
    const { log, entries } = memoryLog();
    const bot = newBot(log);
    bot.on('text', async () => {
      throw new Error('handler failed');
    });

    bot.processUpdate(zaloUpdate({ text: 'co' }));

    await vi.waitFor(() => expect(entries().filter((e) => e.level === 50)).toHaveLength(1));
    expect(entries().find((e) => e.level === 50)).toMatchObject({
      listener: 'text',
      err: { message: 'handler failed' },
    });
  });
});
