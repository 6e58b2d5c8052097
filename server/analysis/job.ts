// The periodic analysis job: computes the record of every session that ended recently and has none, and
// recomputes those whose event log has grown since (late events). Idempotent, so every hub may run it.
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { DAY } from '../domain/time';
import { recomputeSession, staleSessions } from './records';

export interface AnalysisJobDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  /** Default 60 s. */
  intervalMs?: number;
  /** How far back ended sessions are watched for late events; default 3 days. */
  lookbackMs?: number;
  /** Sessions per run; default 200. */
  batch?: number;
}

export interface AnalysisJob {
  /** One pass now; resolves with the sessions (re)computed. */
  runOnce(): Promise<number[]>;
  stop(): void;
}

export function startAnalysisJob(deps: AnalysisJobDeps): AnalysisJob {
  const { db, clock, log } = deps;
  const lookback = deps.lookbackMs ?? 3 * DAY;
  let running: Promise<number[]> | null = null;
  const pass = async (): Promise<number[]> => {
    const now = clock.now();
    const ids = await staleSessions(db, new Date(now - lookback), deps.batch ?? 200);
    const done: number[] = [];
    for (const id of ids) {
      try {
        if (await recomputeSession(db, id, clock.now())) done.push(id);
      } catch (err) {
        log.warn({ err, sessionId: id }, 'analysis recompute failed');
      }
    }
    if (done.length) log.info({ sessions: done.length }, 'analysis records computed');
    return done;
  };
  // Never two passes at once in one hub.
  const runOnce = () => (running ??= pass().finally(() => (running = null)));
  const timer = setInterval(() => {
    runOnce().catch((err: unknown) => log.warn({ err }, 'analysis job failed'));
  }, deps.intervalMs ?? 60_000);
  timer.unref();
  return { runOnce, stop: () => clearInterval(timer) };
}
