import type { AppContext } from '../context';
import { ApiRouter } from '../router';

export interface HealthProbe {
  name: 'db' | 'live';
  check(): Promise<string>; // a short description when healthy; throws when not
}

/**
 * 200 once the hub can serve; 503 naming the failing part while it cannot. While the live store is rebuilt from
 * PostgreSQL (a Redis that lost its data) the answer is 503 `{"status":"rebuilding"}` with Retry-After: ingest is
 * refused meanwhile and the live numbers are incomplete, so a load balancer should drain this hub until it is whole.
 */
export function healthRoutes(_ctx: AppContext, probes: HealthProbe[]): ApiRouter {
  const r = new ApiRouter('/api');
  r.get('/health', 'public', async (_req, res) => {
    const out: Record<string, string> = { status: 'ok' };
    const failing: Array<{ name: string; rebuilding: boolean }> = [];
    for (const p of probes) {
      try {
        out[p.name] = await withTimeout(p.check(), 2000);
      } catch (err) {
        // A probe may say why it cannot serve (e.g. the live store is being rebuilt); otherwise it is down.
        const rebuilding = err instanceof Error && /^rebuilding:/.test(err.message);
        out[p.name] = rebuilding ? 'rebuilding' : 'down';
        failing.push({ name: p.name, rebuilding });
      }
    }
    if (!failing.length) return out;
    res.status(503);
    res.setHeader('Cache-Control', 'no-store');
    // Only a rebuild is known to end on its own soon; a part that is down gets no promise.
    if (failing.every((f) => f.rebuilding)) {
      res.setHeader('Retry-After', String(REBUILD_RETRY_AFTER_SECONDS));
      return {
        ...out,
        status: 'rebuilding',
        error: { code: 'UNAVAILABLE', message: 'Live data is being rebuilt from the database; ingest resumes when it is whole' },
      };
    }
    const down = failing.filter((f) => !f.rebuilding).map((f) => f.name);
    return { ...out, status: 'unavailable', error: { code: 'UNAVAILABLE', message: `${down.join(', ')} is not reachable` } };
  });
  return r;
}

/** What ingest's 503 says while rebuilding too (server/live/rebuild.ts). */
const REBUILD_RETRY_AFTER_SECONDS = 2;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
