/**
 * The domain's vocabulary. Codes are English and stable (they are stored); every label a user reads comes
 * from content/locales.
 */

export const CELL_KINDS = [
  'residential', // thôn / bản / tổ dân phố
  'agency', // cơ quan hành chính
  'public_service', // đơn vị sự nghiệp (trường học, bệnh viện)
  'state_enterprise', // doanh nghiệp nhà nước
  'private_enterprise', // doanh nghiệp ngoài nhà nước
  'armed_forces', // lực lượng vũ trang
  'student', // sinh viên
] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export const ROLES = ['secretary', 'deputy_secretary', 'committee', 'member'] as const;
export type Role = (typeof ROLES)[number];

export const MEMBER_STATUSES = [
  'official',
  'probationary',
  'exempt',
  'temporarily_elsewhere',
  'special_duty',
] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

export const MEETING_KINDS = ['regular', 'thematic', 'combined'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

export const MEETING_STATES = ['planned', 'held', 'cancelled'] as const;
export type MeetingState = (typeof MEETING_STATES)[number];

export const COMMITTEE_LEVELS = ['provincial', 'district', 'commune', 'grassroots'] as const;
export type CommitteeLevel = (typeof COMMITTEE_LEVELS)[number];
