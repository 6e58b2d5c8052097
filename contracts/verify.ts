// Re-deriving the rankings from the recorded events (公开、公平、公正): what `GET /api/v1/verify` and
// `npm run cli -- verify` report.
import { z } from 'zod';
import { Id } from './common';

export const VerifyQuery = z.object({ stageId: Id.optional() });

export type RankDimension = 'team' | 'city' | 'university';

/** One leaderboard entry whose net GMV (fen) differs between the compared source and the event log. */
export interface VerifyDifference {
  stageId: number;
  dimension: RankDimension;
  /** Team id, city code or university id, as the leaderboards name them. */
  id: string;
  name: string;
  /** What the compared source holds (the live store, or the minute aggregates); 0 when it has no entry. */
  live: number;
  /** What the recorded events add up to; 0 when they have none. */
  recomputed: number;
}

/** A team left out of the rankings (disqualified, 取消资格), with what its recorded sales add up to. */
export interface RankingExclusion {
  stageId: number;
  teamId: number;
  name: string;
  cityCode: string;
  status: 'disqualified';
  netFen: number;
}

export interface RankedEntry {
  id: string;
  name: string;
  cityCode?: string;
  netFen: number;
  rank: number;
}

export interface StageRankings {
  stageId: number;
  /** Provisional: live order events net of refunds, before the platform's order export is reconciled. */
  basis: 'provisional';
  team: RankedEntry[];
  city: RankedEntry[];
  university: RankedEntry[];
}

export interface VerifyResult {
  ok: boolean;
  /** What the event log was compared with. */
  against: 'live-store' | 'minute-aggregates';
  checkedAt: string;
  stages: number[];
  differences: VerifyDifference[];
  exclusions: RankingExclusion[];
  rankings: StageRankings[];
  /** Log entries the persister had not yet written when the check ran: differences may then be in transit. */
  backlog: number;
}
