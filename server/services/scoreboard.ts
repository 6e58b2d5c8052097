// The public scoreboard's reads and writes in PostgreSQL: which stage it shows, the registry names it needs,
// verified GMV per team, and 封榜 / 解封 (the frozen standings are stored, so a restarted hub keeps them).
import { Standings, type ScoreboardConfig } from '../../contracts/scoreboard';
import type { Prisma, PrismaClient } from '../db/generated/client.ts';
import type { Actor } from '../domain/permissions';
import type { Registry } from '../domain/scoreboard';
import { audit } from './audit';

type Reader = Pick<PrismaClient, 'stage' | 'team' | 'university' | 'city' | 'liveSession' | 'scoreboardFreeze'>;

export interface BoardStage {
  id: number;
  name: string;
}

export interface Freeze {
  stageId: number;
  frozenAt: number;
  frozenBy: number | null;
  standings: Standings;
}

/** The configured stage, else the one running now (else the one that started last), as the wall picks it. */
export async function boardStage(db: Reader, config: ScoreboardConfig, now: number): Promise<BoardStage | null> {
  const s = config.stageId
    ? await db.stage.findUnique({ where: { id: config.stageId }, select: { id: true, name: true } })
    : await db.stage.findFirst({ where: { startsAt: { lte: new Date(now) } }, orderBy: { startsAt: 'desc' }, select: { id: true, name: true } });
  return s ?? null;
}

export async function loadRegistry(db: Reader): Promise<Registry> {
  const [teams, unis, cities] = await Promise.all([
    db.team.findMany({ select: { id: true, name: true, cityCode: true, universityId: true, status: true } }),
    db.university.findMany({ select: { id: true, name: true } }),
    db.city.findMany({ select: { code: true, short: true } }),
  ]);
  return {
    teams: new Map(teams.map((t) => [t.id, { name: t.name, cityCode: t.cityCode, universityId: t.universityId, status: t.status }])),
    universities: new Map(unis.map((u) => [u.id, { name: u.name }])),
    cities: new Map(cities.map((c) => [c.code, c.short])),
  };
}

/** Verified basis: each team's reconciled GMV (sessions not yet reconciled count 0), as rankings.ts counts it. */
export async function verifiedTeamNets(db: Reader, stageId: number): Promise<Array<{ teamId: number; netFen: number }>> {
  const rows = await db.liveSession.groupBy({
    by: ['teamId'],
    where: { stageId, status: { in: ['live', 'ended'] } },
    _sum: { verifiedGmvFen: true },
  });
  return rows.map((r) => ({ teamId: r.teamId, netFen: r._sum.verifiedGmvFen ?? 0 }));
}

export async function getFreeze(db: Reader, stageId: number): Promise<Freeze | null> {
  const row = await db.scoreboardFreeze.findUnique({ where: { stageId } });
  if (!row) return null;
  // Parsed at the boundary: a row that no longer fits the contract is shown as not frozen rather than half.
  const standings = Standings.safeParse(row.standings);
  return standings.success ? { stageId, frozenAt: row.frozenAt.getTime(), frozenBy: row.frozenBy, standings: standings.data } : null;
}

type Writer = Pick<Prisma.TransactionClient, 'scoreboardFreeze' | 'auditLog'>;

/** 封榜. Returns false when the stage is already frozen (the first freeze's standings stay). */
export async function freezeBoard(tx: Writer, actor: Actor, stage: BoardStage, standings: Standings, now: number): Promise<boolean> {
  if (await tx.scoreboardFreeze.findUnique({ where: { stageId: stage.id }, select: { stageId: true } })) return false;
  await tx.scoreboardFreeze.create({
    data: { stageId: stage.id, frozenAt: new Date(now), frozenBy: actor.id, standings },
  });
  await audit(tx, actor, {
    action: 'scoreboard.freeze',
    entity: 'Stage',
    entityId: stage.id,
    after: { stageId: stage.id, stageName: stage.name, frozenAt: new Date(now).toISOString(), basis: standings.basis, teamsRanked: standings.teamsRanked },
  });
  return true;
}

/** 解封. Returns false when the stage was not frozen. */
export async function unfreezeBoard(tx: Writer, actor: Actor, stage: BoardStage): Promise<boolean> {
  const row = await tx.scoreboardFreeze.findUnique({ where: { stageId: stage.id }, select: { frozenAt: true } });
  if (!row) return false;
  await tx.scoreboardFreeze.delete({ where: { stageId: stage.id } });
  await audit(tx, actor, {
    action: 'scoreboard.unfreeze',
    entity: 'Stage',
    entityId: stage.id,
    before: { stageId: stage.id, stageName: stage.name, frozenAt: row.frozenAt.toISOString() },
  });
  return true;
}
