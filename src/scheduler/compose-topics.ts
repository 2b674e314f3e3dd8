import type { View } from '../domain/view.js';
import { type Locale, t } from '../i18n.js';
import type { ChecklistService } from '../services/checklist.js';
import type { TopicsService } from '../services/topics.js';
import type { Occurrence } from '../store/occurrences.js';
import type { Cell, Meeting, Person } from '../store/records.js';
import { checklistView } from '../views/checklist.js';
import { suggestionsView } from '../views/topics.js';
import type { Words } from '../views/words.js';

/**
 * The reminders that carry more than a sentence, composed from the services: the quarterly thematic check
 * brings the cell's top three topic suggestions (each with why, each opening its page and [Chọn]); the first
 * preparation step brings the HD 42 checklist with the meeting's facts.
 */
export interface TopicStepServices {
  topics: TopicsService;
  checklist: ChecklistService;
}

/** What a step's views are made of: the part of the composer's ReminderInput this module reads. */
export interface TopicStepInput {
  occurrence: Occurrence;
  /** Absent for a cell's thematic check. */
  meeting?: Meeting;
  cell: Cell;
  recipients: Person[];
}

/** The steps this module composes. */
export const TOPIC_STEPS = new Set(['thematic_check', 'assign_drafting']);

/**
 * Views for a thematic check or the first preparation step, one per recipient, each under `lead` (the step's
 * own sentence in the recipient's language). Undefined when there is nothing to add (e.g. no meeting).
 */
export async function composeTopicStep(
  services: TopicStepServices,
  { occurrence, meeting, cell, recipients }: TopicStepInput,
  lead: (locale: Locale) => string,
): Promise<(View | undefined)[] | undefined> {
  let body: (words: Words) => View;
  if (occurrence.stepId === 'thematic_check') {
    const page = await services.topics.suggest(cell, 0);
    const anniversaries = services.topics.library.calendar.anniversaries;
    const today = services.topics.today(cell);
    body = (words) => suggestionsView(words, cell, { ...page, offset: 0 }, anniversaries, today);
  } else if (occurrence.stepId === 'assign_drafting' && meeting) {
    const facts = await services.checklist.facts(meeting, cell);
    body = (words) => checklistView(words, facts);
  } else return undefined;

  const views = new Map<Locale, View>();
  return recipients.map(({ locale }: Person) => {
    let view = views.get(locale);
    if (!view) {
      const inner = body({ locale, t: (key, params) => t(key, params, locale) });
      view = { ...inner, text: `${lead(locale)}\n\n${inner.text}` };
      views.set(locale, view);
    }
    return view;
  });
}
