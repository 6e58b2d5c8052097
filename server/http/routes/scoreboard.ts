// The public scoreboard: the cached public read (no sign-in), and the province's view of it and 封榜 / 解封.
// Its switches (on/off, stage, GMV display, basis) are the setting 'scoreboard.public' (PUT /api/v1/settings/…).
import type { ScoreboardAdmin } from '../../../contracts/scoreboard';
import { isProvince } from '../../domain/permissions';
import { getSetting } from '../../services/settings';
import { boardStage, freezeBoard, getFreeze, unfreezeBoard } from '../../services/scoreboard';
import type { PublicBoard } from '../../realtime/public-board';
import { AppError, conflict, forbidden } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

export function scoreboardRoutes(ctx: AppContext, board: PublicBoard): ApiRouter {
  const r = new ApiRouter('/api/v1');
  const { prisma } = ctx.db;

  // Served from the hub's cache (refreshed by one timer, not by requests). max-age=1 matches the tick, so a CDN
  // or proxy in front answers a crowd by itself; the ETag turns a poll of an unchanged board into a bodyless 304.
  r.get('/public/scoreboard', 'public', async (req, res) => {
    const c = await board.current();
    if (!c.message.open) {
      res.setHeader('Cache-Control', 'public, max-age=5');
      throw new AppError('NOT_FOUND', '公开榜单未开放 The public scoreboard is not open');
    }
    res.setHeader('Cache-Control', 'public, max-age=1, stale-while-revalidate=5');
    res.setHeader('ETag', c.etag);
    if (req.get('if-none-match') === c.etag) return void res.status(304).end();
    res.type('application/json').send(c.body);
  });

  const provinceOnly = (req: Parameters<typeof actorOf>[0]) => {
    const a = actorOf(req);
    if (!isProvince(a)) throw forbidden('The public scoreboard is the province’s to run');
    return a;
  };

  const adminView = async (): Promise<ScoreboardAdmin> => {
    const config = await getSetting(prisma, 'scoreboard.public');
    const stage = await boardStage(prisma, config, ctx.clock.now());
    const freeze = stage ? await getFreeze(prisma, stage.id) : null;
    return {
      config,
      stage,
      freeze: freeze ? { stageId: freeze.stageId, frozenAt: new Date(freeze.frozenAt).toISOString(), frozenBy: freeze.frozenBy } : null,
    };
  };

  r.get('/scoreboard', 'signed-in', async (req) => {
    provinceOnly(req);
    return adminView();
  });

  r.post('/scoreboard/freeze', 'signed-in', async (req) => {
    const a = provinceOnly(req);
    const config = await getSetting(prisma, 'scoreboard.public');
    const now = ctx.clock.now();
    const stage = await boardStage(prisma, config, now);
    if (!stage) throw conflict('No stage to freeze: create a stage or choose one for the scoreboard');
    // Read now, not from the cache: the frozen standings are exactly those of this moment.
    const standings = await board.standings(stage, config.basis, true);
    const done = await prisma.$transaction((tx) => freezeBoard(tx, a, stage, standings, now));
    if (!done) throw conflict('The scoreboard of this stage is already frozen');
    await board.refreshAfterChange();
    return adminView();
  });

  r.post('/scoreboard/unfreeze', 'signed-in', async (req) => {
    const a = provinceOnly(req);
    const config = await getSetting(prisma, 'scoreboard.public');
    const stage = await boardStage(prisma, config, ctx.clock.now());
    if (!stage) throw conflict('No stage to unfreeze');
    const done = await prisma.$transaction((tx) => unfreezeBoard(tx, a, stage));
    if (!done) throw conflict('The scoreboard of this stage is not frozen');
    await board.refreshAfterChange();
    return adminView();
  });

  return r;
}
