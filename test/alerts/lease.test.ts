// The evaluator's lease: with several hubs on one Redis only one evaluates, so each alert is raised once;
// when the leader goes, another takes over and adopts the open alerts instead of raising them again.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { freshDatabase } from '../helpers/db.ts';
import { freshRedisUrl } from '../helpers/redis.ts';
import { seedFixture, type Fixture } from '../helpers/fixture.ts';
import type { Database } from '../../server/db/index.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { manualClock } from '../../server/clock.ts';
import { openLiveStore } from '../../server/live/open-store.ts';
import { createLive, type Live } from '../../server/live/index.ts';
import { ALERT_LEASE_KEY, MemoryLease, RedisLease } from '../../server/alerts/lease.ts';
import { AlertEvaluator } from '../../server/alerts/evaluator.ts';
import { rooms } from '../../server/realtime/rooms.ts';
import { WebhookNotifier } from '../../server/alerts/webhooks.ts';
import type { AlertDto } from '../../contracts/response.ts';
import type { AlertChanges } from '../../contracts/live.ts';

describe('MemoryLease', () => {
  test('two holders in one group: one leads until it releases or its lease runs out', async () => {
    const clock = manualClock(0);
    const group = new Map();
    const a = new MemoryLease('a', 5000, clock.now, group);
    const b = new MemoryLease('b', 5000, clock.now, group);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    clock.advance(4999);
    expect(await a.acquire()).toBe(true); // renewed
    clock.advance(4999);
    expect(await b.acquire()).toBe(false);
    clock.advance(1);
    expect(await b.acquire()).toBe(true);
    await a.release(); // not a's any more: no effect
    expect(await a.acquire()).toBe(false);
    await b.release();
    expect(await a.acquire()).toBe(true);
  });
});

describe('RedisLease and two evaluators on one Redis and PostgreSQL', () => {
  let url: string;
  let db: Database;
  let fx: Fixture;
  const redises: Redis[] = [];
  const lives: Live[] = [];
  const notifiers: WebhookNotifier[] = [];
  const config = loadConfig({ LOG_LEVEL: 'silent', PERSISTER: 'false' });
  const log = createLogger(config);
  const clock = manualClock(Date.now());
  const redis = () => {
    const r = new Redis(url);
    redises.push(r);
    return r;
  };

  beforeAll(async () => {
    url = await freshRedisUrl();
    db = await freshDatabase('postgres');
    fx = await seedFixture(db, clock.now());
  });
  afterAll(async () => {
    for (const n of notifiers) await n.close();
    for (const l of lives) await l.store.close();
    for (const r of redises) r.disconnect();
    await db?.close();
  });

  test('SET NX PX: one holder at a time, renewed by its holder, with a time to live, released only by its holder', async () => {
    const a = new RedisLease(redis(), 'hub-a', 5000, 'test:lease');
    const b = new RedisLease(redis(), 'hub-b', 5000, 'test:lease');
    expect(await Promise.all([a.acquire(), b.acquire()])).toSatisfy((r: boolean[]) => r.filter(Boolean).length === 1);
    const [leader, other] = (await redises[0]!.get('test:lease')) === 'hub-a' ? [a, b] : [b, a];
    expect(await leader.acquire()).toBe(true);
    const ttl = await redises[0]!.pttl('test:lease');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
    await other.release();
    expect(await other.acquire()).toBe(false);
    await leader.release();
    expect(await other.acquire()).toBe(true);
  });

  test('only the leader evaluates: each late session is raised once; on failover the new leader adopts the open alerts', async () => {
    // What the province hears: every alert, one message per round.
    const emitted: Array<{ hub: string; event: keyof AlertChanges; alert: AlertDto }> = [];
    const evaluator = async (hub: string) => {
      const store = await openLiveStore(url);
      const live = createLive({ config, db, clock, log, store });
      lives.push(live);
      await live.directory.refresh();
      const notifier = new WebhookNotifier(db, log, { team: () => undefined, city: () => undefined });
      notifiers.push(notifier);
      return new AlertEvaluator(db, live, (room, changes) => {
        if (room !== rooms.province) return;
        for (const event of ['raised', 'updated', 'cleared'] as const) for (const alert of changes[event]) emitted.push({ hub, event, alert });
      }, clock, log, new RedisLease(redis(), hub, 5000), notifier);
    };
    const a = await evaluator('hub-a');
    const b = await evaluator('hub-b');
    // The fixture's sessions started 10 minutes ago with no data: all three are late.
    for (let i = 0; i < 3; i++) await Promise.all([a.tick(), b.tick()]);
    expect([a.isLeader, b.isLeader].filter(Boolean)).toHaveLength(1);
    const raised = emitted.filter((e) => e.event === 'raised');
    expect(raised.map((e) => e.alert.sessionId).sort()).toEqual([fx.sessionA1, fx.sessionA2, fx.sessionB1].sort());
    expect(new Set(raised.map((e) => e.hub)).size).toBe(1);
    expect(await db.prisma.alert.count()).toBe(3);

    const [leader, follower] = a.isLeader ? [a, b] : [b, a];
    await leader.stop(); // releases the lease, as a hub shutting down does
    expect(await redises[0]!.get(ALERT_LEASE_KEY)).toBeNull();
    await follower.tick();
    expect(follower.isLeader).toBe(true);
    expect(emitted.filter((e) => e.event === 'raised')).toHaveLength(3);
    expect(await db.prisma.alert.count({ where: { clearedAt: null } })).toBe(3);

    // The new leader clears what it adopted when the condition ends: the sessions are cancelled.
    await db.prisma.liveSession.updateMany({ data: { status: 'cancelled' } });
    for (const l of lives) await l.directory.refresh();
    await follower.tick();
    const cleared = emitted.filter((e) => e.event === 'cleared');
    expect(cleared).toHaveLength(3);
    expect(await db.prisma.alert.count({ where: { clearedAt: null } })).toBe(0);
    await follower.stop();
  });
});
