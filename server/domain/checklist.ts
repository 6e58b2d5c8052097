// The pre-live checklist (强化管控: products, room setup/display, script, anchor image) as a pure state
// machine, and what it means for going live. The province decides whether an unapproved list blocks it.
import type { ChecklistItems, ChecklistStatus, Readiness, SessionStatus } from '../../contracts/schedule';
import { CHECKLIST_KEYS } from '../../contracts/schedule';
import type { Verdict } from './ingest-rules';

export type ChecklistAction = { kind: 'submit' } | { kind: 'approve'; items: ChecklistItems | null } | { kind: 'return'; reason: string };

export type Transition = { ok: true; to: ChecklistStatus } | { ok: false; message: string };

/** The province's gate (Setting 'checklist.blocksLive'). */
export interface ChecklistGate {
  blocksLive: boolean;
}

/** Sessions whose checklist may still move: once ended or cancelled it is history. */
export const checklistOpen = (status: SessionStatus): boolean => status === 'scheduled' || status === 'live';

/**
 * none → submitted → approved | returned(reason) → submitted …
 * The team may resubmit at any time (an approved list changed by the team needs review again); city staff
 * approve only a submitted list with every item ok, and may return a submitted or an approved one.
 */
export function transition(from: ChecklistStatus, action: ChecklistAction): Transition {
  switch (action.kind) {
    case 'submit':
      return { ok: true, to: 'submitted' };
    case 'approve': {
      if (from !== 'submitted') return { ok: false, message: `Only a submitted checklist can be approved (it is ${from})` };
      const notOk = action.items ? CHECKLIST_KEYS.filter((k) => !action.items?.[k].ok) : [...CHECKLIST_KEYS];
      if (notOk.length) return { ok: false, message: `Items not ok: ${notOk.join(', ')}; return the checklist instead` };
      return { ok: true, to: 'approved' };
    }
    case 'return':
      if (from !== 'submitted' && from !== 'approved') return { ok: false, message: `Only a submitted or approved checklist can be returned (it is ${from})` };
      if (!action.reason.trim()) return { ok: false, message: 'A return needs a reason' };
      return { ok: true, to: 'returned' };
  }
}

/** Whether the session is cleared to go live as far as its checklist goes, and if not, why. */
export function readiness(
  session: { checklist: ChecklistStatus },
  checklist: { status: ChecklistStatus; returnReason: string | null } | null,
  gate: ChecklistGate,
): Readiness {
  const status = checklist?.status ?? session.checklist;
  const notReady = (code: NonNullable<Readiness['code']>, reason: string): Readiness => ({
    state: 'not_ready',
    checklist: status,
    blocking: gate.blocksLive,
    code,
    reason,
  });
  switch (status) {
    case 'approved':
      return { state: 'ready', checklist: status, blocking: false };
    case 'none':
      return notReady('checklist.missing', 'The team has not submitted its pre-live checklist');
    case 'submitted':
      return notReady('checklist.pending_review', 'The pre-live checklist awaits the city’s review');
    case 'returned':
      return notReady('checklist.returned', `The pre-live checklist was returned: ${checklist?.returnReason ?? 'no reason given'}`);
  }
}

/**
 * For the live path, after acceptsEvent: refuses the events that would take a session live while the gate
 * is on and its checklist is not approved. A session already live is never cut off (that would drop sales).
 */
export function blocksIngest(session: { status: SessionStatus; checklist: ChecklistStatus }, gate: ChecklistGate): Verdict {
  if (!gate.blocksLive || session.status !== 'scheduled' || session.checklist === 'approved') return { ok: true };
  return { ok: false, code: 'NOT_LIVE', message: `the pre-live checklist is not approved (${session.checklist}); the province requires it before going live` };
}
