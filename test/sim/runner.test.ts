import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IngestEvent } from '../../contracts/ingest';
import { SessionModel, type SimSession } from '../../server/sim/model';
import { Simulator, type Sender, type SendResult } from '../../server/sim/runner';
import { MIN, openingSession, run, session, T0 } from './helpers';

const SEED = 7;
const SPEED = 60; // a simulated minute per wall second

/** Our own Sender, in memory: fails when told to, answers like the hub (ids counted once). */
class FakeSender implements Sender {
  readonly calls: Array<{ key: string; ids: string[]; ok: boolean; at: number }> = [];
  readonly delivered = new Map<string, IngestEvent[]>();
  private readonly seen = new Set<string>();
  constructor(
    private readonly fails: (call: number) => boolean,
    private readonly rejects: (e: IngestEvent) => string | undefined = () => undefined,
  ) {}

  async send(events: IngestEvent[], key: string): Promise<SendResult> {
    const call = this.calls.length;
    const ok = !this.fails(call);
    this.calls.push({ key, ids: events.map((e) => e.id), ok, at: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 30)); // a round trip, so later ticks queue behind it
    if (!ok) throw new Error('hub unavailable');
    const res: SendResult = { accepted: 0, duplicates: 0, rejected: [] };
    events.forEach((e, index) => {
      const code = this.rejects(e);
      if (code) return void res.rejected.push({ index, code, message: code });
      if (this.seen.has(e.id)) return void res.duplicates++;
      this.seen.add(e.id);
      res.accepted++;
      const list = this.delivered.get(key) ?? [];
      list.push(e);
      this.delivered.set(key, list);
    });
    return res;
  }
}

