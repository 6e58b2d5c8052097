// The public scoreboard's rules, pure: standings from per-team net GMV (disqualified teams out of every board,
// their city's and university's included, as computeRankings publishes them), and the display the province chose.
import {
  PUBLIC_LIMITS, WAN_STEP_FEN,
  type PublicScoreboard, type ScoreboardGmvMode, type Standings,
} from '../../contracts/scoreboard';
import type { RankingBasis } from '../../contracts/analysis';

export interface RegistryTeam {
  name: string;
  cityCode: string;
  universityId: number;
  status: 'active' | 'suspended' | 'disqualified' | 'withdrawn';
}

/** Names the board needs, loaded now and then from the registry. */
export interface Registry {
  teams: ReadonlyMap<number, RegistryTeam>;
  universities: ReadonlyMap<number, { name: string }>;
  /** City code → short name (南昌). */
  cities: ReadonlyMap<string, string>;
}

export interface StandingsInput {
  stageName: string;
  basis: RankingBasis;
  asOf: number;
  /** Net fen per team of the stage (teams absent sold nothing, or have no session). */
  teams: Iterable<{ teamId: number; netFen: number }>;
  registry: Registry;
}

/** Highest first; equal totals share a rank (1, 2, 2, 4) and are listed by name, as the rankings page does. */
export function withSharedRanks<T extends { name: string; gmvFen: number }>(rows: T[]): Array<T & { rank: number }> {
  const sorted = [...rows].sort((a, b) => b.gmvFen - a.gmvFen || a.name.localeCompare(b.name, 'zh-CN'));
  const out: Array<T & { rank: number }> = [];
  sorted.forEach((r, i) => {
    const prev = out[i - 1];
    out.push({ ...r, rank: prev && prev.gmvFen === r.gmvFen ? prev.rank : i + 1 });
  });
  return out;
}

export function buildStandings(input: StandingsInput): Standings {
  const { registry: reg } = input;
  const cityName = (code: string) => reg.cities.get(code) ?? code;
  const uniName = (id: number) => reg.universities.get(id)?.name ?? '';
  const teams: Array<{ name: string; university: string; city: string; gmvFen: number }> = [];
  const unis = new Map<number, { name: string; city: string; gmvFen: number }>();
  const cities = new Map<string, { name: string; gmvFen: number }>();
  const disqualified: Standings['disqualified'] = [];
  for (const { teamId, netFen } of input.teams) {
    const t = reg.teams.get(teamId);
    if (!t) continue; // deleted since: nothing to name
    const row = { name: t.name, university: uniName(t.universityId), city: cityName(t.cityCode) };
    if (t.status === 'disqualified') {
      disqualified.push(row);
      continue;
    }
    teams.push({ ...row, gmvFen: netFen });
    const u = unis.get(t.universityId) ?? { name: row.university, city: row.city, gmvFen: 0 };
    u.gmvFen += netFen;
    unis.set(t.universityId, u);
    const c = cities.get(t.cityCode) ?? { name: row.city, gmvFen: 0 };
    c.gmvFen += netFen;
    cities.set(t.cityCode, c);
  }
  const rankedTeams = withSharedRanks(teams);
  return {
    stageName: input.stageName,
    basis: input.basis,
    asOf: input.asOf,
    team: rankedTeams.slice(0, PUBLIC_LIMITS.team),
    university: withSharedRanks([...unis.values()]).slice(0, PUBLIC_LIMITS.university),
    city: withSharedRanks([...cities.values()]).slice(0, PUBLIC_LIMITS.city),
    disqualified: disqualified.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')),
    teamsRanked: rankedTeams.length,
  };
}

/** Money as the province chose: exact, rounded to 0.1 万元 on the server (the exact figure never leaves), or none. */
export function shownFen(fen: number, mode: ScoreboardGmvMode): number | undefined {
  if (mode === 'hidden') return undefined;
  if (mode === 'wan') return Math.round(fen / WAN_STEP_FEN) * WAN_STEP_FEN;
  return fen;
}

export function publicBoard(s: Standings, mode: ScoreboardGmvMode, frozenAt: number | null): PublicScoreboard {
  const show = <T extends { gmvFen: number }>(row: T) => {
    const { gmvFen, ...rest } = row;
    const v = shownFen(gmvFen, mode);
    return v === undefined ? rest : { ...rest, gmvFen: v };
  };
  return {
    stageName: s.stageName,
    basis: s.basis,
    gmv: mode,
    frozenAt: frozenAt === null ? null : new Date(frozenAt).toISOString(),
    asOf: new Date(s.asOf).toISOString(),
    team: s.team.map(show),
    university: s.university.map(show),
    city: s.city.map(show),
    disqualified: s.disqualified,
    teamsRanked: s.teamsRanked,
  };
}
