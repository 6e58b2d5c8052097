// The deadlines dashboard in words: each item's name, its progress figures and the reasons something is
// still missing, from the hub's stable keys; an unknown key or reason shows as the hub wrote it.
import type { DeadlineItem, MissingItem } from '@contracts/ops';
import type { MessageKey, NamedValues } from '@/i18n/useT';

type T = (key: MessageKey, named?: NamedValues) => string;

const BASE_KEYS = ['contact', 'registration', 'training', 'accounts'] as const;
type BaseKey = (typeof BASE_KEYS)[number];
const isBase = (key: string): key is BaseKey => (BASE_KEYS as readonly string[]).includes(key);

export function deadlineTitle(t: T, item: DeadlineItem): string {
  if (isBase(item.key)) return t(`ops.deadlines.items.${item.key}`);
  if (item.key.startsWith('schedule:')) return t('ops.deadlines.items.schedule', { stage: String(item.detail['stage'] ?? item.key.slice(9)) });
  return item.key;
}

const n = (v: unknown): string | number => (typeof v === 'number' || typeof v === 'string' ? v : 0);
const pct = (v: unknown): string => (typeof v === 'number' ? `${v}%` : '—');

export function deadlineProgress(t: T, item: DeadlineItem): string {
  const d = item.detail;
  switch (item.key) {
    case 'contact':
      return item.done ? t('ops.deadlines.progress.contactDone') : t('ops.deadlines.progress.contactMissing');
    case 'registration':
      return t('ops.deadlines.progress.registration', {
        teams: n(d['teams']),
        members: n(d['members']),
        verified: pct(d['verifiedPct']),
        filed: pct(d['filedPct']),
        shops: n(d['shopsRegistered']),
      });
    case 'training':
      return t('ops.deadlines.progress.training', { trained: n(d['trainedByDue']), teams: n(d['teams']), pct: pct(d['trainedPct']) });
    case 'accounts':
      return t('ops.deadlines.progress.accounts', { ok: n(d['ok']), problem: n(d['problem']), accounts: n(d['accounts']), pending: n(d['requestsPending']) });
    default:
      return item.done ? t('ops.deadlines.progress.reported') : t('ops.deadlines.progress.notReported');
  }
}

const REASONS: Record<string, MessageKey> = {
  'contact not reported': 'ops.deadlines.reasons.contact',
  'no team registered': 'ops.deadlines.reasons.noTeam',
  'no members': 'ops.deadlines.reasons.noMembers',
  'Youle shop id or registered phone missing': 'ops.deadlines.reasons.noShop',
  'identity rejected': 'ops.deadlines.reasons.identityRejected',
  'identity not verified': 'ops.deadlines.reasons.identityPending',
  'anchor filing rejected': 'ops.deadlines.reasons.filingRejected',
  'anchor not filed': 'ops.deadlines.reasons.notFiled',
  'no training attended': 'ops.deadlines.reasons.untrained',
  'no team to train': 'ops.deadlines.reasons.noTeamToTrain',
  'not checked': 'ops.deadlines.reasons.notChecked',
  'no OMS account': 'ops.deadlines.reasons.noAccount',
  'schedule not reported': 'ops.deadlines.reasons.notReported',
};

export function missingReason(t: T, m: MissingItem): string {
  const key = REASONS[m.reason];
  return key ? t(key) : m.reason;
}
