import { formatDate, formatDateTime } from '../domain/time.js';
import type { View } from '../domain/view.js';
import { type Locale, t, translator } from '../i18n.js';
import type { MemberStanding } from '../services/visits.js';
import type { Occurrence } from '../store/occurrences.js';
import type { Cell, Meeting, Person } from '../store/records.js';
import { invitationView } from '../views/attendance.js';
import { visitAlertView } from '../views/visits.js';
import {
  composeTopicStep,
  TOPIC_STEPS,
  type TopicStepInput,
  type TopicStepServices,
} from './compose-topics.js';

type Awaitable<T> = T | Promise<T>;

export interface ReminderInput extends TopicStepInput {
  /** For the committee's notice: those registered as guests; the others are offered [Đăng ký dự]. */
  guests?: ReadonlySet<string>;
}

/** A committee member's visit alert: where they stand in the window the alert was planned for. */
export interface VisitAlertInput {
  occurrence: Occurrence;
  standing: MemberStanding;
  /** A pace check: the visits expected by the end of the part just ended (the member has fewer). */
  pace?: { expected: number; through: Date };
}

export interface ChangeInput {
  change: 'changed' | 'cancelled';
  meeting: Meeting;
  cell: Cell;
  recipients: Person[];
}

/**
 * What the scheduler says, separate from when and to whom it says it, so a channel can bring richer views
 * (an invitation with answer buttons) without touching the scheduler.
 */
export interface ReminderComposer {
  /** One view per recipient, in order; undefined where there is nothing to say (e.g. roll call already closed). */
  reminder(input: ReminderInput): Awaitable<(View | undefined)[]>;
  /** Tells those already notified that a meeting changed or was cancelled. */
  change(input: ChangeInput): Awaitable<View[]>;
  /** A visit alert for one committee member; undefined when there is nothing to say. */
  visitAlert(input: VisitAlertInput): Awaitable<View | undefined>;
}

/** Sentences here may start with a placeholder ("buổi sinh hoạt …"): capitalise the first letter. */
const capitalize = (text: string) => text.replace(/\p{L}/u, (c) => c.toUpperCase());

/** Plain text from content/locales/*\/reminders.json, in each recipient's language. */
export class TextComposer implements ReminderComposer {
  /** With `topics`, the thematic check and the first preparation step carry suggestions and the checklist. */
  constructor(private readonly steps: { topics?: TopicStepServices } = {}) {}

  reminder(input: ReminderInput): Awaitable<(View | undefined)[]> {
    const { topics } = this.steps;
    if (topics && TOPIC_STEPS.has(input.occurrence.stepId))
      return composeTopicStep(topics, input, (locale) => this.stepText(input, locale)).then(
        (views) => views ?? this.plainReminder(input),
      );
    return this.plainReminder(input);
  }

  /** The step's own sentence, in one language. */
  private stepText({ occurrence, meeting, cell }: ReminderInput, locale: Locale): string {
    const step = `reminders.step.${occurrence.stepId}`;
    const key = translator().has(step) ? step : 'reminders.step.generic';
    return capitalize(t(key, this.params(cell, meeting, locale), locale));
  }

  private plainReminder({
    occurrence,
    meeting,
    cell,
    recipients,
    guests,
  }: ReminderInput): (View | undefined)[] {
    if (occurrence.stepId === 'roll_call' && meeting?.rollCallClosedAt !== undefined)
      return recipients.map(() => undefined);
    const step = `reminders.step.${occurrence.stepId}`;
    const key = translator().has(step) ? step : 'reminders.step.generic';
    // Notices carry the meeting's details on their own lines; other steps name the time inline.
    const detailed = occurrence.audience === 'members' || occurrence.audience === 'committee';
    // What members get is the invitation itself, answerable with one tap (numbered replies and a link on Zalo).
    const invitation = occurrence.audience === 'members' || occurrence.audience === 'members_unanswered';
    const views = this.perLocale(recipients, (locale) => {
      const params = this.params(cell, meeting, locale);
      const text = capitalize(t(key, params, locale));
      if (invitation && meeting) {
        const view = invitationView({ locale, t: (k, p) => t(k, p, locale) }, meeting, cell);
        const lead = `reminders.lead.${occurrence.stepId}`;
        return translator().has(lead, locale)
          ? { ...view, text: `${t(lead, {}, locale)}\n${view.text}` }
          : view;
      }
      return {
        text: detailed && meeting ? [text, ...this.details(meeting, params.when, locale)].join('\n') : text,
      };
    });
    // HD 42: the committee members following the cell get each notice, and may register to attend from it.
    if (occurrence.audience === 'committee' && meeting)
      return recipients.map((person, i) => {
        const view = views[i];
        return view && this.committeeNotice(view, meeting, cell, person, guests?.has(person.id) ?? false);
      });
    return views;
  }

  /** The committee's notice with [Đăng ký dự] (a numbered reply on Zalo), or a word that they are registered. */
  private committeeNotice(
    view: View,
    meeting: Meeting,
    cell: Cell,
    person: Person,
    registered: boolean,
  ): View {
    const { locale } = person;
    if (registered)
      return { text: [view.text, '', t('reminders.committee.registered', {}, locale)].join('\n') };
    const date = formatDate(new Date(meeting.startsAt), cell.timeZone).slice(0, 5);
    return {
      text: [view.text, '', t('reminders.committee.registerHint', {}, locale)].join('\n'),
      choices: [
        [
          {
            label: t('visits.button.register', { date, cell: cell.name }, locale),
            intent: { type: 'command', name: 'dangky', args: meeting.id },
          },
        ],
      ],
    };
  }

  /** A visit alert is one view for one member, in their language; its words live with the visits handlers. */
  visitAlert({ standing, pace }: VisitAlertInput): View {
    const { locale } = standing.person;
    return visitAlertView({ locale, t: (k, p) => t(k, p, locale) }, standing, pace);
  }

  change({ change, meeting, cell, recipients }: ChangeInput): View[] {
    return this.perLocale(recipients, (locale) => {
      const params = this.params(cell, meeting, locale);
      const text = capitalize(t(`reminders.${change}`, params, locale));
      return {
        text: change === 'changed' ? [text, ...this.details(meeting, params.when, locale)].join('\n') : text,
      };
    });
  }

  /** The text depends only on the language, so it is made once per language, not once per recipient. */
  private perLocale(recipients: Person[], make: (locale: Locale) => View): View[] {
    const views = new Map<Locale, View>();
    return recipients.map(({ locale }) => {
      const view = views.get(locale) ?? make(locale);
      views.set(locale, view);
      return view;
    });
  }

  private params(cell: Cell, meeting: Meeting | undefined, locale: Locale) {
    return {
      cell: cell.name,
      kind: t(`reminders.kind.${meeting?.kind ?? 'thematic'}`, {}, locale),
      when: meeting ? formatDateTime(new Date(meeting.startsAt), cell.timeZone, locale, t) : '',
    };
  }

  private details(meeting: Meeting, when: string, locale: Locale): string[] {
    return [
      t('reminders.line.when', { when }, locale),
      ...(meeting.place ? [t('reminders.line.place', { place: meeting.place }, locale)] : []),
      ...(meeting.topicTitle ? [t('reminders.line.topic', { topic: meeting.topicTitle }, locale)] : []),
    ];
  }
}
