import type { HopAction, Intent } from '../src/domain/intents.js';
import { parseMeetingTime } from '../src/domain/meeting-time.js';
import { MEETING_KINDS, type MeetingKind } from '../src/domain/types.js';
import { refusal, type View } from '../src/domain/view.js';
import { MAX_PLACE_LENGTH, type MeetingChange, type MeetingRefusal } from '../src/services/meetings.js';
import type { Cell, Meeting } from '../src/store/records.js';
import { kindLabel, shiftNote, when } from '../src/views/format.js';
import type { HandlerContext } from './context.js';
import { chooseSecretaryCell, commandCellQuestion } from './secretary-cells.js';

const intent = (action: HopAction, meeting: Meeting, arg?: string): Intent => ({
  type: 'meeting',
  action,
  meetingId: meeting.id,
  ...(arg ? { arg } : {}),
});

/** /hop [cell]: the cell's next meeting, with what a secretary may do to it. */
export async function handleHop(ctx: HandlerContext, args: string): Promise<View[]> {
  if (!ctx.actor) return [refusal(ctx.t('refuse.notLinked'))];
  if (ctx.chatKind !== 'private') return [refusal(ctx.t('refuse.privateOnly'))];
  const chosen = await chooseSecretaryCell(ctx, args, commandCellQuestion(ctx, 'hop'));
  if ('views' in chosen) return chosen.views;
  const meeting = await ctx.services.meetings.currentOf(chosen.cell.id);
  if (!meeting) return [{ text: ctx.t('hop.none', { cell: chosen.cell.name }) }];
  return [await hopView(ctx, meeting, chosen.cell)];
}

/** "Thứ Năm, 05/12/2026, 14:00", the kind, the place, the topic, whether the notice went out; and the choices. */
export async function hopView(ctx: HandlerContext, meeting: Meeting, cell: Cell): Promise<View> {
  const notified = await ctx.services.meetings.noticeSent(meeting.id);
  const open = meeting.state === 'planned' && ctx.now < meeting.startsAt;
  const place = meeting.place || cell.place;
  const lines = [
    ctx.t('hop.title', { cell: cell.name }),
    ctx.t('hop.kind', { kind: kindLabel(ctx, meeting) }),
    ctx.t('hop.when', { when: when(ctx, meeting, cell) }),
    ...shiftNote(ctx, meeting),
    ...(place ? [ctx.t('hop.place', { place })] : []),
    ...(meeting.topicTitle ? [ctx.t('hop.topic', { topic: meeting.topicTitle })] : []),
    notified ? ctx.t('hop.noticeSent', { count: notified }) : ctx.t('hop.noticeNotSent'),
    ...(open ? [] : [ctx.t('hop.started')]),
  ];
  const version = String(meeting.version);
  return {
    text: lines.join('\n'),
    ...(open
      ? {
          choices: [
            [
              { label: ctx.t('hop.button.time'), intent: intent('htime', meeting, version) },
              { label: ctx.t('hop.button.place'), intent: intent('hplace', meeting, version) },
            ],
            [
              { label: ctx.t('hop.button.kind'), intent: intent('hkind', meeting, version) },
              { label: ctx.t('hop.button.cancel'), intent: intent('hcancel', meeting, version) },
            ],
            [{ label: ctx.t('hop.button.notice'), intent: intent('hnotice', meeting) }],
          ],
        }
      : {}),
  };
}

const refusalKey: Record<MeetingRefusal, string> = {
  not_found: 'refuse.notFound',
  not_secretary: 'refuse.notSecretary',
  stale: 'hop.refuse.stale',
  not_open: 'hop.refuse.notOpen',
  past: 'hop.refuse.past',
  empty: 'hop.refuse.empty',
  too_long: 'refuse.tooLong',
  unchanged: 'hop.refuse.unchanged',
};

/**
 * A /hop action on a meeting the caller already authorized (handleMeetingAction). `arg` carries the version the
 * secretary saw ("3", or "3.thematic" for a kind); `note` the text they typed when asked for a time or place.
 */
