/**
 * Every key the product stores, in one place, so the two adapters, the repositories and operators agree on
 * names. Shapes: doc = JSON document, hash, set, zset = sorted set (score noted).
 */
export const keys = {
  /** doc: a lease held by one replica (scheduler tick, Telegram poller). */
  lease: (name: string) => `lease:${name}`,
  /** doc: the secret that signs links when LINK_SECRET is not set, shared by all replicas. */
  linkSecret: () => 'secret:links',
  /** doc: the one-time admin bootstrap code, until used. */
  bootstrapCode: () => 'bootstrap:admin-code',
  /** set: person IDs of admins. */
  admins: () => 'admins',

  /** doc: a đảng bộ. set: all of their IDs. */
  org: (id: string) => `org:${id}`,
  orgs: () => 'orgs',
  /** set: cell IDs of a đảng bộ. */
  orgCells: (orgId: string) => `org:${orgId}:cells`,

  /** doc: a new cell waiting for its admin to confirm an unusual meeting hour (expires). */
  cellDraft: (id: string) => `cell-draft:${id}`,
  /** doc: a cell. set: all cell IDs (the planner's daily walk). */
  cell: (id: string) => `cell:${id}`,
  cells: () => 'cells',
  /** hash: person ID → membership JSON. */
  cellMembers: (cellId: string) => `cell:${cellId}:members`,
  /** zset: the cell's meetings, scored by start time. */
  cellMeetings: (cellId: string) => `cell:${cellId}:meetings`,
  /** hash: the cell's scheduled slot (ms) → meeting ID, so re-planning is idempotent. */
  cellSlots: (cellId: string) => `cell:${cellId}:slots`,
  /** zset: audit entries of a cell, scored by time. */
  cellAudit: (cellId: string) => `cell:${cellId}:audit`,

  /** doc: a person. set: their cells. */
  person: (id: string) => `person:${id}`,
  personCells: (personId: string) => `person:${personId}:cells`,
  /** hash: Telegram user ID → person ID; Zalo user ID → person ID. */
  telegramIndex: () => 'idx:telegram',
  zaloIndex: () => 'idx:zalo',
  /** hash: Telegram group chat ID → the cell bound to that group. */
  telegramGroupIndex: () => 'idx:telegram-groups',
  /** doc: invite code → person ID. hash: code → when it was used. */
  invite: (code: string) => `invite:${code}`,
  invitesUsed: () => 'invites:used',

  /** doc: a meeting. hashes: its answers, roll call and guests by person ID. */
  meeting: (id: string) => `meeting:${id}`,
  meetingAnswers: (id: string) => `meeting:${id}:answers`,
  meetingRollCall: (id: string) => `meeting:${id}:rollcall`,
  meetingGuests: (id: string) => `meeting:${id}:guests`,
  /** set: person IDs a meeting's notice reached (they hear of changes and cancellation). */
  meetingNotified: (id: string) => `meeting:${id}:notified`,
  /**
   * hash: person ID → the outbox key of the notice queued for them, so a follow-up goes only to those whose notice
   * was delivered (src/services/notices.ts).
   */
  meetingNoticeKeys: (id: string) => `meeting:${id}:notice-keys`,
  /** doc: who took a meeting from this version to the next, so two secretaries' edits never both land. */
  meetingEdit: (id: string, version: number) => `meeting:${id}:edit:v${version}`,
  /** hash: preparation step → when and by whom the secretary ticked it (the HD 42 checklist). */
  meetingChecklist: (id: string) => `meeting:${id}:checklist`,
  /** hash: meeting ID → the thematic topic chosen for it (topic usage: repeat and rotation rules). */
  cellTopics: (cellId: string) => `cell:${cellId}:topics`,
  /** doc: where the meeting's notice was posted in its cell's group, and the outbox key of that post. */
  meetingGroupPost: (id: string) => `meeting:${id}:group`,

  /** doc: a committee member's assignment. set: all assigned person IDs. */
  committee: (personId: string) => `committee:${personId}`,
  committeeMembers: () => 'committee',
  /** set: committee person IDs assigned to a cell. */
  cellCommittee: (cellId: string) => `cell:${cellId}:committee`,
  /** zset: meetings a committee member registered to attend as a guest, scored by start when registered. */
  committeeRegistrations: (personId: string) => `committee:${personId}:registered`,
  /** zset: meetings whose closed roll call marked the committee member present, scored by start: their visits. */
  committeeVisits: (personId: string) => `committee:${personId}:visits`,

  /** zset: reminder occurrences by due time. doc: one occurrence. */
  remindersDue: () => 'reminders:due',
  reminder: (id: string) => `reminder:${id}`,
  /** set: reminder IDs of a meeting, so a move or cancellation finds them. */
  meetingReminders: (meetingId: string) => `meeting:${meetingId}:reminders`,
  /** counter: occurrences found past their grace window and not sent. */
  remindersMissed: () => 'reminders:missed',
  /** doc: when the dispatcher last ticked, on whichever replica ran it (ms; /readyz reads its age). */
  schedulerLastTick: () => 'scheduler:last-tick',

  /** zset: outbox message keys of one channel by the time they may be sent. doc: one message. */
  outboxDue: (channel: string) => `outbox:due:${channel}`,
  outboxMessage: (key: string) => `outbox:msg:${key}`,
  /** doc: marks a message key as sent (idempotency), kept for a while. */
  outboxSent: (key: string) => `outbox:sent:${key}`,
  /** zset: dead letters (message keys) by time given up. doc: one dead letter, with why. */
  outboxDead: () => 'outbox:dead',
  outboxDeadLetter: (key: string) => `outbox:dead:${key}`,
  /** doc: the earliest time this chat may be sent to again (pacing, retry_after). */
  chatNotBefore: (channel: string, chatId: string) => `pace:${channel}:${chatId}`,
  /** zset: a chat's refresh tokens, scored by when each may be used again (at most N refreshes a window). */
  outboxChatTokens: (channel: string, chatId: string) => `outbox:tokens:${channel}:${chatId}`,

  /**
   * doc (TTL): a short-lived code a linked person gets from /kenh to link their other channel (not the roster
   * invite code); marked used by its first redeemer; a person's latest one, so a new code retires the old.
   */
  channelLinkCode: (code: string) => `linkcode:${code}`,
  channelLinkCodeUsed: (code: string) => `linkcode:${code}:used`,
  personLinkCode: (personId: string) => `person:${personId}:linkcode`,

  /** doc: an intent waiting for the person's next free text (e.g. "Khác" → type the reason), with a TTL. */
  awaitingText: (channel: string, chatId: string) => `awaiting:${channel}:${chatId}`,
  /** doc: a request to join a cell from someone without an invite code. */
  joinRequest: (id: string) => `join:${id}`,
  /** doc: the account's open join request ID (one at a time), or "refused" for a while after a refusal. */
  joinOpen: (channel: string, userId: string) => `join:open:${channel}:${userId}`,
  /** doc: the decision on a join request, set once by the first secretary who taps. */
  joinDecision: (id: string) => `join:${id}:decision`,

  /** doc: the latest open question on a Zalo chat (numbered choices). */
  zaloQuestion: (chatId: string) => `zalo:question:${chatId}`,
  /** doc: the latest invitation sent to a Zalo chat: where words that name an answer go, whatever was asked since. */
  zaloInvitation: (chatId: string) => `zalo:invitation:${chatId}`,
  /** doc (TTL): a Zalo message already handled by some replica, so a redelivery is handled once across replicas. */
  zaloSeen: (chatId: string, messageId: string) => `zalo:seen:${chatId}:${messageId}`,
  /**
   * hash: Zalo updates stored before they are acknowledged and not yet handled: `<chatId>:<messageId>` → the
   * update and its handling attempts (src/channels/zalo/inbox.ts).
   */
  zaloInbox: () => 'zalo:inbox',
};
