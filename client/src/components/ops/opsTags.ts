// Tag colours for the operations screens' states, so each reads the same everywhere.
import type { ChecklistStatus, SessionStatus } from '@contracts/schedule';
import type { DeadlineState } from '@contracts/ops';
import type { TagType } from '../statusTags';

export const SESSION_STATUS_TAG: Record<SessionStatus, TagType> = {
  scheduled: 'primary',
  live: 'success',
  ended: 'info',
  cancelled: 'info',
  suspended: 'warning',
};

export const CHECKLIST_TAG: Record<ChecklistStatus, TagType> = {
  none: 'info',
  submitted: 'warning',
  approved: 'success',
  returned: 'danger',
};

export const DEADLINE_TAG: Record<DeadlineState, TagType> = {
  done: 'success',
  done_late: 'warning',
  open: 'info',
  overdue: 'danger',
};

export const DECISION_TAG: Record<'warning' | 'suspension' | 'disqualification', TagType> = {
  warning: 'warning',
  suspension: 'danger',
  disqualification: 'danger',
};

export const REQUEST_TAG: Record<'submitted' | 'approved' | 'rejected', TagType> = {
  submitted: 'warning',
  approved: 'success',
  rejected: 'danger',
};
