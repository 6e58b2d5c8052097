// GET /api/v1/verify (province): the `verify` check run inside the hub against its own live store, so the
// province can re-derive every ranking from the recorded events from the UI (公开、公平、公正).
import { VerifyQuery, type VerifyResult } from '../../../contracts/verify';
import { isProvince } from '../../domain/permissions';
import type { Live } from '../../live/index';
import { verifyLeaderboards } from '../../cli/verify';
import { forbidden } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

export function verifyRoutes(ctx: AppContext, live: Live): ApiRouter {
  const r = new ApiRouter('/api/v1/verify');

  r.get('/', 'signed-in', async (req): Promise<VerifyResult> => {
    if (!isProvince(actorOf(req))) throw forbidden('Verifying the rankings is the province’s');
    const q = VerifyQuery.parse(req.query);
    const now = ctx.clock.now();
    return verifyLeaderboards(ctx.db, { kind: 'live-store', store: live.store }, q.stageId === undefined ? { now } : { now, stageId: q.stageId });
  });

  return r;
}
