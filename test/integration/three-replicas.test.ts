import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/store/keys.js';
import {
  BOOTSTRAP_CODE,
  HARNESS_LINK_SECRET,
  type TelegramUser,
  telegramUser,
} from '../support/app-harness.js';
import { KHE_LECH_CSV, KHE_LECH_MEMBERS } from '../support/commune.js';
import { FAKE_TOKEN, FakeTelegram, type RecordedMessage } from '../support/fake-telegram.js';
import { FAKE_ZALO_TOKEN, FakeZalo, zaloUpdate } from '../support/fake-zalo.js';
import { deletePrefixed, REDIS_URL, redisAvailable, redisStore, uniquePrefix } from '../support/redis.js';
import { ClockFile, ServiceProcess, TelegramPeople, until } from '../support/service-processes.js';

/**
 * The service as operators scale it: three processes of src/main.ts, each on its own port, sharing one
 * Redis (their own key prefix), against the fake Telegram and Zalo Bot APIs, on one clock the test moves. Telegram
 * reaches every replica through its webhook. A cell is set up through the bot, its meeting planned; every member
 * must receive the notice and each reminder exactly once, a tap on any replica counts once, and the replica that
 * is sending the notices is killed (SIGKILL) in the middle of them.
 */
const available = await redisAvailable();
const prefix = uniquePrefix(import.meta.filename);
const dir = mkdtempSync(join(tmpdir(), 'chibo-replicas-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (available) await deletePrefixed(prefix);
});

const WEBHOOK_PATH = '/telegram/hook';
const WEBHOOK_SECRET = 'replicas-webhook-secret';
/** How the members' notice begins (the only such message here: the cell has no committee member). */
const NOTICE = '📅';
const FOLLOW_UP = '⏰';
/** Notices per second to Telegram: slow enough that the kill lands in the middle of the fan-out. */
const SEND_RATE = 5;

