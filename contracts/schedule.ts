// Schedule contracts: stages, sessions and their writes, schedule reports, the pre-live checklist, settings.
//
// Error mapping of every schedule write (POST/PATCH /sessions, /cancel, /end, checklist actions):
// - 400 VALIDATION_FAILED: a malformed body, a referenced team/account/stage that does not exist, a missing
//   reason after the lock, and EVERY problem checkSchedule finds, overlaps included, so one answer lists every
//   reason at once. Each issue is `{ path, message, code }`: `path` is the field (`accountId`, `teamId`,
//   `plannedStart`, `plannedEnd`, `reason`, or `(root)`), `code` a stable ProblemCode the client translates.
// - 403 FORBIDDEN: outside the caller's scope (another city's team, a team writing the schedule, a team
//   touching another team's checklist).
// - 404 NOT_FOUND: the session or stage in the URL does not exist.
// - 409 CONFLICT: the session's state does not allow the step (changing a session that is not scheduled,
//   ending one that is not live, approving a checklist that is not submitted).
// - 423 LOCKED: city staff changing a stage's schedule at or after its lock (startsAt − 24 h by default).
import { z } from 'zod';
import type { ErrorIssue } from './errors';
import { Id, IsoInstant, OptionalText, Text } from './common';
import { ScoreboardConfig } from './scoreboard';

// ───────── stages ─────────

export const StageKind = z.enum(['preliminary', 'semifinal', 'final', 'other']);
export type StageKind = z.infer<typeof StageKind>;

export interface StageDto {
  id: number;
  name: string;
  kind: StageKind;
  startsAt: string;
  endsAt: string;
  /** The schedule lock: at and after it only the province changes this stage's sessions, with a reason. */
  lockAt: string;
  locked: boolean;
}

const StageFields = z.object({
  name: Text(40),
  kind: StageKind,
  startsAt: IsoInstant,
  endsAt: IsoInstant,
  /** Defaults to startsAt − 24 h (the notice: schedules reported 24 hours before each stage). */
  lockAt: IsoInstant.optional(),
});

const stageTimesValid = (s: { startsAt?: string | undefined; endsAt?: string | undefined; lockAt?: string | undefined }, ctx: z.RefinementCtx) => {
  if (s.startsAt && s.endsAt && Date.parse(s.endsAt) <= Date.parse(s.startsAt))
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  if (s.startsAt && s.lockAt && Date.parse(s.lockAt) > Date.parse(s.startsAt))
    ctx.addIssue({ code: 'custom', path: ['lockAt'], message: 'must not be after startsAt' });
};

export const StageCreate = StageFields.extend({ kind: StageKind.default('other') }).superRefine(stageTimesValid);
export type StageCreate = z.infer<typeof StageCreate>;

/** Moving startsAt without a lockAt moves the lock by the same amount (a custom lead time is kept).
 *  No defaults here: zod 4 fills defaults even in a partial, which would reset unsent fields. */
export const StageUpdate = StageFields.partial()
  .superRefine(stageTimesValid)
  .refine((s) => Object.values(s).some((v) => v !== undefined), { message: 'nothing to change' });
export type StageUpdate = z.infer<typeof StageUpdate>;

// ───────── schedule problems ─────────

export const ProblemCode = z.enum([
  'slot.end_not_after_start',
  'slot.too_long',
  'slot.outside_stage',
  'slot.in_past',
  'account.missing',
  'account.other_city',
  'account.not_ok',
  'account.double_booked',
  'team.double_booked',
  'team.not_active',
  'team.unverified',
  'team.no_anchor',
  'anchor.not_filed',
  'stage.locked',
  'reason.required',
  'team.not_found',
  'account.not_found',
  'stage.not_found',
]);
export type ProblemCode = z.infer<typeof ProblemCode>;

export type ProblemField = 'teamId' | 'accountId' | 'stageId' | 'plannedStart' | 'plannedEnd' | 'reason';

/** One reason a slot cannot be scheduled; `params` let the client render it in zh-CN or en. */
export interface Problem {
  code: ProblemCode;
  field?: ProblemField;
  message: string;
  params?: Record<string, string | number>;
}

/** An error issue of a refused schedule write: the API.md issue plus the problem's stable code. */
export interface ScheduleIssue extends ErrorIssue {
  code: ProblemCode;
}

// ───────── sessions ─────────

export const SessionStatus = z.enum(['scheduled', 'live', 'ended', 'cancelled', 'suspended']);
export type SessionStatus = z.infer<typeof SessionStatus>;
export const ChecklistStatus = z.enum(['none', 'submitted', 'approved', 'returned']);
export type ChecklistStatus = z.infer<typeof ChecklistStatus>;

/** A reason for a change after the lock, written to the audit log. */
export const Reason = z.string().trim().min(5, 'at least 5 characters').max(500);

