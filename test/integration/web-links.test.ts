import { afterEach, describe, expect, it } from 'vitest';
import { answerLink, LinkSigner, linkSecret } from '../../src/channels/web/links.js';
import { answerPages } from '../../src/channels/web/pages.js';
import { createHttpApp, type HttpServer, listen } from '../../src/http/server.js';
import { t } from '../../src/i18n.js';
import { createLogger } from '../../src/logger.js';
import { keys } from '../../src/store/keys.js';
import { world } from '../support/world.js';

const log = createLogger({ level: process.env.TEST_LOG ?? 'silent' });
const SECRET = 'a-link-secret-for-tests-only-0123456789';
const ROSTER = 'ho_ten,vai_tro\nNguyễn Văn Tuấn,Bí thư\nLò Văn Sinh,Đảng viên\nHà Thị Mai,Đảng viên\n';

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(signer = new LinkSigner(SECRET)) {
  const w = world();
  const khe = await w.cell('Chi bộ thôn <Khe Lếch> & "Bản"', ROSTER);
  const school = await w.cell('Chi bộ Trường THCS Tân An', 'ho_ten\nPhạm Văn Giáo\n');
  const meeting = await w.meeting(khe.cell, '2026-12-05T12:30:00Z'); // Thứ Bảy 05/12/2026 19:30 in Hà Nội
  const person = async (code: string, zaloId: string) => {
    const linked = await w.services.people.linkWithCode(code, 'zalo', zaloId);
    if (!linked.ok) throw new Error(linked.reason);
    return linked.person;
  };
  const mai = await person(khe.code('Hà Thị Mai'), 'zalo-mai');
  const sinh = await person(khe.code('Lò Văn Sinh'), 'zalo-sinh');
  const teacher = await person(school.code('Phạm Văn Giáo'), 'zalo-giao');
  const app = createHttpApp(log).route(
    '/',
    answerPages({ services: w.services, signer, log, now: w.clock.now }),
  );
  const http = await listen(app, { port: 0, host: '127.0.0.1' });
  servers.push(http);
  const base = `http://127.0.0.1:${http.port}`;
  const linkOf = (personId: string, m = meeting) => answerLink(signer, base, personId, m);
  const answers = () => w.services.repos.meetings.answers(meeting.id);
  return { ...w, newMeeting: w.meeting, khe, meeting, mai, sinh, teacher, base, signer, linkOf, answers };
}

const get = (url: string) => fetch(url);
const post = (url: string, fields: Record<string, string> | string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  });

