import { afterEach, describe, expect, it, vi } from 'vitest';
import { t } from '../../src/i18n.js';
import { AppHarness, type HarnessOptions, type TelegramUser, telegramUser } from '../support/app-harness.js';
import { kheLechOnly } from '../support/commune.js';
import { zaloUpdate } from '../support/fake-zalo.js';

// Whole-app turns on a simulated clock, with retries through the outbox.
vi.setConfig({ testTimeout: 60_000 });

/**
 * Replies a person should receive at once ("Đã ghi: …", a welcome) meet a Bot API that answers 429 or 5xx: they
 * reach the person once, after retry_after or a backoff, or are counted as failed; what was stored stands.
 */
const START = '2026-11-26T03:00:00Z';
const ANSWER_LINE = 'Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)';

const harnesses: AppHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
});

async function harness(options: Omit<HarnessOptions, 'start'>) {
  const h = await AppHarness.start({ start: START, ...options });
  harnesses.push(h);
  return h;
}

/** Chi bộ thôn Khe Lếch with Hà Thị Mai and Lò Văn Sinh; their invite codes. */
const khelech = (h: AppHarness) => kheLechOnly(h, ['Hà Thị Mai', 'Lò Văn Sinh']);

/** Someone writes to the bot in private on Telegram (without waiting for an answer, which may not come). */
function telegramSays(h: AppHarness, user: TelegramUser, text: string) {
  h.clock.advance(1_000);
  h.telegram?.pushUpdate({
    message: {
      message_id: 1,
      date: Math.floor(h.clock.now() / 1000),
      chat: { id: user.id, type: 'private', first_name: user.first_name },
      from: user,
      text,
    },
  });
}

/** Bà Mai links on Zalo and gets the notice of Saturday 05/12, three days before: her open question. */
async function maiWithNotice(h: AppHarness) {
  const code = await khelech(h);
  await h.zaloSay('zalo-mai', code('Hà Thị Mai'));
  const mai = await h.services.repos.people.byChannel('zalo', 'zalo-mai');
  if (!mai) throw new Error('Mai is not linked');
  await h.advanceTo('2026-12-02T13:00:00Z');
  expect(h.zaloInbox('zalo-mai', ANSWER_LINE)).toHaveLength(1);
  const answer = async () => {
    const [next] = await h.services.meetings.upcomingFor(mai.id);
    return next && (await h.services.repos.meetings.answers(next.meeting.id)).get(mai.id);
  };
  return { mai, answer };
}

