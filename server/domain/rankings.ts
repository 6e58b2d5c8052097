// Fair rankings (公开、公平、公正), re-derived from the recorded events alone: per stage, net GMV (orders minus
// refunds, in fen) by team, city and university. Pure: the callers load the rows and the names.
import type {
  RankDimension,
  RankedEntry,
  RankingExclusion,
  StageRankings,
  VerifyDifference,
} from '../../contracts/verify';

export const DIMENSIONS: readonly RankDimension[] = ['team', 'city', 'university'];

/**
 * Money recorded for one session: a single event (an order is gross, a refund is refunded) or the sums of
 * many, as SQL can add them up per session and type. Stats events carry no money and never appear.
 */
export interface LedgerLine {
  stageId: number;
  teamId: number;
  cityCode: string;
  universityId: number;
  grossFen: number;
  refundFen: number;
}

export interface TeamRef {
  name: string;
  cityCode: string;
  status: 'active' | 'suspended' | 'disqualified' | 'withdrawn';
}

export interface Names {
  teams: ReadonlyMap<number, TeamRef>;
  universities: ReadonlyMap<number, { name: string; cityCode: string }>;
  cities: ReadonlyMap<string, { short: string }>;
}

/** Net fen per board id, per dimension, per stage. */
export type Boards = Map<number, Record<RankDimension, Map<string, number>>>;

const emptyBoards = (): Record<RankDimension, Map<string, number>> => ({ team: new Map(), city: new Map(), university: new Map() });

/** Ids as the live store names them: team and university ids as strings, city codes as they are. */
export function boardIds(l: Pick<LedgerLine, 'teamId' | 'cityCode' | 'universityId'>): Record<RankDimension, string> {
  return { team: String(l.teamId), city: l.cityCode, university: String(l.universityId) };
}

/**
 * Every team counted, whatever its standing: what the live store should hold if it counted exactly the
 * recorded events. `skipTeam` leaves some teams out (the rankings leave out the disqualified).
 */
export function netBoards(lines: Iterable<LedgerLine>, skipTeam: (teamId: number) => boolean = () => false): Boards {
  const out: Boards = new Map();
  for (const l of lines) {
    if (skipTeam(l.teamId)) continue;
    let stage = out.get(l.stageId);
    if (!stage) out.set(l.stageId, (stage = emptyBoards()));
    const ids = boardIds(l);
    const net = l.grossFen - l.refundFen;
    for (const dim of DIMENSIONS) stage[dim].set(ids[dim], (stage[dim].get(ids[dim]) ?? 0) + net);
  }
  return out;
}

export function nameOf(names: Names, dim: RankDimension, id: string): { name: string; cityCode?: string } {
  if (dim === 'team') {
    const t = names.teams.get(Number(id));
    return t ? { name: t.name, cityCode: t.cityCode } : { name: `#${id}` };
  }
  if (dim === 'university') {
    const u = names.universities.get(Number(id));
    return u ? { name: u.name, cityCode: u.cityCode } : { name: `#${id}` };
  }
  return { name: names.cities.get(id)?.short ?? id, cityCode: id };
}

/** Highest net first; ties in reverse id order, as the live leaderboards (Redis ZREVRANGE) break them. */
export function rank(board: ReadonlyMap<string, number>, dim: RankDimension, names: Names): RankedEntry[] {
  return [...board]
    .map(([id, netFen]) => ({ id, netFen }))
    .sort((a, b) => b.netFen - a.netFen || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((e, i) => ({ ...e, ...nameOf(names, dim, e.id), rank: i + 1 }));
}

export const isExcluded = (t: TeamRef | undefined): boolean => t?.status === 'disqualified';

/**
 * The rankings as the contest publishes them: disqualified teams (取消资格) are out of every board, their
 * city's and university's included, and listed with what they had recorded.
 */
export function computeRankings(lines: readonly LedgerLine[], names: Names): { rankings: StageRankings[]; exclusions: RankingExclusion[] } {
  const excluded = (teamId: number) => isExcluded(names.teams.get(teamId));
  const boards = netBoards(lines, excluded);
  const all = netBoards(lines);
  const stages = [...new Set([...all.keys()])].sort((a, b) => a - b);
  const rankings: StageRankings[] = stages.map((stageId) => {
    const b = boards.get(stageId) ?? emptyBoards();
    return {
      stageId,
      basis: 'provisional',
      team: rank(b.team, 'team', names),
      city: rank(b.city, 'city', names),
      university: rank(b.university, 'university', names),
    };
  });
  const exclusions: RankingExclusion[] = [];
  for (const stageId of stages) {
    for (const [id, netFen] of all.get(stageId)?.team ?? []) {
      const t = names.teams.get(Number(id));
      if (!t || !excluded(Number(id))) continue;
      exclusions.push({ stageId, teamId: Number(id), name: t.name, cityCode: t.cityCode, status: 'disqualified', netFen });
    }
  }
  exclusions.sort((a, b) => a.stageId - b.stageId || a.teamId - b.teamId);
  return { rankings, exclusions };
}

/**
 * Entry by entry, what `live` holds against what the events add up to (a missing entry counts as 0).
 * Both sides count every team, the disqualified included: leaving a team out of both would also hide any
 * tampering with its events from its city's and university's totals.
 */
export function compareBoards(live: Boards, recomputed: Boards, names: Names): VerifyDifference[] {
  const out: VerifyDifference[] = [];
  const stages = [...new Set([...live.keys(), ...recomputed.keys()])].sort((a, b) => a - b);
  for (const stageId of stages) {
    const l = live.get(stageId) ?? emptyBoards();
    const r = recomputed.get(stageId) ?? emptyBoards();
    for (const dim of DIMENSIONS) {
      const ids = [...new Set([...l[dim].keys(), ...r[dim].keys()])].sort();
      for (const id of ids) {
        const lv = l[dim].get(id) ?? 0;
        const rv = r[dim].get(id) ?? 0;
        if (lv !== rv) out.push({ stageId, dimension: dim, id, name: nameOf(names, dim, id).name, live: lv, recomputed: rv });
      }
    }
  }
  return out;
}
