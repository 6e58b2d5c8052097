// The public scoreboard (公开榜单): what anyone may see without signing in, when the province turns it on.
// Names, ranks and GMV as the province chooses to show it — never ids, phones, members or buyers.
import { z } from 'zod';
import { RankingBasis } from './analysis';

/** exact: 元 to the fen; wan: rounded to 0.1 万元 (¥1,000) on the server; hidden: ranks only, no money sent. */
export const ScoreboardGmvMode = z.enum(['exact', 'wan', 'hidden']);
export type ScoreboardGmvMode = z.infer<typeof ScoreboardGmvMode>;

/** Setting 'scoreboard.public'. stageId null: the stage running now (else the one that started last). */
export const ScoreboardConfig = z.object({
  enabled: z.boolean(),
  stageId: z.number().int().positive().max(2_147_483_647).nullable(),
  gmv: ScoreboardGmvMode,
  basis: RankingBasis,
});
export type ScoreboardConfig = z.infer<typeof ScoreboardConfig>;

/** Fen per 0.1 万元: the step of the rounded display. */
export const WAN_STEP_FEN = 100_000;

const Fen = z.number().int();
const Name = z.string().max(200);

export const TeamStanding = z.object({ rank: z.number().int().positive(), name: Name, university: Name, city: Name, gmvFen: Fen });
export const UniversityStanding = z.object({ rank: z.number().int().positive(), name: Name, city: Name, gmvFen: Fen });
export const CityStanding = z.object({ rank: z.number().int().positive(), name: Name, gmvFen: Fen });
export const DisqualifiedTeam = z.object({ name: Name, university: Name, city: Name });

/** Standings with exact money, as computed (and as stored at 封榜): the display mode is applied when shown. */
export const Standings = z.object({
  stageName: Name,
  basis: RankingBasis,
  /** Epoch ms the standings were read. */
  asOf: z.number().int(),
  team: z.array(TeamStanding),
  university: z.array(UniversityStanding),
  city: z.array(CityStanding),
  /** 取消资格: out of every board (their city's and university's totals too), listed apart, no money. */
  disqualified: z.array(DisqualifiedTeam),
  /** Teams ranked in all, when `team` was cut to the first PUBLIC_LIMITS.team. */
  teamsRanked: z.number().int().nonnegative(),
});
export type Standings = z.infer<typeof Standings>;

/** A row as the public sees it: gmvFen absent when the province hides money, rounded in 'wan' mode. */
type Shown<T extends { gmvFen: number }> = Omit<T, 'gmvFen'> & { gmvFen?: number };

export interface PublicScoreboard {
  stageName: string;
  basis: RankingBasis;
  gmv: ScoreboardGmvMode;
  /** 已封榜: the standings are those of this moment (ISO); null while live. */
  frozenAt: string | null;
  /** When these standings were read (ISO). */
  asOf: string;
  team: Array<Shown<z.infer<typeof TeamStanding>>>;
  university: Array<Shown<z.infer<typeof UniversityStanding>>>;
  city: Array<Shown<z.infer<typeof CityStanding>>>;
  disqualified: Array<z.infer<typeof DisqualifiedTeam>>;
  teamsRanked: number;
}

/** What the room `public:scoreboard` receives: the board, or that it was closed. */
export type ScoreboardMessage = { open: true; board: PublicScoreboard } | { open: false };

/** The province's view of the scoreboard's controls. */
export interface ScoreboardAdmin {
  config: ScoreboardConfig;
  /** The stage the board shows now (config.stageId, or the current stage), null when there is none. */
  stage: { id: number; name: string } | null;
  freeze: { stageId: number; frozenAt: string; frozenBy: number | null } | null;
}

/** Rows sent to the public at most: a crowd's screens need the top, not all 500 teams. */
export const PUBLIC_LIMITS = { team: 100, university: 50, city: 11 } as const;
