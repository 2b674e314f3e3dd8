import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppHarness } from '../support/app-harness.js';
import { kheLechOnly } from '../support/commune.js';
import { zaloUpdate } from '../support/fake-zalo.js';

vi.setConfig({ testTimeout: 60_000 });

/**
 * A question reaches the chat's open question before it is sent, so a quick reply never finds an older one; when
 * it cannot be sent, the question the member last saw is put back: a reply is never read against one unseen.
 */
const ANSWER_LINE = 'Trả lời 1 = Có mặt, 2 = Vắng (kèm lý do, ví dụ: 2 ốm)';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('a Zalo question that could not be sent', () => {
  it('is not the one a reply answers: the invitation she saw is', async () => {
    h = await AppHarness.start({ start: '2026-11-26T03:00:00Z', zalo: true, telegram: false });
    const code = await kheLechOnly(h, ['Hà Thị Mai', 'Lò Văn Sinh']);
    await h.zaloSay('zalo-mai', code('Hà Thị Mai'));
    const mai = await h.services.repos.people.byChannel('zalo', 'zalo-mai');
    if (!mai) throw new Error('Mai is not linked');
    await h.advanceTo('2026-12-02T13:00:00Z');
    expect(h.zaloInbox('zalo-mai', ANSWER_LINE)).toHaveLength(1);
    const zalo = h.zalo as NonNullable<AppHarness['zalo']>;
    const answer = async () => {
      const [next] = (await h?.services.meetings.upcomingFor(mai.id)) ?? [];
      return next && (await h?.services.repos.meetings.answers(next.meeting.id))?.get(mai.id);
    };

    // "2": the question of her reason cannot reach her (Zalo fails every send for now).
    zalo.failNext(1_000, 500, undefined, 'sendMessage');
    h.clock.advance(1_000);
    zalo.queueUpdate(zaloUpdate({ text: '2' }, { chatId: 'zalo-mai' }));
    await vi.waitFor(() =>
      expect(
        zalo.calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === 'zalo-mai').length,
      ).toBeGreaterThan(1),
    );
    expect(await answer()).toBeUndefined();

    // Zalo is back. Her "1" answers the invitation she saw («1 = Có mặt»), not the unseen reasons («1 = Ốm»).
    zalo.failNext(0, 500, undefined, 'sendMessage');
    h.clock.advance(1_000);
    zalo.queueUpdate(zaloUpdate({ text: '1' }, { chatId: 'zalo-mai' }));
    await vi.waitFor(async () => expect(await answer()).toBeDefined());
    expect(await answer()).toMatchObject({ choice: 'present' });
  });
});