async function metric(h: AppHarness, line: string): Promise<string | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${h.app.port}/metrics`)).text();
  return text.split('\n').find((l) => l.startsWith(line));
}

describe('a reply that meets 429 or 5xx', () => {
  it('on Zalo, 429 twice then 200: bà Mai gets "Đã ghi: Có mặt" exactly once, and her answer is recorded', async () => {
    const h = await harness({ zalo: true, telegram: false });
    const { answer } = await maiWithNotice(h);
    const zalo = h.zalo as NonNullable<typeof h.zalo>;
    const sendsTo = (chat: string) =>
      zalo.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === chat);
    const before = sendsTo('zalo-mai').length;

    zalo.failNext(2, 429, undefined, 'sendMessage');
    h.clock.advance(1_000);
    // Words: hours after the notice, a bare "1" would be asked back (test/unit/zalo/replies-table.test.ts).
    zalo.queueUpdate(zaloUpdate({ text: 'có mặt' }, { chatId: 'zalo-mai' }));

    await vi.waitFor(async () => expect(await answer()).toMatchObject({ choice: 'present' }));
    // The confirmation was refused once, and is now the outbox's to send.
    await vi.waitFor(async () => expect(await h.app.scheduler.outbox.depth()).toBe(1));
    await h.deliver();

    expect(h.zaloInbox('zalo-mai', 'Đã ghi: Có mặt')).toHaveLength(1);
    expect(
      sendsTo('zalo-mai')
        .slice(before)
        .map((c) => String(c.params.text).split('\n')[0]),
    ).toEqual(['Đã ghi: Có mặt', 'Đã ghi: Có mặt', 'Đã ghi: Có mặt']);
    expect(await metric(h, 'chibo_messages_retried_total{channel="zalo"}')).toBe(
      'chibo_messages_retried_total{channel="zalo"} 2',
    );
    expect(await metric(h, 'chibo_messages_failed_total{channel="zalo"}')).toBeUndefined();
    expect(await answer()).toMatchObject({ choice: 'present' });
  });

  it('on Telegram, 429 with retry_after: the welcome comes once, not before retry_after, and the link stands', async () => {
    const h = await harness({ telegram: true });
    const code = await khelech(h);
    const telegram = h.telegram as NonNullable<typeof h.telegram>;
    const sinh = telegramUser(5001, 'Sinh');

    telegram.failNext(1, 429, 1);
    telegramSays(h, sinh, `/start ${code('Lò Văn Sinh')}`);

    await vi.waitFor(async () =>
      expect((await h.services.repos.people.byChannel('telegram', sinh.id))?.name).toBe('Lò Văn Sinh'),
    );
    await vi.waitFor(async () => expect(await h.app.scheduler.outbox.depth()).toBe(1));
    await h.deliver();

    expect(h.inbox(sinh).map((m) => m.text)).toEqual([t('start.welcome', { name: 'Lò Văn Sinh' })]);
    expect(telegram.attempts.filter((a) => a.chat_id === String(sinh.id)).map((a) => a.status)).toEqual([
      429, 200,
    ]);
    // Telegram holds the chat to its retry_after: nothing came sooner.
    expect(telegram.earlySends).toEqual([]);
  });

  it('a 5xx for ever: the confirmation is given up and counted as failed, and the answer stands', async () => {
    const h = await harness({
      zalo: true,
      telegram: false,
      app: { outbox: { maxAttempts: 3, backoffMs: 1_000 } },
    });
    const { answer } = await maiWithNotice(h);
    const zalo = h.zalo as NonNullable<typeof h.zalo>;

    zalo.failNext(100, 502, undefined, 'sendMessage');
    h.clock.advance(1_000);
    zalo.queueUpdate(zaloUpdate({ text: 'có mặt' }, { chatId: 'zalo-mai' }));
    await vi.waitFor(async () => expect(await answer()).toMatchObject({ choice: 'present' }));
    await vi.waitFor(async () => expect(await h.app.scheduler.outbox.depth()).toBe(1));
    await h.deliver();

    expect(h.zaloInbox('zalo-mai', 'Đã ghi')).toEqual([]);
    expect(await metric(h, 'chibo_messages_failed_total{channel="zalo"}')).toBe(
      'chibo_messages_failed_total{channel="zalo"} 1',
    );
    const [dead] = await h.app.scheduler.outbox.listDeadLetters();
    expect(dead).toMatchObject({ channel: 'zalo', chatId: 'zalo-mai', attempts: 3 });
    expect(dead?.error).toContain('502');
    expect(await answer()).toMatchObject({ choice: 'present' });
  });

  it('a 5xx for ever on Telegram: the welcome is given up and counted as failed, and the link stands', async () => {
    const h = await harness({ telegram: true, app: { outbox: { maxAttempts: 3, backoffMs: 1_000 } } });
    const code = await khelech(h);
    const telegram = h.telegram as NonNullable<typeof h.telegram>;
    const sinh = telegramUser(5002, 'Sinh');

    telegram.failNext(100, 502);
    telegramSays(h, sinh, `/start ${code('Lò Văn Sinh')}`);
    await vi.waitFor(async () =>
      expect((await h.services.repos.people.byChannel('telegram', sinh.id))?.name).toBe('Lò Văn Sinh'),
    );
    await vi.waitFor(async () => expect(await h.app.scheduler.outbox.depth()).toBe(1));
    await h.deliver();

    expect(h.inbox(sinh)).toEqual([]);
    expect(telegram.attempts.filter((a) => a.chat_id === String(sinh.id)).map((a) => a.status)).toEqual([
      502, 502, 502,
    ]);
    expect(await metric(h, 'chibo_messages_failed_total{channel="telegram"}')).toBe(
      'chibo_messages_failed_total{channel="telegram"} 1',
    );
    expect((await h.services.repos.people.byChannel('telegram', sinh.id))?.name).toBe('Lò Văn Sinh');
  });
});
