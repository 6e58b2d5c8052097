// The notice's preparation deadlines per city, pure: contact by 10-08; registration, training and OMS account
// checks by 10-20; each stage's schedule report by its lock. Dates live in CONTEST_DATES so a later
// edition changes one object.
import type { CityDeadlines, DeadlineItem, DeadlineState, MissingItem } from '../../contracts/ops';
import { DAY, shanghaiInstant } from './time';

/** Shanghai calendar dates from 赣邮渠道〔2024〕13号; each is due by the end of that day. */
export const CONTEST_DATES = {
  contactReport: '2024-10-08',
  registration: '2024-10-20',
  training: '2024-10-20',
  accounts: '2024-10-20',
} as const;
export type ContestDates = { [K in keyof typeof CONTEST_DATES]: string };

/** The last millisecond of a Shanghai calendar day. */
export const endOfShanghaiDay = (date: string) => shanghaiInstant(date) + DAY - 1;

export type Topic = 'platform_basics' | 'live_rules' | 'youle_shop' | 'skills' | 'other';
/** What the notice stresses: the platform's basics and the group's live business rules (直播业务管理办法). */
export const CORE_TOPICS: readonly Topic[] = ['platform_basics', 'live_rules'];

// ───────────── training coverage ─────────────

export interface AttendanceFact {
  teamId: number;
  trainingId: number;
  heldAt: number;
  topic: Topic;
}

export interface Coverage {
  teamId: number;
  /** Attended at least one training held by the deadline. */
  trained: boolean;
  firstTrainingAt: number | null;
  lastTrainingAt: number | null;
  trainings: number;
  /** Topics attended by the deadline. */
  topics: Topic[];
  coreTopicsMissing: Topic[];
}

export const COVERAGE_RULE =
  'trained = the team (or any of its members) attended at least one recorded training held by the deadline; ' +
  'coreTopicsMissing shows which of platform_basics and live_rules it has not attended';

/**
 * The notice's hard duty is that every team is trained and the attendance kept (必须保留…记录), so any recorded
 * training counts; the core topics are reported beside it rather than made a gate, because one session often
 * covers several topics and is recorded under one.
 */
export function trainingCoverage(teamIds: readonly number[], attendance: readonly AttendanceFact[], deadline: number): Map<number, Coverage> {
  const byTeam = new Map<number, AttendanceFact[]>();
  for (const f of attendance) {
    const list = byTeam.get(f.teamId);
    if (list) list.push(f);
    else byTeam.set(f.teamId, [f]);
  }
  const out = new Map<number, Coverage>();
  for (const id of teamIds) {
    const facts = byTeam.get(id) ?? [];
    const inTime = facts.filter((f) => f.heldAt <= deadline);
    const topics = [...new Set(inTime.map((f) => f.topic))].sort();
    const times = facts.map((f) => f.heldAt);
    out.set(id, {
      teamId: id,
      trained: inTime.length > 0,
      firstTrainingAt: times.length ? Math.min(...times) : null,
      lastTrainingAt: times.length ? Math.max(...times) : null,
      trainings: new Set(facts.map((f) => f.trainingId)).size,
      topics,
      coreTopicsMissing: CORE_TOPICS.filter((t) => !topics.includes(t)),
    });
  }
  return out;
}

// ───────────── the dashboard ─────────────

export interface DeadlineInput {
  cities: { code: string; name: string; contactReportedAt: number | null }[];
  teams: {
    id: number;
    name: string;
    cityCode: string;
    status: 'active' | 'suspended' | 'disqualified' | 'withdrawn';
    youleShopId: string | null;
    phone: string | null;
    members: {
      id: number;
      name: string;
      onCamera: boolean;
      identityStatus: 'pending' | 'verified' | 'rejected';
      identityCheckedAt: number | null;
      anchorFiling: 'not_required' | 'pending' | 'filed' | 'rejected';
      anchorFiledAt: number | null;
    }[];
  }[];
  attendance: AttendanceFact[];
  accounts: { id: number; cityCode: string; accountNo: string; label: string; status: 'unchecked' | 'ok' | 'problem' | 'disabled'; checkedAt: number | null }[];
  accountRequests: { id: number; cityCode: string; status: 'submitted' | 'approved' | 'rejected' }[];
  stages: { id: number; name: string; lockAt: number }[];
  reports: { stageId: number; cityCode: string; reportedAt: number }[];
}

/** Missing lists are capped; detail.missingCount says how many there were. */
export const MAX_MISSING = 100;

function stateOf(done: boolean, doneAt: number | null, due: number, now: number): DeadlineState {
  if (done) return doneAt !== null && doneAt > due ? 'done_late' : 'done';
  return now > due ? 'overdue' : 'open';
}

function item(key: string, due: number, now: number, done: boolean, doneAt: number | null, detail: DeadlineItem['detail'], missing: MissingItem[]): DeadlineItem {
  return {
    key,
    due: new Date(due).toISOString(),
    done,
    state: stateOf(done, doneAt, due, now),
    doneAt: done && doneAt !== null ? new Date(doneAt).toISOString() : null,
    detail: { ...detail, missingCount: missing.length },
    missing: missing.slice(0, MAX_MISSING),
  };
}

const pct = (n: number, d: number) => (d === 0 ? null : Math.round((1000 * n) / d) / 10);
const maxOf = (xs: (number | null)[]) => xs.reduce<number | null>((m, x) => (x !== null && (m === null || x > m) ? x : m), null);

/** Teams still in the contest; withdrawn and disqualified ones owe nothing more. */
const inContest = (s: DeadlineInput['teams'][number]['status']) => s === 'active' || s === 'suspended';

