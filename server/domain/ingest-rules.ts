// Whether a session accepts an event: scope of the collector key, the team's standing and the session's window.
import type { RejectCode } from '../../contracts/ingest';
import { MINUTE } from './time';

export interface SessionInfo {
  id: number;
  stageId: number;
  teamId: number;
  teamName: string;
  cityCode: string;
  universityId: number;
  universityName: string;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled' | 'suspended';
  checklist: 'none' | 'submitted' | 'approved' | 'returned';
  teamStatus: 'active' | 'suspended' | 'disqualified' | 'withdrawn';
  plannedStart: number;
  plannedEnd: number;
  actualStart: number | null;
  actualEnd: number | null;
}

export interface KeyScope {
  cityCode?: string;
  teamId?: number;
}

/** A room may open a little early and overrun its slot; beyond that its events are refused. */
export const OPEN_EARLY_MS = 30 * MINUTE;
export const OVERRUN_MS = 60 * MINUTE;
/** After a session ended, events stamped up to this long after the end are still late deliveries. */
const END_TOLERANCE_MS = MINUTE;

export type Verdict = { ok: true } | { ok: false; code: RejectCode; message: string };

const no = (code: RejectCode, message: string): Verdict => ({ ok: false, code, message });

export function inScope(scope: KeyScope, s: Pick<SessionInfo, 'cityCode' | 'teamId'>): boolean {
  if (scope.teamId !== undefined) return scope.teamId === s.teamId;
  if (scope.cityCode !== undefined) return scope.cityCode === s.cityCode;
  return false;
}

/** `at` is the event's own time; windows are judged on it, so a late delivery of an in-window event is fine. */
export function acceptsEvent(s: SessionInfo, at: number, scope: KeyScope): Verdict {
  if (!inScope(scope, s)) return no('FORBIDDEN', `session ${s.id} is outside this collector key's scope`);
  if (s.teamStatus === 'disqualified') return no('DISQUALIFIED', 'the team is disqualified (取消资格)');
  if (s.teamStatus === 'suspended' || s.status === 'suspended')
    return no('SUSPENDED', 'the team is suspended for rectification (停播整改)');
  if (s.teamStatus === 'withdrawn') return no('NOT_LIVE', 'the team has withdrawn');
  if (s.status === 'cancelled') return no('NOT_LIVE', 'the session was cancelled');
  if (at < s.plannedStart - OPEN_EARLY_MS) return no('NOT_LIVE', 'before the session’s scheduled window');
  if (at > s.plannedEnd + OVERRUN_MS) return no('NOT_LIVE', 'after the session’s scheduled window');
  if (s.status === 'ended' && s.actualEnd !== null && at > s.actualEnd + END_TOLERANCE_MS)
    return no('NOT_LIVE', 'the session has ended');
  return { ok: true };
}

/** Is the session in its window at `now` (what the wall and the city room list as current)? */
export function inWindow(s: Pick<SessionInfo, 'plannedStart' | 'plannedEnd'>, now: number): boolean {
  return now >= s.plannedStart - OPEN_EARLY_MS && now <= s.plannedEnd + OVERRUN_MS;
}
