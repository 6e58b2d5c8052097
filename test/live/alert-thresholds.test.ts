// The province's alert thresholds take effect on a running hub: the evaluator keeps its own copy and
// re-reads it every fraud round (10 fast ticks), so a change saved over HTTP raises, and a change back
// clears, an alert without a restart. The clock stands still, so only the thresholds change.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { connect, waitForAlert, type Client } from '../helpers/socket.ts';
import { manualClock } from '../../server/clock.ts';
import { MINUTE } from '../../server/domain/time.ts';
import type { AlertDto } from '../../contracts/response.ts';

describe('alert thresholds saved by the province reach the evaluator of a running hub', () => {
  // The fixture's sessions started 10 minutes before the real now: 3 minutes into their slot, none is late
  // by the default of 5 minutes.
  const clock = manualClock(Date.now() - 7 * MINUTE);
  let h: TestHub;
  let province: string;
  let city: Client;

  beforeAll(async () => {
    h = await startTestHub('pglite', { clock });
    province = await h.login(h.fx.users.province);
    city = await connect(h.url, await h.login(h.fx.users.cityA));
  });
  afterAll(async () => {
    city?.close();
    await h?.close();
  });

  const lateA1 = (a: AlertDto) => a.rule === 'late_start' && a.sessionId === h.fx.sessionA1;

  test('lowering “late start” to 2 minutes raises late_start within the next round; restoring 5 clears it', async () => {
    expect(await h.db.prisma.alert.count({ where: { rule: 'late_start' } })).toBe(0);
    const raised = waitForAlert(city, 'raised', lateA1, 15_000);
    const put = await h.req('PUT', '/api/v1/alerts/thresholds', { token: province, body: { lateStartMinutes: 2 } });
    expect(put.status).toBe(200);
    expect(put.body.value).toMatchObject({ lateStartMinutes: 2, silentSeconds: 120 });
    expect(await raised).toMatchObject({ severity: 'warning', cityCode: CITY_A, teamId: h.fx.teamA1, clearedAt: null });

    const cleared = waitForAlert(city, 'cleared', lateA1, 15_000);
    expect((await h.req('PUT', '/api/v1/alerts/thresholds', { token: province, body: { lateStartMinutes: 5 } })).status).toBe(200);
    expect((await cleared).clearedAt).not.toBeNull();
  }, 40_000);
});
