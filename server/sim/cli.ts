// Standalone simulator: feeds a running hub as real collectors would.
//   tsx server/sim/cli.ts --url http://127.0.0.1:3000 --key ck_... [--key ck_... ...] [--speed 5] [--seed 1] [--start ISO]
// Keys may also come from SIM_KEYS (comma-separated), which keeps them out of the process list.
import { parseArgs } from 'node:util';
import { Simulator, httpSender } from './runner';
import type { SimSession } from './model';
import { fetchSessions } from './sessions';

const USAGE = 'usage: tsx server/sim/cli.ts --url http://127.0.0.1:3000 --key ck_... [--key ...] [--speed 1] [--seed 1] [--start ISO]';
const REFRESH_MS = 60_000;
const REFRESH_RETRY_MS = 5_000;
const STATUS_MS = 10_000;
const FLUSH_MS = 5_000;

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    key: { type: 'string', multiple: true, default: [] },
    speed: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    start: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const keys = [...values.key, ...(process.env['SIM_KEYS'] ?? '').split(',')].map((k) => k.trim()).filter(Boolean);
if (keys.length === 0) fail('no collector key given');
const speed = Number(values.speed);
if (!(speed > 0)) fail(`bad --speed ${values.speed}`);
const seed = Number(values.seed);
if (!Number.isInteger(seed)) fail(`bad --seed ${values.seed}`);
const startAt = values.start === undefined ? Date.now() : Date.parse(values.start);
if (Number.isNaN(startAt)) fail(`bad --start ${values.start}`);
const url = values.url;

const log = (msg: string, data?: object) => console.error(data ? `${msg} ${JSON.stringify(data)}` : msg);
if (speed !== 1 || values.start !== undefined) {
  log('sim: simulated time differs from the wall clock; a hub on the real clock rejects events outside its window');
}

// The first key that lists a session feeds it (a city key and a team key may both cover one).
const owner = new Map<number, string>();
const sim = new Simulator({
  sessions: [],
  keyFor: (s: SimSession) => owner.get(s.id),
  sender: httpSender(url),
  speed,
  startAt,
  seed,
  log,
});

async function refresh(): Promise<boolean> {
  let ok = true;
  const found: SimSession[] = [];
  for (const [i, key] of keys.entries()) {
    try {
      for (const s of await fetchSessions(url, key)) {
        if (!owner.has(s.id)) owner.set(s.id, key);
        found.push(s);
      }
    } catch (err) {
      ok = false;
      log('sim: could not list sessions', { key: `key#${i + 1}`, error: err instanceof Error ? err.message : String(err) });
    }
  }
  sim.addSessions(found);
  return ok;
}

const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
function status(): void {
  const s = sim.stats();
  console.log(
    `sim ${shanghai(sim.simTime)} +08 sessions=${sim.sessionCount} sent=${s.sent} accepted=${s.accepted} ` +
      `duplicates=${s.duplicates} rejected=${s.rejected} retries=${s.retries} pending=${s.pendingEvents}`,
  );
}

let stopping = false;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
async function refreshLoop(): Promise<void> {
  const ok = await refresh();
  if (!stopping) refreshTimer = setTimeout(() => void refreshLoop(), ok ? REFRESH_MS : REFRESH_RETRY_MS);
}

const statusTimer = setInterval(status, STATUS_MS);
sim.start();
void refreshLoop();

async function shutdown(): Promise<void> {
  if (stopping) process.exit(130); // a second Ctrl-C: leave now
  stopping = true;
  clearInterval(statusTimer);
  clearTimeout(refreshTimer);
  log(`sim: stopping; delivering what is queued for up to ${FLUSH_MS / 1000}s (Ctrl-C again to quit now)`);
  await sim.stop({ flushMs: FLUSH_MS });
  status();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