/** The outbox's sent markers of one reminder step (message keys are occurrence × person). */
async function sentMarkers(step: string): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    let count = 0;
    do {
      const [next, found] = await redis.scan(
        cursor,
        'MATCH',
        `${prefix}outbox:sent:*.${step}.*`,
        'COUNT',
        1000,
      );
      cursor = next;
      count += found.length;
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

describe.runIf(available)('three replicas of the service on one Redis', () => {
  it('deliver each notice and reminder exactly once, count a tap on any replica once, and lose nothing when one is killed mid fan-out', {
    timeout: 120_000,
  }, async () => {
    const started = Date.now();
    const telegram = await FakeTelegram.start();
    const zalo = await FakeZalo.start();
    const clock = new ClockFile(join(dir, 'clock'));
    clock.set('2026-11-26T03:00:00Z');
    const env = {
      NODE_ENV: 'test',
      TEST_CLOCK_FILE: clock.path,
      LOG_FORMAT: 'json',
      REDIS_URL,
      // The killed sender's lease lapses within seconds: the others take its sending over sooner.
      OUTBOX_LEASE_MS: '3000',
      REDIS_KEY_PREFIX: prefix,
      TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      TELEGRAM_WEBHOOK_URL: `https://chibo.example.vn${WEBHOOK_PATH}`,
      TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
      TELEGRAM_SEND_RATE: String(SEND_RATE),
      ZALO_BOT_TOKEN: FAKE_ZALO_TOKEN,
      ZALO_API_ROOT: zalo.baseApiUrl,
      PUBLIC_URL: 'https://chibo.example.vn',
      ADMIN_BOOTSTRAP_CODE: BOOTSTRAP_CODE,
      LINK_SECRET: HARNESS_LINK_SECRET,
    };
    const replicas: ServiceProcess[] = [];
    const everyone: ServiceProcess[] = [];
    const store = redisStore(prefix);
    try {
      for (const p of await Promise.all([0, 1, 2].map((i) => ServiceProcess.start(`R${i}`, env))))
        replicas.push(p);
      everyone.push(...replicas);
      const startedIn = Date.now() - started;
      const at = (i: number) => replicas[i % replicas.length] as ServiceProcess;
      const people = new TelegramPeople(telegram, WEBHOOK_PATH, WEBHOOK_SECRET);

      // ── Chị Hoa sets the cell up through the bot, each command reaching another replica ──
      const hoa = telegramUser(1001, 'Hoa');
      await people.say(at(0), hoa, `/start ${BOOTSTRAP_CODE}`);
      await people.say(at(1), hoa, '/taodangbo Đảng bộ xã Tân An');
      const [created] = await people.say(
        at(2),
        hoa,
        '/taochibo Chi bộ thôn Khe Lếch | thôn | ngày 5 hằng tháng 19:30 | Nhà văn hóa thôn Khe Lếch | họp cả cuối tuần, giữ ngày',
      );
      expect(created?.text).toContain('Đã tạo chi bộ số 1');
      expect((await people.say(at(0), hoa, `/nhapds 1\n${KHE_LECH_CSV}`))[0]?.text).toContain('thêm 22');
      const [invites] = await people.say(at(1), hoa, '/moi 1');
      const codes = new Map(
        [...(invites?.text ?? '').matchAll(/• (.+?): ([A-Z0-9]{6})/g)].map((m) => [m[1], m[2] as string]),
      );

      // ── The secretary and 18 members link on Telegram (through every replica), two members on Zalo ──
      const roster = ['Nguyễn Văn Tuấn', ...KHE_LECH_MEMBERS];
      const onTelegram = roster.slice(0, -2).map((name, i) => ({ name, user: telegramUser(2000 + i, name) }));
      const onZalo = roster.slice(-2).map((name, i) => ({ name, chatId: `zalo-${i}` }));
      await Promise.all(
        onTelegram.map(async ({ name, user }, i) => {
          const [welcome] = await people.say(at(i), user, `/start ${codes.get(name)}`);
          expect(welcome?.text).toContain(name);
        }),
      );
      for (const { name, chatId } of onZalo) {
        zalo.queueUpdate(zaloUpdate({ text: codes.get(name) ?? '' }, { chatId, displayName: name }));
        await zalo.waitForSent((m) => m.chat_id === chatId, 10_000);
      }
      const tuan = (onTelegram[0] as { user: TelegramUser }).user;
      const inbox = (user: TelegramUser, start: string) =>
        telegram.sent.filter((m) => m.chat_id === String(user.id) && m.text.startsWith(start));
      const zaloInbox = (chatId: string, start: string) =>
        zalo.sent.filter((m) => m.chat_id === chatId && (m.text ?? '').startsWith(start));

      // ── The secretary's preparation steps, a week and five days before Saturday 05/12 19:30 ──
      clock.set('2026-11-28T02:00:00Z');
      await until(() => inbox(tuan, '📋').length > 0, 'the drafting reminder');
      clock.set('2026-11-30T02:00:00Z');
      await until(() => inbox(tuan, '🗂').length > 0, 'the committee reminder');

      // ── Three days before, the notice goes to everyone; the replica sending it is killed midway ──
      const notices = () => telegram.sent.filter((m) => m.text.startsWith(NOTICE));
      clock.set('2026-12-02T02:00:00Z');
      await until(() => notices().length >= 6, 'the first notices');
      // The kill lands between two sends: the next one is waiting at the Bot API, not yet taken, and the ones
      // answered before have had time to be marked sent. (A send Telegram took whose answer the process never
      // read would be sent again: Telegram has no idempotency key. That bound is tested in
      // scheduler-processes.test.ts.)
      telegram.hold();
      await until(() => telegram.held > 0, 'the sender to wait on its next send');
      // Zalo goes on sending meanwhile: the markers are read before the sends are counted, so that every send
      // counted is marked (a marker is written after its send), not some Zalo send's marker standing in for it.
      const delivered = () =>
        notices().length + zalo.sent.filter((m) => (m.text ?? '').startsWith(NOTICE)).length;
      await until(async () => {
        const marked = await sentMarkers('notice');
        return marked >= delivered();
      }, 'the delivered notices marked sent');
      const senderId = await store.get(keys.lease('outbox:telegram'));
      const sender = replicas.find((r) => r.replicaId === senderId);
      if (!sender) throw new Error(`the sending replica ${senderId} is none of ours`);
      const heldAtKill = telegram.held;
      await sender.kill();
      const deliveredAtKill = notices().length;
      // Its exit can be seen before its connections close: released sooner, a held send would count as taken.
      await until(() => telegram.heldClosed >= heldAtKill, 'the killed sender’s held sends to be dropped');
      telegram.release();
      // Its orchestrator starts another; time goes on past the dead sender's claims (a minute).
      const restarted = await ServiceProcess.start('R3', env);
      everyone.push(restarted);
      replicas.splice(replicas.indexOf(sender), 1, restarted);
      clock.set('2026-12-02T02:05:00Z');
      await until(() => notices().length >= onTelegram.length, 'every notice after the kill', 40_000);
      await until(() => onZalo.every(({ chatId }) => zaloInbox(chatId, NOTICE).length > 0), 'Zalo notices');
      const fanOutDone = Date.now();

      // ── Members answer with a tap, through every replica; one tap reaches two replicas ──
      const noticeOf = (user: TelegramUser) => inbox(user, NOTICE)[0] as RecordedMessage;
      const tappers = onTelegram.slice(1, 10).map((p) => p.user);
      for (const [i, user] of tappers.entries())
        expect(await people.tap(at(i), user, noticeOf(user), '✅ Có mặt')).toBe('Đã ghi: Có mặt');
      // Telegram delivers an update again when its first delivery was not acknowledged in time: the same tap
      // arrives at two replicas at once.
      const twice = (onTelegram[10] as { user: TelegramUser }).user;
      const update = people.tapOn(twice, noticeOf(twice), '✅ Có mặt');
      expect(await Promise.all([people.post(at(0), update), people.post(at(1), update)])).toEqual([200, 200]);
      const answered = [...tappers, twice];
      const [tally] = await people.say(at(2), tuan, '/diemdanh');
      expect(tally?.text).toContain(`Có mặt ${answered.length}/21`);

      // ── The day before, the follow-up goes to everyone who has not answered ──
      const unanswered = onTelegram.map((p) => p.user).filter((u) => !answered.includes(u));
      clock.set('2026-12-04T10:30:00Z');
      await until(
        () =>
          unanswered.every((u) => inbox(u, FOLLOW_UP).length > 0) &&
          onZalo.every(({ chatId }) => zaloInbox(chatId, FOLLOW_UP).length > 0),
        'every follow-up',
        20_000,
      );
      await until(() => inbox(tuan, '📎').length > 0, 'the documents reminder');
      // Room for a late duplicate to show.
      await sleep(1_500);

      // ── Exactly once, everywhere ──
      for (const { user } of onTelegram) expect(inbox(user, NOTICE)).toHaveLength(1);
      for (const user of unanswered) expect(inbox(user, FOLLOW_UP)).toHaveLength(1);
      for (const user of answered) expect(inbox(user, FOLLOW_UP)).toHaveLength(0);
      for (const step of ['📋', '🗂', '📎']) expect(inbox(tuan, step)).toHaveLength(1);
      for (const { chatId } of onZalo) {
        expect(zaloInbox(chatId, NOTICE)).toHaveLength(1);
        expect(zaloInbox(chatId, FOLLOW_UP)).toHaveLength(1);
      }
      expect(telegram.duplicates()).toBe(0);
      const zaloTexts = zalo.sent.map((m) => `${m.chat_id}\n${m.text}`);
      expect(new Set(zaloTexts).size).toBe(zaloTexts.length);
      // The kill did land mid fan-out.
      expect(deliveredAtKill).toBeGreaterThanOrEqual(6);
      expect(deliveredAtKill).toBeLessThan(onTelegram.length);
      console.log(
        `three replicas: started in ${startedIn} ms; sender killed at ${deliveredAtKill}/${onTelegram.length} ` +
          `notices, the rest delivered ${fanOutDone - started} ms into the test; total ${Date.now() - started} ms`,
      );
    } catch (err) {
      if (process.env.DEBUG_REPLICAS) {
        console.log(telegram.sent.map((m) => `${m.chat_id}: ${m.text.slice(0, 60)}`).join('\n'));
        console.log(zalo.sent.map((m) => `${m.chat_id}: ${m.text?.slice(0, 80)}`).join('\n'));
        for (const r of everyone)
          console.log(
            r.name,
            r.lines
              .filter((l) => l.level >= 40 || /Reminders|planned/.test(l.msg))
              .map((l) => JSON.stringify(l))
              .join('\n'),
          );
      }
      throw err;
    } finally {
      await Promise.all(everyone.map((r) => r.stop()));
      await store.close();
      await telegram.close();
      await zalo.close();
    }
  });
});
