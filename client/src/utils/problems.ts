// Schedule problems and readiness in the viewer's language: the hub sends a stable code and parameters
// (names, times, statuses); the catalogue words them. An unknown code falls back to the hub's message.
import type { Problem, ProblemCode, ProblemField, Readiness } from '@contracts/schedule';
import { ProblemCode as ProblemCodes } from '@contracts/schedule';
import type { ApiIssue } from '@/api/http';
import type { MessageKey, NamedValues } from '@/i18n/useT';
import { formatTime } from './format';
import { localizeServerText } from './serverText';
import { currentLocale } from '@/i18n';

type T = (key: MessageKey, named?: NamedValues) => string;

const FIELDS: readonly ProblemField[] = ['teamId', 'accountId', 'stageId', 'plannedStart', 'plannedEnd', 'reason'];

function isProblemCode(code: unknown): code is ProblemCode {
  return ProblemCodes.safeParse(code).success;
}

/** A problem to show: from a dry run, or from a refused write's issue (whose code may be absent). */
export type ShownProblem = Omit<Problem, 'code'> & { code: ProblemCode | null };

/** A refused write's issues as problems, so the form lists them the same way as a dry run's. */
export function problemsFromIssues(issues: readonly ApiIssue[]): ShownProblem[] {
  return issues.map((issue) => {
    const field = FIELDS.find((f) => f === issue.path);
    return { code: isProblemCode(issue.code) ? issue.code : null, ...(field ? { field } : {}), message: issue.message };
  });
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const time = (v: unknown): string => formatTime(str(v) || null);

export function problemText(t: T, p: ShownProblem): string {
  const params = p.params ?? {};
  if (!isProblemCode(p.code)) return localizeServerText(p.message, currentLocale());
  switch (p.code) {
    case 'slot.too_long':
      return t('ops.problems.slot.too_long', { hours: str(params['maxHours']) || '6' });
    case 'slot.outside_stage':
      return p.field === 'plannedEnd'
        ? t('ops.problems.slot.ends_after_stage', { time: time(params['stageEndsAt']) })
        : t('ops.problems.slot.outside_stage', { time: time(params['stageStartsAt']) });
    case 'team.not_active': {
      const status = str(params['status']);
      const known = status === 'suspended' || status === 'disqualified' || status === 'withdrawn';
      return t('ops.problems.team.not_active', { status: known ? t(`enums.teamStatus.${status}`) : status });
    }
    case 'team.unverified': {
      const status = str(params['identityStatus']);
      return t('ops.problems.team.unverified', {
        name: str(params['memberName']),
        status: status === 'rejected' ? t('enums.checkStatus.rejected') : t('enums.checkStatus.pending'),
      });
    }
    case 'anchor.not_filed':
      return t(params['anchorFiling'] === 'rejected' ? 'ops.problems.anchor.rejected' : 'ops.problems.anchor.not_filed', {
        name: str(params['memberName']),
      });
    case 'account.not_ok': {
      const status = str(params['status']);
      const known = status === 'unchecked' || status === 'ok' || status === 'problem' || status === 'disabled';
      return t('ops.problems.account.not_ok', { status: known ? t(`enums.accountStatus.${status}`) : status });
    }
    case 'account.double_booked':
      return params['teamName']
        ? t('ops.problems.account.double_booked_team', {
            team: str(params['teamName']),
            id: str(params['sessionId']),
            from: time(params['from']),
            to: formatTime(str(params['to']) || null, 'time'),
          })
        : t('ops.problems.account.double_booked', {
            from: time(params['from']),
            to: formatTime(str(params['to']) || null, 'time'),
          });
    case 'team.double_booked':
      return t('ops.problems.team.double_booked', {
        id: str(params['sessionId']),
        from: time(params['from']),
        to: formatTime(str(params['to']) || null, 'time'),
      });
    case 'stage.locked':
    case 'reason.required':
      return t(`ops.problems.${p.code}`, { time: time(params['lockAt']) });
    default:
      return t(`ops.problems.${p.code}`);
  }
}

export function readinessText(t: T, r: Readiness | undefined): string {
  if (!r) return '';
  switch (r.code) {
    case 'checklist.missing':
      return t('ops.readiness.missing');
    case 'checklist.pending_review':
      return t('ops.readiness.pending');
    case 'checklist.returned':
      return t('ops.readiness.returned', { reason: r.reason?.replace(/^The pre-live checklist was returned: /, '') ?? '' });
    default:
      return r.state === 'ready' ? t('ops.readiness.ready') : r.reason ?? '';
  }
}