export function computeDeadlines(input: DeadlineInput, now: number, dates: ContestDates = CONTEST_DATES): CityDeadlines[] {
  const dueContact = endOfShanghaiDay(dates.contactReport);
  const dueReg = endOfShanghaiDay(dates.registration);
  const dueTraining = endOfShanghaiDay(dates.training);
  const dueAccounts = endOfShanghaiDay(dates.accounts);
  const teams = input.teams.filter((t) => inContest(t.status));
  const coverage = trainingCoverage(teams.map((t) => t.id), input.attendance, dueTraining);

  return input.cities.map((city) => {
    const items: DeadlineItem[] = [];
    const cityTeams = teams.filter((t) => t.cityCode === city.code);

    items.push(
      item('contact', dueContact, now, city.contactReportedAt !== null, city.contactReportedAt, { reportedAt: city.contactReportedAt === null ? null : new Date(city.contactReportedAt).toISOString() },
        city.contactReportedAt === null ? [{ entity: 'city', id: city.code, label: city.name, reason: 'contact not reported' }] : []),
    );

    // Registration: 附件1 (members, verified identities, filed anchors) and 附件2 (shop id and phone).
    const members = cityTeams.flatMap((t) => t.members.map((m) => ({ ...m, team: t })));
    const onCamera = members.filter((m) => m.onCamera);
    const verified = members.filter((m) => m.identityStatus === 'verified');
    const filed = onCamera.filter((m) => m.anchorFiling === 'filed');
    const shops = cityTeams.filter((t) => t.youleShopId && t.phone);
    const regMissing: MissingItem[] = [];
    if (cityTeams.length === 0) regMissing.push({ entity: 'city', id: city.code, label: city.name, reason: 'no team registered' });
    for (const t of cityTeams) {
      if (t.members.length === 0) regMissing.push({ entity: 'team', id: String(t.id), label: t.name, reason: 'no members' });
      if (!t.youleShopId || !t.phone) regMissing.push({ entity: 'team', id: String(t.id), label: t.name, reason: 'Youle shop id or registered phone missing' });
    }
    for (const m of members) {
      if (m.identityStatus !== 'verified')
        regMissing.push({ entity: 'member', id: String(m.id), label: `${m.team.name} · ${m.name}`, reason: m.identityStatus === 'rejected' ? 'identity rejected' : 'identity not verified' });
      if (m.onCamera && m.anchorFiling !== 'filed')
        regMissing.push({ entity: 'member', id: String(m.id), label: `${m.team.name} · ${m.name}`, reason: m.anchorFiling === 'rejected' ? 'anchor filing rejected' : 'anchor not filed' });
    }
    const regDone = regMissing.length === 0;
    items.push(
      item('registration', dueReg, now, regDone, maxOf([...verified.map((m) => m.identityCheckedAt), ...filed.map((m) => m.anchorFiledAt)]), {
        teams: cityTeams.length,
        members: members.length,
        verified: verified.length,
        verifiedPct: pct(verified.length, members.length),
        onCamera: onCamera.length,
        filed: filed.length,
        filedPct: pct(filed.length, onCamera.length),
        shopsRegistered: shops.length,
      }, regMissing),
    );

    const cov = cityTeams.map((t) => ({ t, c: coverage.get(t.id) }));
    const trainMissing: MissingItem[] = cov
      .filter(({ c }) => !c || c.firstTrainingAt === null)
      .map(({ t }) => ({ entity: 'team', id: String(t.id), label: t.name, reason: 'no training attended' }));
    if (cityTeams.length === 0) trainMissing.push({ entity: 'city', id: city.code, label: city.name, reason: 'no team to train' });
    items.push(
      item('training', dueTraining, now, trainMissing.length === 0, maxOf(cov.map(({ c }) => c?.firstTrainingAt ?? null)), {
        teams: cityTeams.length,
        trainedByDue: cov.filter(({ c }) => c?.trained).length,
        trainedPct: pct(cov.filter(({ c }) => c?.trained).length, cityTeams.length),
      }, trainMissing),
    );

    // OMS accounts: every usable account checked (ok or problem); a disabled one is out of use.
    const accounts = input.accounts.filter((x) => x.cityCode === city.code && x.status !== 'disabled');
    const accMissing: MissingItem[] = accounts
      .filter((x) => x.status === 'unchecked' || x.checkedAt === null)
      .map((x) => ({ entity: 'account', id: String(x.id), label: `${x.label} (${x.accountNo})`, reason: 'not checked' }));
    if (accounts.length === 0) accMissing.push({ entity: 'city', id: city.code, label: city.name, reason: 'no OMS account' });
    items.push(
      item('accounts', dueAccounts, now, accMissing.length === 0, maxOf(accounts.map((x) => x.checkedAt)), {
        accounts: accounts.length,
        ok: accounts.filter((x) => x.status === 'ok' && x.checkedAt !== null).length,
        problem: accounts.filter((x) => x.status === 'problem' && x.checkedAt !== null).length,
        requestsPending: input.accountRequests.filter((q) => q.cityCode === city.code && q.status === 'submitted').length,
      }, accMissing),
    );

    for (const s of [...input.stages].sort((a, b) => a.lockAt - b.lockAt || a.id - b.id)) {
      const rep = input.reports.find((r) => r.stageId === s.id && r.cityCode === city.code);
      items.push(
        item(`schedule:${s.id}`, s.lockAt, now, rep !== undefined, rep?.reportedAt ?? null, { stageId: s.id, stage: s.name },
          rep ? [] : [{ entity: 'stage', id: String(s.id), label: s.name, reason: 'schedule not reported' }]),
      );
    }
    return { cityCode: city.code, items };
  });
}
