// Compliance penalties (八(二)): warning, suspension for rectification (停播整改), disqualification (取消资格).
// Pure rules: who may decide what, and the team status a set of decisions leaves.
import type { Actor, TeamRef } from './permissions';
import { isCityStaff, isProvince } from './permissions';

export type Decision = 'warning' | 'suspension' | 'disqualification';
export type TeamStatus = 'active' | 'suspended' | 'disqualified' | 'withdrawn';

export interface ViolationFact {
  decision: Decision;
  liftedAt: Date | number | null;
}

/**
 * City staff police their own city's rooms day to day, so they may warn and suspend; disqualification ends a
 * team's contest and is the province's alone (it runs the contest and answers for its fairness).
 */
export function canDecide(a: Actor, team: TeamRef, decision: Decision): boolean {
  if (isProvince(a)) return true;
  return isCityStaff(a, team.cityCode) && decision !== 'disqualification';
}

/** Whoever may suspend the team may lift its suspension. */
export const canLift = (a: Actor, team: TeamRef) => canDecide(a, team, 'suspension');

/** Why a violation cannot be lifted, or null when it can: only a suspension still in force. */
export function liftRefusal(v: ViolationFact): string | null {
  if (v.decision === 'warning') return 'A warning has nothing to lift';
  if (v.decision === 'disqualification') return 'A disqualification is final';
  if (v.liftedAt !== null) return 'The suspension was already lifted';
  return null;
}

/**
 * The team's status once these are its violations. Disqualification is final; a withdrawn team stays
 * withdrawn; otherwise any suspension still in force suspends it, and none leaves it active. Warnings do not
 * change the status.
 */
export function teamStatusAfter(violations: readonly ViolationFact[], current: TeamStatus = 'active'): TeamStatus {
  if (current === 'disqualified' || violations.some((v) => v.decision === 'disqualification')) return 'disqualified';
  if (current === 'withdrawn') return 'withdrawn';
  return violations.some((v) => v.decision === 'suspension' && v.liftedAt === null) ? 'suspended' : 'active';
}
