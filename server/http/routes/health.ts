import type { AppContext } from '../context';
import { ApiRouter } from '../router';

export interface HealthProbe {
  name: 'db' | 'live';
  check(): Promise<string>; // a short description when healthy; throws when not
}

/** 200 once the hub can serve; 503 naming the failing part while it cannot. */
export function healthRoutes(_ctx: AppContext, probes: HealthProbe[]): ApiRouter {
  const r = new ApiRouter('/api');
  r.get('/health', 'public', async (_req, res) => {
    const out: Record<string, string> = { status: 'ok' };
    let failing: string | undefined;
    for (const p of probes) {
      try {
        out[p.name] = await withTimeout(p.check(), 2000);
      } catch (err) {
        // A probe may say why it cannot serve (e.g. the live store is being rebuilt); otherwise it is down.
        const why = err instanceof Error ? /^(\w+):/.exec(err.message)?.[1] : undefined;
        out[p.name] = why === 'rebuilding' ? 'rebuilding' : 'down';
        failing ??= p.name;
      }
    }
    if (failing) {
      res.status(503);
      return { ...out, status: 'unavailable', error: { code: 'UNAVAILABLE', message: `${failing} is not reachable` } };
    }
    return out;
  });
  return r;
}

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
