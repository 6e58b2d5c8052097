// Operations contracts: verification, training, OMS account requests, samples, violations, incentives, audit,
// deadlines. Request bodies and queries are zod schemas; responses are plain DTO interfaces.
import { z } from 'zod';
import { CityCode, Id, IsoInstant, OptionalText, Phone, Text } from './common';
import type { List } from './common';
import type { AccountDto } from './registry';

/** A Shanghai calendar date, 'yyyy-mm-dd'. */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2024-10-20')
  .refine((d) => {
    // Round-trip, so 2024-02-30 (which Date would roll over to March) is refused too.
    const t = Date.parse(`${d}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
  }, 'not a calendar date');

// ───────────── verification ─────────────

/** A rejection is recorded with its reason. */
const noteForRejection = (d: { status: string; note?: string | null | undefined }) => d.status !== 'rejected' || !!d.note;
export const IdentityDecision = z
  .object({ status: z.enum(['verified', 'rejected']), note: OptionalText(200) })
  .refine(noteForRejection, { path: ['note'], message: 'say why the identity check failed' });
export const FilingDecision = z
  .object({ status: z.enum(['filed', 'rejected', 'pending']), note: OptionalText(200) })
  .refine(noteForRejection, { path: ['note'], message: 'say why the filing was rejected' });

export type EligibilityCode =
  | 'no_members' | 'no_anchor' | 'identity_pending' | 'identity_rejected' | 'filing_missing' | 'filing_rejected'
  /** Added by the eligibility route, not by teamEligibility(): the team is suspended, disqualified or withdrawn. */
  | 'team_not_active';
export interface EligibilityReason {
  code: EligibilityCode;
  memberId?: number;
  name?: string;
  message: string;
}
export interface EligibilityDto {
  teamId: number;
  teamStatus: string;
  ok: boolean;
  reasons: EligibilityReason[];
}

// ───────────── training ─────────────

export const TrainingTopic = z.enum(['platform_basics', 'live_rules', 'youle_shop', 'skills', 'other']);
export const TrainingMode = z.enum(['offline', 'online']);

export const TrainingCreate = z.object({
  title: Text(80),
  topic: TrainingTopic,
  mode: TrainingMode,
  heldAt: IsoInstant,
  location: OptionalText(120),
  /** Omitted: the caller's city; the province may leave it out for a province-wide training. */
  cityCode: CityCode.optional().nullable(),
});
export const TrainingListQuery = z.object({ cityCode: CityCode.optional() });
export const AttendanceCreate = z.object({
  teamId: Id,
  /** Omitted or empty: the team as a whole attended. */
  memberIds: z.array(Id).max(50).optional(),
});
export const CoverageQuery = z.object({ cityCode: CityCode.optional(), deadline: LocalDate.optional() });

export interface TrainingDto {
  id: number;
  cityCode: string | null;
  title: string;
  topic: z.infer<typeof TrainingTopic>;
  mode: z.infer<typeof TrainingMode>;
  heldAt: string;
  location: string | null;
  teams?: number;
  attendees?: number;
}
export interface AttendanceDto {
  id: number;
  trainingId: number;
  teamId: number;
  memberId: number | null;
  recordedAt: string;
}
export interface CoverageRow {
  teamId: number;
  teamName: string;
  cityCode: string;
  trained: boolean;
  lastTrainingAt: string | null;
  trainings: number;
  topics: z.infer<typeof TrainingTopic>[];
  /** Of the notice's core pair (platform basics, live rules), those the team has not attended by the deadline. */
  coreTopicsMissing: z.infer<typeof TrainingTopic>[];
}
export interface CoverageDto {
  deadline: string;
  rule: string;
  items: CoverageRow[];
  untrained: CoverageRow[];
  byCity: { cityCode: string; teams: number; trained: number }[];
}

// ───────────── OMS account requests ─────────────

export const AccountRequestCreate = z.object({
  cityCode: CityCode.optional(),
  applicant: Text(40),
  phone: Phone.optional().nullable(),
  /** Registration details as the platform asks for them (field → value). */
  details: z.record(z.string().trim().min(1).max(40), z.string().trim().max(200)).refine((d) => Object.keys(d).length <= 30, 'at most 30 fields'),
  reason: OptionalText(200),
});
export const AccountRequestStatus = z.enum(['submitted', 'approved', 'rejected']);
export const AccountRequestListQuery = z.object({ cityCode: CityCode.optional(), status: AccountRequestStatus.optional() });
export const AccountRequestApprove = z.object({
  accountNo: z.string().trim().regex(/^[A-Za-z0-9_-]{3,40}$/),
  label: Text(60),
});
export const AccountRequestReject = z.object({ note: Text(200) });

export interface AccountRequestDto {
  id: number;
  cityCode: string;
  applicant: string;
  phone: string | null;
  details: Record<string, string>;
  reason: string | null;
  status: z.infer<typeof AccountRequestStatus>;
  requestedAt: string;
  decidedAt: string | null;
  decisionNote: string | null;
  accountId: number | null;
  account?: AccountDto | null;
}

// ───────────── samples ─────────────

export const ProductListQuery = z.object({ cityCode: CityCode.optional() });
export const SampleMoveCreate = z.object({
  teamId: Id,
  productId: Id,
  kind: z.enum(['issue', 'return']),
  quantity: z.number().int().min(1).max(10_000),
  note: OptionalText(200),
});
export const SampleListQuery = z.object({ cityCode: CityCode.optional(), teamId: Id.optional() });

export interface ProductDto {
  id: number;
  cityCode: string;
  name: string;
  unit: string;
  priceFen: number;
  active: boolean;
}
export interface SampleMoveDto {
  id: number;
  teamId: number;
  productId: number;
  cityCode: string;
  kind: 'issue' | 'return';
  quantity: number;
  at: string;
  note: string | null;
}
export interface OutstandingRow {
  teamId: number;
  teamName: string;
  cityCode: string;
  productId: number;
  productName: string;
  unit: string;
  issued: number;
  returned: number;
  outstanding: number;
  /** Outstanding quantity at the product's price, in fen. */
  outstandingValueFen: number;
}

// ───────────── violations ─────────────

export const ViolationKind = z.enum(['product', 'room_setup', 'script', 'anchor_image', 'other']);
export const ViolationDecision = z.enum(['warning', 'suspension', 'disqualification']);
export const ViolationCreate = z.object({
  teamId: Id,
  sessionId: Id.optional().nullable(),
  kind: ViolationKind,
  evidence: Text(2000),
  links: z.array(z.url({ protocol: /^https?$/ }).max(500)).max(10).default([]),
  atInSession: IsoInstant.optional().nullable(),
  decision: ViolationDecision,
  reason: Text(500),
});
export const ViolationLift = z.object({ reason: Text(500) });
export const ViolationListQuery = z.object({
  cityCode: CityCode.optional(),
  teamId: Id.optional(),
  /** true: only suspensions still in force. */
  active: z.enum(['true', 'false']).optional(),
});

export interface ViolationDto {
  id: number;
  teamId: number;
  teamName?: string;
  cityCode: string;
  sessionId: number | null;
  kind: z.infer<typeof ViolationKind>;
  evidence: string;
  links: string[];
  atInSession: string | null;
  decision: z.infer<typeof ViolationDecision>;
  reason: string;
  decidedAt: string;
  liftedAt: string | null;
  liftReason: string | null;
  /** The team's status after this change (on create and lift). */
  teamStatus?: string;
}

// ───────────── incentives ─────────────

export const PlacementsSet = z
  .array(z.object({ teamId: Id, rank: z.number().int().min(1).max(10_000) }))
  .min(1)
  .max(2000)
  .refine((xs) => new Set(xs.map((x) => x.teamId)).size === xs.length, 'each team at most once');
export const IncentiveListQuery = z.object({ cityCode: CityCode.optional() });
export const IncentiveAdjustment = z.object({
  cityCode: CityCode,
  points: z.number().int().min(-100_000).max(100_000).refine((n) => n !== 0, 'not zero'),
  note: Text(200),
});
export const IncentiveSettings = z.object({ finalTopN: z.number().int().min(1).max(1000) });

export interface PlacementDto {
  stageId: number;
  teamId: number;
  rank: number;
  decidedAt: string;
}
export interface IncentiveDto {
  id: number;
  cityCode: string;
  points: number;
  reason: 'university_joined' | 'final_placement' | 'adjustment';
  universityId: number | null;
  teamId: number | null;
  dedupeKey: string | null;
  note: string | null;
  createdAt: string;
}
export interface IncentiveListDto extends List<IncentiveDto> {
  totals: { cityCode: string; points: number }[];
}

// ───────────── audit ─────────────

export const AuditQuery = z.object({
  entity: z.string().trim().min(1).max(40).optional(),
  entityId: z.string().trim().min(1).max(60).optional(),
  cityCode: CityCode.optional(),
  actorId: Id.optional(),
  action: z.string().trim().min(1).max(60).optional(),
  from: IsoInstant.optional(),
  to: IsoInstant.optional(),
  /** Paging: entries older than this id. */
  before: z.string().regex(/^\d{1,18}$/).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export interface AuditDto {
  id: string;
  at: string;
  actorId: number | null;
  actorRole: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  cityCode: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

// ───────────── deadlines ─────────────

export const DeadlinesQuery = z.object({ cityCode: CityCode.optional() });

export type DeadlineState = 'done' | 'done_late' | 'open' | 'overdue';
export interface MissingItem {
  entity: 'city' | 'team' | 'member' | 'account' | 'stage';
  id: string;
  label: string;
  reason: string;
}
export interface DeadlineItem {
  key: string;
  due: string;
  done: boolean;
  state: DeadlineState;
  doneAt: string | null;
  detail: Record<string, number | string | null>;
  missing: MissingItem[];
}
export interface CityDeadlines {
  cityCode: string;
  items: DeadlineItem[];
}