/** Advances fake time in steps until `done` holds, failing past a simulated-wall deadline. */
async function until(done: () => boolean, deadlineMs = 600_000, stepMs = 500): Promise<void> {
  for (let waited = 0; !done(); waited += stepMs) {
    if (waited > deadlineMs) throw new Error('deadline passed');
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}

/** stop() waits for a send in flight, whose round trip runs on the fake clock. */
async function stop(sim: Simulator, opts?: { flushMs?: number }): Promise<void> {
  let done = false;
  const stopped = sim.stop(opts).then(() => void (done = true));
  await until(() => done, (opts?.flushMs ?? 0) + 1000, 10);
  await stopped;
}

/** Orders and refunds exactly as the model makes them; stats the same or thinned after a catch-up, never altered. */
function expectSameRoom(got: IngestEvent[], s: SimSession): void {
  const want = expected(s);
  expect(got.filter((e) => e.type !== 'stats')).toEqual(want.filter((e) => e.type !== 'stats'));
  const byId = new Map(want.map((e) => [e.id, e]));
  for (const e of got) expect(byId.get(e.id)).toEqual(e);
  const order = got.map((e) => want.indexOf(byId.get(e.id)!));
  expect(order).toEqual([...order].sort((a, b) => a - b));
}

const sessions = (): SimSession[] => [1, 2, 3].map((i) => session(openingSession(SEED, i * 10), 60));
const expected = (s: SimSession) => run(new SessionModel(s, SEED), s);

describe('Simulator', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 - 2 * MIN });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries failed sends with the same ids and delivers every event exactly once, in order per key', async () => {
    const ss = sessions();
    const keyFor = (s: SimSession) => (s.id === ss[2]!.id ? 'ck_team' : 'ck_city');
    // Down at first, then every 7th send fails.
    const sender = new FakeSender((n) => n < 4 || n % 7 === 0);
    const sim = new Simulator({ sessions: ss, keyFor, sender, speed: SPEED, startAt: T0 - MIN, maxBatch: 200, seed: SEED });
    sim.start();
    await until(() => sim.sessionCount === 0 && sim.stats().pendingEvents === 0);
    await stop(sim);

    // A failed batch is resent unchanged before anything queued behind it.
    for (const [i, c] of sender.calls.entries()) {
      if (c.ok) continue;
      const next = sender.calls.slice(i + 1).find((d) => d.key === c.key);
      expect(next?.ids).toEqual(c.ids);
    }
    for (const s of ss) {
      const got = (sender.delivered.get(keyFor(s)) ?? []).filter((e) => e.sessionId === s.id);
      expect(got).toEqual(expected(s));
    }
    const all = ss.flatMap(expected);
    const st = sim.stats();
    expect(st.accepted).toBe(all.length);
    expect(st.duplicates).toBe(0);
    expect(st.rejected).toBe(0);
    expect(st.retries).toBe(sender.calls.filter((c) => !c.ok).length);
    expect(st.sent).toBe(all.length);
    expect(sender.calls.every((c) => c.ids.length <= 200)).toBe(true);
  });

  it('backs off from 200 ms up to 5 s between retries', async () => {
    const sender = new FakeSender((n) => n < 12);
    const sim = new Simulator({ sessions: sessions(), keyFor: () => 'ck_city', sender, speed: SPEED, startAt: T0, seed: SEED });
    sim.start();
    await until(() => sender.calls.length > 12);
    await stop(sim);
    const gaps = sender.calls.slice(1, 13).map((c, i) => c.at - sender.calls[i]!.at - 30); // minus the round trip
    expect(gaps[0]).toBeGreaterThanOrEqual(160);
    expect(gaps[0]).toBeLessThanOrEqual(200);
    for (const [i, g] of gaps.entries()) {
      expect(g).toBeLessThanOrEqual(5000);
      if (i > 0) expect(g).toBeGreaterThanOrEqual(gaps[i - 1]! * 0.8);
    }
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(4000);
  });

  it('counts rejected events, logs each code once and does not resend them', async () => {
    const ss = sessions();
    const outOfScope = ss[1]!.id;
    const sender = new FakeSender(() => false, (e) => (e.sessionId === outOfScope ? 'FORBIDDEN' : undefined));
    const log = vi.fn();
    const sim = new Simulator({ sessions: ss, keyFor: () => 'ck_city', sender, speed: SPEED, startAt: T0 - MIN, seed: SEED, log });
    sim.start();
    await until(() => sim.sessionCount === 0 && sim.stats().pendingEvents === 0);
    await stop(sim);

    expect(sim.stats().rejected).toBe(expected(ss[1]!).length);
    expect(log.mock.calls.filter(([, data]) => (data as { code?: string } | undefined)?.code === 'FORBIDDEN')).toHaveLength(1);
    const sentIds = sender.calls.flatMap((c) => c.ids);
    expect(new Set(sentIds).size).toBe(sentIds.length);
  });

  it('pauses sessions whose queue passes the bound, then catches up without losing anything', async () => {
    const ss = sessions();
    let down = true;
    const sender = new FakeSender(() => down);
    const log = vi.fn();
    const sim = new Simulator({ sessions: ss, keyFor: () => 'ck_city', sender, speed: SPEED, startAt: T0 - MIN, maxQueue: 2000, seed: SEED, log });
    sim.start();
    await until(() => log.mock.calls.some(([msg]) => String(msg).includes('past limit')));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sim.stats().pendingEvents).toBeLessThan(2000 + 3 * 200); // the bound plus one tick of three rooms
    down = false;
    await until(() => sim.sessionCount === 0 && sim.stats().pendingEvents === 0);
    await stop(sim);
    const got = sender.delivered.get('ck_city') ?? [];
    for (const s of ss) expectSameRoom(got.filter((e) => e.sessionId === s.id), s);
  });

  it('feeds sessions added later, never replays a closed one, and skips sessions without a key', async () => {
    const [a, b, c] = sessions();
    const sender = new FakeSender(() => false);
    const log = vi.fn();
    const keyFor = (s: SimSession) => (s.id === c!.id ? undefined : 'ck_city');
    const sim = new Simulator({ sessions: [a!], keyFor, sender, speed: SPEED, startAt: T0 - MIN, seed: SEED, log });
    sim.start();
    await vi.advanceTimersByTimeAsync(5000);
    sim.addSessions([a!, b!, c!]);
    await until(() => sim.sessionCount === 1 && sim.stats().pendingEvents === 0);
    const sent = sender.calls.length;
    sim.addSessions([a!, b!]); // a list refresh still naming rooms that have closed
    await vi.advanceTimersByTimeAsync(5000);
    expect(sim.sessionCount).toBe(1);
    expect(sender.calls.length).toBe(sent);
    await stop(sim);
    const got = sender.delivered.get('ck_city') ?? [];
    expectSameRoom(got.filter((e) => e.sessionId === b!.id), b!);
    expect(got.some((e) => e.sessionId === c!.id)).toBe(false);
    expect(log.mock.calls.filter(([msg]) => String(msg).includes('no collector key'))).toHaveLength(1);
  });

  it('stop() resolves while a batch waits to be retried, and nothing is sent after it', async () => {
    const sender = new FakeSender(() => true);
    const sim = new Simulator({ sessions: sessions(), keyFor: () => 'ck_city', sender, speed: SPEED, startAt: T0, seed: SEED });
    sim.start();
    await until(() => sender.calls.length >= 3);
    await stop(sim);
    const calls = sender.calls.length;
    const pending = sim.stats().pendingEvents;
    expect(pending).toBeGreaterThan(0); // kept, not dropped
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sender.calls.length).toBe(calls);
    expect(sim.stats().pendingEvents).toBe(pending);
  });

  it('stop({ flushMs }) delivers what is queued before resolving', async () => {
    const sender = new FakeSender((n) => n < 3);
    const sim = new Simulator({ sessions: sessions(), keyFor: () => 'ck_city', sender, speed: SPEED, startAt: T0, seed: SEED });
    sim.start();
    await vi.advanceTimersByTimeAsync(10_000);
    await stop(sim, { flushMs: 30_000 });
    expect(sim.stats().accepted).toBeGreaterThan(0);
    expect(sim.stats().pendingEvents).toBe(0);
  });
});
