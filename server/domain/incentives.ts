// Incentives (七): Youle reward points to a city. Pure: which ledger entries are due and not yet recorded.
// Each earned entry has a dedupe key, so recomputing never pays twice.

export const POINTS = { universityJoined: 1000, finalPlacement: 800 } as const;
/** "Places in the final" = ranked within this many in a final stage, unless the province sets otherwise. */
export const DEFAULT_FINAL_TOP_N = 10;
export const FINAL_TOP_N_SETTING = 'incentives.finalTopN';

export interface UniversityFact {
  id: number;
  name: string;
  cityCode: string;
  role: 'organiser' | 'co_organiser' | 'participant';
}

export interface PlacementFact {
  stageId: number;
  stageKind: 'preliminary' | 'semifinal' | 'final' | 'other';
  teamId: number;
  teamName: string;
  /** The city that organised the team (its 赛区). */
  teamCityCode: string;
  rank: number;
  /** A disqualified team's placement earns nothing. */
  teamDisqualified: boolean;
}

export interface DueEntry {
  cityCode: string;
  points: number;
  reason: 'university_joined' | 'final_placement';
  universityId: number | null;
  teamId: number | null;
  dedupeKey: string;
  note: string;
}

export const uniKey = (universityId: number) => `uni:${universityId}`;
export const finalKey = (stageId: number, teamId: number) => `final:${stageId}:${teamId}`;

/**
 * 1,000 to a university's city once it is an organiser or co-organiser (主办/协办); 800 more to a team's city for
 * each of its teams placed within the top `topN` of a final stage, unless the team is disqualified. A university that later drops back to
 * participant keeps its entry: the ledger only grows, and the province corrects it with an adjustment.
 */
export function incentivesDue(
  universities: readonly UniversityFact[],
  placements: readonly PlacementFact[],
  existing: ReadonlySet<string>,
  topN: number = DEFAULT_FINAL_TOP_N,
): DueEntry[] {
  const out: DueEntry[] = [];
  const seen = new Set(existing);
  const add = (e: DueEntry) => {
    if (seen.has(e.dedupeKey)) return;
    seen.add(e.dedupeKey);
    out.push(e);
  };
  for (const u of universities) {
    if (u.role === 'participant') continue;
    add({
      cityCode: u.cityCode, points: POINTS.universityJoined, reason: 'university_joined', universityId: u.id, teamId: null,
      dedupeKey: uniKey(u.id), note: `${u.name} joined as ${u.role === 'organiser' ? 'organiser (主办)' : 'co-organiser (协办)'}`,
    });
  }
  for (const p of placements) {
    if (p.stageKind !== 'final' || p.rank > topN || p.teamDisqualified) continue;
    add({
      cityCode: p.teamCityCode, points: POINTS.finalPlacement, reason: 'final_placement', universityId: null, teamId: p.teamId,
      dedupeKey: finalKey(p.stageId, p.teamId), note: `${p.teamName} placed ${p.rank} in the final`,
    });
  }
  return out;
}