export async function handleHopAction(
  ctx: HandlerContext,
  meeting: Meeting,
  cell: Cell,
  action: HopAction,
  arg: string | undefined,
  note: string | undefined,
): Promise<View[]> {
  if (action === 'hop') return [{ ...(await hopView(ctx, meeting, cell)), replace: true }];
  if (action === 'hnotice') return sendNotice(ctx, meeting);

  const [versionText = '', choice] = (arg ?? '').split('.');
  const version = Number(versionText);
  if (!Number.isInteger(version) || version < 1) return [refusal(ctx.t('refuse.invalid'))];
  // A button from before a change is refused at the first tap, not after the secretary typed a time.
  if (version !== meeting.version) return [refusal(ctx.t('hop.refuse.stale'))];
  if (meeting.state !== 'planned' || ctx.now >= meeting.startsAt)
    return [refusal(ctx.t('hop.refuse.notOpen'))];
  const asked = intent(action, meeting, versionText);

  switch (action) {
    case 'htime': {
      if (note === undefined) return [{ text: ctx.t('hop.askTime'), awaitText: asked }];
      const said = note.trim().slice(0, 40);
      const parsed = parseMeetingTime(note, {
        now: new Date(ctx.now),
        timeZone: cell.timeZone,
        defaultDayOf: new Date(meeting.startsAt),
      });
      // A phrase not understood leaves the question open: the secretary types it again.
      if (!parsed.ok)
        return [
          {
            text: [ctx.t(`hop.error.${parsed.error}`, { text: said }), ctx.t('hop.askTime')].join('\n'),
            awaitText: asked,
          },
        ];
      return change(ctx, meeting, { kind: 'time', startsAt: parsed.startsAt.getTime() });
    }
    case 'hplace': {
      if (note === undefined)
        return [{ text: ctx.t('hop.askPlace', { max: MAX_PLACE_LENGTH }), awaitText: asked }];
      return change(ctx, meeting, { kind: 'place', place: note });
    }
    case 'hkind': {
      if (choice === undefined)
        return [
          {
            text: ctx.t('hop.askKind'),
            replace: true,
            choices: [
              ...MEETING_KINDS.map((kind) => [
                {
                  label: (kind === meeting.kind ? '✓ ' : '') + ctx.t(`meeting.kind.${kind}`),
                  intent: intent('hkind', meeting, `${versionText}.${kind}`),
                },
              ]),
              [{ label: ctx.t('hop.button.back'), intent: intent('hop', meeting) }],
            ],
          },
        ];
      if (!(MEETING_KINDS as readonly string[]).includes(choice)) return [refusal(ctx.t('refuse.invalid'))];
      return change(ctx, meeting, { kind: 'kind', meetingKind: choice as MeetingKind });
    }
    case 'hcancel':
      return [
        {
          text: ctx.t('hop.confirmCancel', { when: when(ctx, meeting, cell) }),
          replace: true,
          choices: [
            [
              { label: ctx.t('hop.button.confirmCancel'), intent: intent('hcancelok', meeting, versionText) },
              { label: ctx.t('hop.button.back'), intent: intent('hop', meeting) },
            ],
          ],
        },
      ];
    case 'hcancelok':
      return change(ctx, meeting, { kind: 'cancel' });
    default: {
      const unhandled: never = action;
      return unhandled;
    }
  }
}

async function change(ctx: HandlerContext, meeting: Meeting, what: MeetingChange): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  const result = await ctx.services.meetings.change(actor.id, meeting.id, meeting.version, what);
  if (!result.ok) {
    const text = ctx.t(refusalKey[result.reason], { max: MAX_PLACE_LENGTH });
    // A place too long or empty may be typed again.
    if (what.kind === 'place' && (result.reason === 'too_long' || result.reason === 'empty'))
      return [
        {
          text: [text, ctx.t('hop.askPlace', { max: MAX_PLACE_LENGTH })].join('\n'),
          awaitText: intent('hplace', meeting, String(meeting.version)),
        },
      ];
    return [refusal(text)];
  }
  const { meeting: updated, cell, notified } = result;
  const done =
    what.kind === 'time'
      ? ctx.t('hop.moved', { when: when(ctx, updated, cell) })
      : what.kind === 'place'
        ? ctx.t('hop.placeChanged', { place: updated.place })
        : what.kind === 'kind'
          ? ctx.t('hop.kindChanged', { kind: kindLabel(ctx, updated) })
          : ctx.t('hop.cancelled', { when: when(ctx, updated, cell) });
  const told = notified ? ctx.t('hop.told', { count: notified }) : ctx.t('hop.toldNobody');
  if (what.kind === 'cancel') return [{ text: [done, told].join('\n'), replace: true, toast: done }];
  const view = await hopView(ctx, updated, cell);
  return [{ ...view, text: [done, told, '', view.text].join('\n'), replace: true, toast: done }];
}

async function sendNotice(ctx: HandlerContext, meeting: Meeting): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  const result = await ctx.services.meetings.sendNotice(actor.id, meeting.id);
  if (result.ok) {
    const text = ctx.t('hop.notice.sent', { count: result.recipients });
    return [{ text, toast: text }];
  }
  switch (result.reason) {
    case 'already_sent':
    case 'not_open':
    case 'no_scheduler':
    case 'nobody':
      return [refusal(ctx.t(`hop.notice.${result.reason}`))];
    case 'not_found':
      return [refusal(ctx.t('refuse.notFound'))];
    default:
      return [refusal(ctx.t(refusalKey[result.reason]))];
  }
}

/** "Nhắc người chưa trả lời" from the tally: the follow-up now, once per minute, until the meeting starts. */
export async function handleRemind(ctx: HandlerContext, meeting: Meeting): Promise<View[]> {
  const actor = ctx.actor;
  if (!actor) return [refusal(ctx.t('refuse.notLinked'))];
  const result = await ctx.services.meetings.remindUnanswered(actor.id, meeting.id);
  if (result.ok) {
    const text = ctx.t('tally.reminded', { count: result.recipients });
    return [{ text, toast: text }];
  }
  switch (result.reason) {
    case 'already_sent':
      return [refusal(ctx.t('tally.remindAlready'))];
    case 'not_open':
      return [refusal(ctx.t('tally.remindClosed'))];
    case 'nobody':
      return [refusal(ctx.t('tally.remindNobody'))];
    case 'not_noticed':
      return [refusal(ctx.t('tally.remindNotNoticed'))];
    case 'no_scheduler':
      return [refusal(ctx.t('hop.notice.no_scheduler'))];
    case 'not_found':
      return [refusal(ctx.t('refuse.notFound'))];
    default:
      return [refusal(ctx.t(refusalKey[result.reason]))];
  }
}
