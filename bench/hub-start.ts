// Starts bench/hub-process.ts (a real hub, `npm start`'s composition) and times its start from its own log: spawn →
// the event log replayed into the in-process live store → listening → /api/health answering 200. Used by the soak
// (scripts/soak.ts) and the replay bench (bench/replay.ts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, waitFor, type Child } from './procs';
import { httpGet } from './probes';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface HubProc {
  child: Child;
  port: number;
  env: NodeJS.ProcessEnv;
  /** From its log: spawn → the event log replayed into the live store (with the replay's own report) → listening. */
  start: { replayedAfterMs: number | null; listeningAfterMs: number | null; healthyAfterMs: number; replay: Record<string, number> | null };
}

export async function startHub(opts: { port: number; env: NodeJS.ProcessEnv; clientDir: string }): Promise<HubProc> {
  const spawned = Date.now();
  const child = start('hub', process.execPath, ['--import', 'tsx', 'bench/hub-process.ts', opts.clientDir], { cwd: ROOT, env: opts.env });
  const marks: HubProc['start'] = { replayedAfterMs: null, listeningAfterMs: null, healthyAfterMs: NaN, replay: null };
  let partial = '';
  child.proc.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const rec = JSON.parse(line) as { msg?: string; sessions?: number; events?: number; accepted?: number; ms?: number };
        if (rec.msg === 'live state replayed from the database') {
          marks.replayedAfterMs = Date.now() - spawned;
          marks.replay = { sessions: rec.sessions ?? NaN, events: rec.events ?? NaN, accepted: rec.accepted ?? NaN, ms: rec.ms ?? NaN };
        } else if (rec.msg === 'hub listening') marks.listeningAfterMs = Date.now() - spawned;
      } catch {
        // not a log record
      }
    }
  });
  await waitFor('GET /api/health 200', async () => (await httpGet(opts.port, '/api/health')).status === 200, child, 300_000);
  marks.healthyAfterMs = Date.now() - spawned;
  return { child, port: opts.port, env: opts.env, start: marks };
}
