import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { LogLines } from '../support/log-lines.js';

/** What an operator's log collector receives, whatever a call site hands the logger. */
function logger() {
  const logs = new LogLines();
  return { logs, log: createLogger({ level: 'debug', destination: logs, secrets: ['TOKEN-123456'] }) };
}

const NAME = 'Hà Thị Planted';
const WORDS = 'con tôi ốm, xin vắng buổi họp';

describe('the logger', () => {
  it('redacts names and typed text wherever a logged object carries them', () => {
    const { logs, log } = logger();
    const from = {
      id: 41,
      is_bot: false,
      first_name: 'Hà',
      last_name: 'Thị Planted',
      username: 'ha_planted',
    };
    log.warn({ from, text: WORDS, chat: { id: 41, title: NAME } }, 'two levels');
    log.error({ person: { id: 'p1', name: NAME, displayName: NAME }, note: WORDS, reason: WORDS }, 'ours');
    log.info({ callback: { data: `a|m1|x|${WORDS}` }, msg: { caption: WORDS } }, 'more');
    const all = logs.raw.join('');
    for (const planted of [NAME, WORDS, 'Thị Planted', 'ha_planted']) expect(all).not.toContain(planted);
    expect(logs.lines[0]).toMatchObject({ from: { id: 41, first_name: '[personal]' }, chat: { id: 41 } });
    expect(logs.lines[1]).toMatchObject({ person: { id: 'p1', name: '[personal]' } });
  });

  it('logs a Telegram update as its id and kind only', () => {
    const { logs, log } = logger();
    const update = {
      update_id: 77,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 41, type: 'private' },
        from: { first_name: NAME },
        text: WORDS,
      },
    };
    log.error({ update }, 'failed');
    expect(logs.lines[0]?.update).toEqual({ update_id: 77, type: 'message' });
    expect(logs.raw.join('')).not.toContain(NAME);
  });

  it('logs an error by type, message, code and stack, without the payload it carried', () => {
    const { logs, log } = logger();
    const err = Object.assign(new Error("Call to 'sendMessage' failed!"), {
      method: 'sendMessage',
      error_code: 403,
      payload: { chat_id: 41, text: `Chào đồng chí ${NAME}` },
      config: { url: 'https://api.example/botTOKEN-123456/sendMessage', data: WORDS },
      response: { data: WORDS },
    });
    log.error({ err }, 'send failed');
    expect(logs.lines[0]?.err).toMatchObject({ method: 'sendMessage', error_code: 403 });
    const all = logs.raw.join('');
    for (const planted of [NAME, WORDS, 'TOKEN-123456']) expect(all).not.toContain(planted);
  });
});