/** Rewrites the token's payload and keeps its signature, as someone editing a link would. */
function withPayload(url: string, edit: (payload: Record<string, unknown>) => void): string {
  const [prefix, token = ''] = url.split('/r/');
  const [body = '', signature] = token.split('.');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  edit(payload);
  return `${prefix}/r/${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

describe('the one-tap answer page', () => {
  it('shows the meeting, the member and real form buttons, escaped, without recording anything', async () => {
    const s = await setup();
    const res = await get(await s.linkOf(s.mai.id));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain(
      'Kính mời đồng chí dự buổi sinh hoạt chi bộ thường kỳ — Chi bộ thôn &lt;Khe Lếch&gt; &amp; &quot;Bản&quot;',
    );
    expect(html).not.toContain('<Khe Lếch>');
    expect(html).toContain('Thời gian: Thứ Bảy, 05/12/2026, 19:30');
    expect(html).toContain('Địa điểm: Nhà văn hóa thôn');
    expect(html).toContain('Kính gửi đồng chí Hà Thị Mai');
    expect(html).toContain(t('invite.ask'));
    expect(html).toContain('<form method="post">');
    expect(html).toContain('<button name="answer" value="present" class="present">✅ Có mặt</button>');
    expect(html).toContain('<button name="answer" value="sick">Vắng — Ốm</button>');
    expect(html).toContain('<button name="answer" value="other">Vắng — lý do khác</button>');
    expect(html).not.toContain('<script');
    expect((await s.answers()).size).toBe(0);
  });

  it('records Có mặt, then Vắng with a quick reason, then one in the member’s words, through the service', async () => {
    const s = await setup();
    const url = await s.linkOf(s.mai.id);

    let res = await post(url, { answer: 'present' });
    expect(res.status).toBe(200);
    let html = await res.text();
    expect(html).toContain('Đã ghi: Có mặt');
    expect(html).toContain('Trả lời của đồng chí: Có mặt. Có thể đổi đến khi bắt đầu họp.');
    expect((await s.answers()).get(s.mai.id)?.choice).toBe('present');

    res = await post(url, { answer: 'work', note: 'ignored for a quick reason' });
    expect(await res.text()).toContain('Đã ghi: Vắng — Công tác');
    expect((await s.answers()).get(s.mai.id)).toMatchObject({ choice: 'absent', reason: 'work' });

    res = await post(url, { answer: 'other', note: '  Đi khám <mắt>  ' });
    html = await res.text();
    expect(html).toContain('Đã ghi: Vắng — Đi khám &lt;mắt&gt;');
    expect((await s.answers()).get(s.mai.id)).toMatchObject({ choice: 'absent', reason: 'Đi khám <mắt>' });

    // The page now shows her answer; nobody else's changed.
    expect(await (await get(url)).text()).toContain('Trả lời của đồng chí: Vắng — Đi khám &lt;mắt&gt;.');
    expect([...(await s.answers()).keys()]).toEqual([s.mai.id]);
  });

  it('cannot answer for someone else: a person swapped into the token is refused (403), nothing recorded', async () => {
    const s = await setup();
    const forSinh = withPayload(await s.linkOf(s.mai.id), (p) => {
      p.personId = s.sinh.id;
    });
    for (const res of [await post(forSinh, { answer: 'present' }), await get(forSinh)]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(t('web.tampered'));
    }
    // Nor by moving her link to another meeting, or past its expiry.
    const other = await s.newMeeting(s.khe.cell, '2027-01-05T12:30:00Z');
    const moved = withPayload(await s.linkOf(s.mai.id), (p) => {
      p.meetingId = other.id;
    });
    expect((await post(moved, { answer: 'present' })).status).toBe(403);
    const extended = withPayload(await s.linkOf(s.mai.id), (p) => {
      p.exp = Number(p.exp) + 86_400_000;
    });
    expect((await post(extended, { answer: 'present' })).status).toBe(403);
    // A link signed with another secret is no better.
    const foreign = await answerLink(
      new LinkSigner('another-secret-of-at-least-32-chars!!'),
      s.base,
      s.mai.id,
      s.meeting,
    );
    expect((await post(foreign, { answer: 'present' })).status).toBe(403);
    expect((await s.answers()).size).toBe(0);
    expect((await s.services.repos.meetings.answers(other.id)).size).toBe(0);
  });

  it('refuses a forged or broken token with 400 and a clear page', async () => {
    const s = await setup();
    const good = await s.linkOf(s.mai.id);
    for (const url of [
      `${s.base}/r/abc`,
      `${s.base}/r/abc.def`,
      `${s.base}/r/${'x'.repeat(600)}`,
      good.slice(0, -5), // cut short, as a link broken across lines
      withPayload(good, (p) => {
        p.personId = '../admin';
      }),
      withPayload(good, (p) => {
        p.role = 'admin';
      }),
    ]) {
      const res = await post(url, { answer: 'present' });
      expect(res.status, url).toBe(400);
      const html = await res.text();
      expect(html).toContain(t('web.refusedTitle'));
      expect(html).toContain(t('web.malformed'));
    }
    expect((await s.answers()).size).toBe(0);
  });

  it('refuses an expired link with 410, whether its own time or the meeting’s start has passed', async () => {
    const s = await setup();
    await post(await s.linkOf(s.mai.id), { answer: 'present' });
    // Signed for an earlier start (the meeting was moved later since): the link's own expiry holds.
    const old = await answerLink(s.signer, s.base, s.mai.id, {
      id: s.meeting.id,
      startsAt: s.clock.now() - 1,
    });
    let res = await post(old, { answer: 'sick' });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain(t('refuse.expired'));

    s.clock.set('2026-12-05T12:31:00Z');
    for (const r of [
      await post(await s.linkOf(s.mai.id), { answer: 'sick' }),
      await get(await s.linkOf(s.mai.id)),
    ]) {
      expect(r.status).toBe(410);
      expect(await r.text()).toContain(t('refuse.expired'));
    }
    // Moved earlier than the link says: the service's own check refuses it once the meeting has started.
    s.clock.set('2026-12-01T00:00:00Z');
    const moved = { ...s.meeting, startsAt: Date.parse('2026-11-30T12:30:00Z') };
    await s.services.repos.meetings.save(moved);
    res = await post(await s.linkOf(s.mai.id, s.meeting), { answer: 'sick' });
    expect(res.status).toBe(410);
    expect((await s.answers()).get(s.mai.id)?.choice).toBe('present');
  });

  it('refuses a cancelled or unknown meeting (410) and a member of another cell (403)', async () => {
    const s = await setup();
    const cancelled = await s.newMeeting(s.khe.cell, '2026-12-20T12:30:00Z', { state: 'cancelled' });
    let res = await post(await s.linkOf(s.mai.id, cancelled), { answer: 'present' });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain(t('refuse.cancelled'));

    res = await get(await s.linkOf(s.mai.id, { ...s.meeting, id: 'nosuchmeeting' }));
    expect(res.status).toBe(410);
    expect(await res.text()).toContain(t('web.gone'));

    res = await post(await s.linkOf(s.teacher.id), { answer: 'present' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(t('refuse.notMember'));
    expect((await s.answers()).size).toBe(0);
  });

  it('refuses a form that is not one of the buttons, changing nothing', async () => {
    const s = await setup();
    const url = await s.linkOf(s.mai.id);
    for (const body of [
      'answer=maybe',
      '',
      'answer=present&answer=sick',
      `answer=other&note=${'x'.repeat(201)}`,
    ]) {
      const res = await post(url, body);
      expect(res.status, body).toBe(400);
      expect(await res.text()).toContain(t('web.invalidForm'));
    }
    expect((await s.answers()).size).toBe(0);
  });
});

describe('the link secret', () => {
  it('is LINK_SECRET when set, otherwise generated once in the store and shared by every replica', async () => {
    const { store } = world();
    expect(await linkSecret(store, SECRET)).toBe(SECRET);
    expect(await store.get(keys.linkSecret())).toBeUndefined();
    const first = await linkSecret(store);
    const second = await linkSecret(store);
    expect(first).toBe(second);
    expect(first.length).toBeGreaterThanOrEqual(32);
    // Two replicas verify each other's links.
    const payload = { personId: 'p1', meetingId: 'm1', exp: Date.parse('2027-01-01T00:00:00Z') };
    const token = await new LinkSigner(first).sign(payload);
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(await new LinkSigner(second).verify(token, now)).toEqual({ ok: true, payload });
    // The composition root's signer reads the same secret, on first use rather than at start-up.
    expect(await LinkSigner.shared(store).verify(token, now)).toEqual({ ok: true, payload });
    expect((await LinkSigner.shared(store, SECRET).verify(token, now)).ok).toBe(false);
  });

  it('is fetched on first use, and fetched again after a failure (the store was down)', async () => {
    let calls = 0;
    const signer = new LinkSigner(async () => {
      calls += 1;
      if (calls === 1) throw new Error('store unreachable');
      return SECRET;
    });
    const payload = { personId: 'p1', meetingId: 'm1', exp: 2 };
    expect(calls).toBe(0);
    await expect(signer.sign(payload)).rejects.toThrow('store unreachable');
    const token = await signer.sign(payload);
    expect(await new LinkSigner(SECRET).verify(token, 1)).toEqual({ ok: true, payload });
    await signer.sign(payload);
    expect(calls).toBe(2);
  });
});