export const SessionCreate = z.object({
  teamId: Id,
  accountId: Id,
  stageId: Id,
  plannedStart: IsoInstant,
  plannedEnd: IsoInstant,
  title: OptionalText(80),
  /** Required at and after the stage's lock (province only); optional and still audited before it. */
  reason: Reason.optional(),
});
export type SessionCreate = z.infer<typeof SessionCreate>;

/** The dry run takes the POST body, or a query string of the same fields; `sessionId` checks a change. */
export const SessionCheck = SessionCreate.extend({ sessionId: Id.optional() });
export type SessionCheck = z.infer<typeof SessionCheck>;

export const SessionUpdate = z
  .object({
    plannedStart: IsoInstant.optional(),
    plannedEnd: IsoInstant.optional(),
    accountId: Id.optional(),
    title: OptionalText(80),
    reason: Reason.optional(),
  })
  .refine((b) => b.plannedStart !== undefined || b.plannedEnd !== undefined || b.accountId !== undefined || b.title !== undefined, {
    message: 'nothing to change',
  });
export type SessionUpdate = z.infer<typeof SessionUpdate>;

export const SessionCancel = z.object({ reason: Reason.optional() });
export const SessionEnd = z.object({ reason: z.string().trim().max(500).optional() });

export interface Readiness {
  state: 'ready' | 'not_ready';
  checklist: ChecklistStatus;
  /** Whether not being ready keeps the session from going live (the province's checklist.blocksLive). */
  blocking: boolean;
  code?: 'checklist.missing' | 'checklist.pending_review' | 'checklist.returned';
  reason?: string;
}

export interface SessionDto {
  id: number;
  stageId: number;
  teamId: number;
  teamName?: string | undefined;
  cityCode: string;
  accountId: number | null;
  title: string | null;
  status: SessionStatus;
  checklist: ChecklistStatus;
  plannedStart: string;
  plannedEnd: string;
  actualStart: string | null;
  actualEnd: string | null;
  verifiedGmvFen: number | null;
  readiness?: Readiness;
  /** checkSchedule re-run on read: why this slot would be refused today (e.g. a filing rejected since). */
  problems?: Problem[];
}

export interface CheckResult {
  ok: boolean;
  locked: boolean;
  lockAt: string | null;
  problems: Problem[];
}

// ───────── schedule reports ─────────

export interface ScheduleReportDto {
  stageId: number;
  cityCode: string;
  cityName: string;
  reported: boolean;
  reportedAt: string | null;
  reportedBy: number | null;
  /** Reported at or before the lock; null while not reported. */
  onTime: boolean | null;
  /** Not reported and the lock has passed. */
  overdue: boolean;
  /** Sessions of the city in this stage, cancelled ones excluded. */
  sessions: number;
  /** The latest change to those sessions, to see a schedule changed after it was reported. */
  lastChangeAt: string | null;
}

// ───────── pre-live checklist (强化管控) ─────────

export const ChecklistItem = z.object({
  ok: z.boolean(),
  note: z.string().trim().max(500).optional(),
  link: z.url({ protocol: /^https?$/ }).max(500).optional(),
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

/** 直播产品, 直播间设置/展示, 直播话术, 主播形象. */
export const ChecklistItems = z.strictObject({
  products: ChecklistItem,
  roomSetup: ChecklistItem,
  script: ChecklistItem,
  anchorImage: ChecklistItem,
});
export type ChecklistItems = z.infer<typeof ChecklistItems>;
export const CHECKLIST_KEYS = ['products', 'roomSetup', 'script', 'anchorImage'] as const;

export const ChecklistSubmit = z.object({ items: ChecklistItems });
export const ChecklistReturn = z.object({ reason: z.string().trim().min(2).max(500) });

export interface ChecklistDto {
  sessionId: number;
  status: ChecklistStatus;
  items: ChecklistItems | null;
  submittedBy: number | null;
  submittedAt: string | null;
  reviewedBy: number | null;
  reviewedAt: string | null;
  returnReason: string | null;
  readiness: Readiness;
}

// ───────── province settings ─────────

/** Every province setting: its value's schema. Unknown keys are 404. */
export const SettingValues = {
  /** An unapproved pre-live checklist keeps a session from going live. */
  'checklist.blocksLive': z.boolean(),
  /** Orders of at least this many fen appear in the wall's big-order feed (¥1 to ¥1,000,000). */
  'wall.bigOrderFen': z.number().int().min(100).max(100_000_000),
  /** The public scoreboard (公开榜单): on or off, which stage, how GMV is shown, on which basis. */
  'scoreboard.public': ScoreboardConfig,
} as const;
export type SettingKey = keyof typeof SettingValues;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SettingValues)[K]>;

export interface SettingDto {
  key: SettingKey;
  value: unknown;
  /** True while the key was never set and the default applies. */
  isDefault: boolean;
  updatedAt: string | null;
  updatedBy: number | null;
}
