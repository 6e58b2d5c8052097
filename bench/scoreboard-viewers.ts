// Public scoreboard viewers for bench/scoreboard.ts, in their own process so their parsing does not stall the
// bench's clock: N anonymous socket.io clients on the /public room, or N HTTP pollers of the cached route with
// If-None-Match. A few viewers (spread over the connection order) parse every board and time it against the
// hub's read time (`asOf`); the rest count messages unread (sockets) or only the 200s (pollers).
//   argv: <url> <socket|poll> <viewers> <pollMs> <warmupMs> <recordMs>
// IPC out: { kind: 'ready' } when all are connected, { kind: 'recording' }, then { kind: 'result', … }.
import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { leanParser } from './lean-parser';

const [url = '', mode = 'socket', nArg = '0', pollArg = '2000', warmArg = '3000', recordArg = '10000'] = process.argv.slice(2);
const N = Number(nArg);
const POLL_MS = Number(pollArg);
const MEASURING = Math.min(N, 20);
const now = () => performance.timeOrigin + performance.now();
const latencies: number[] = [];
let recording = false;
/** Boards received by the unparsed viewers while recording (sockets), or 200s and 304s (pollers). */
const counts = { lean: 0, measured: 0, ok: 0, notModified: 0, errors: 0 };

function note(body: string): void {
  const { asOf } = JSON.parse(body) as { asOf?: string };
  if (recording && asOf) latencies.push(now() - Date.parse(asOf));
}

/** Counts board messages without parsing them: the hub does the same work for these viewers. */
class CountingDecoder extends leanParser.Decoder {
  override add(data: unknown): void {
    if (typeof data === 'string' && data.charCodeAt(0) === 50 && recording) counts.lean++;
    super.add(data);
  }
}
const countingParser = { Encoder: leanParser.Encoder, Decoder: CountingDecoder };

const sockets: Socket[] = [];
async function connectSockets(): Promise<void> {
  const measuringAt = new Set(Array.from({ length: MEASURING }, (_, i) => Math.floor((i * N) / MEASURING)));
  for (let i = 0; i < N; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, N - i) }, (_, j) => {
        const d = i + j;
        const s = io(`${url}/public`, {
          transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000,
          ...(measuringAt.has(d) ? {} : { parser: countingParser }),
        });
        if (measuringAt.has(d))
          s.on('scoreboard:updated', (m: { open: boolean; board?: { asOf: string } }) => {
            if (!recording || !m.board) return;
            counts.measured++;
            latencies.push(now() - Date.parse(m.board.asOf));
          });
        sockets.push(s);
        return new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        });
      }),
    );
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const timers: NodeJS.Timeout[] = [];
function startPollers(): void {
  const target = new URL('/api/v1/public/scoreboard', url);
  for (let i = 0; i < N; i++) {
    const measuring = i < MEASURING;
    let etag = '';
    const poll = () => {
      const req = http.get(target, { agent, headers: etag ? { 'if-none-match': etag } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 304) {
            if (recording) counts.notModified++;
            return;
          }
          if (res.statusCode !== 200) {
            if (recording) counts.errors++;
            return;
          }
          etag = String(res.headers.etag ?? '');
          if (recording) counts.ok++;
          if (measuring) note(Buffer.concat(chunks).toString('utf8'));
        });
      });
      req.on('error', () => recording && counts.errors++);
    };
    // Spread over the interval, as real viewers would be.
    const first = setTimeout(() => {
      poll();
      timers.push(setInterval(poll, POLL_MS));
    }, Math.random() * POLL_MS);
    timers.push(first);
  }
}

async function main(): Promise<void> {
  if (mode === 'socket') await connectSockets();
  else startPollers();
  process.send?.({ kind: 'ready' });
  await new Promise((r) => setTimeout(r, Number(warmArg)));
  const cpu0 = process.cpuUsage();
  recording = true;
  process.send?.({ kind: 'recording' });
  await new Promise((r) => setTimeout(r, Number(recordArg)));
  recording = false;
  const cpu = process.cpuUsage(cpu0);
  process.send?.({
    kind: 'result',
    latencies,
    counts,
    measuring: MEASURING,
    viewerCpu: (cpu.user + cpu.system) / 1e6 / (Number(recordArg) / 1000),
  });
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.close();
  agent.destroy();
  setTimeout(() => process.exit(0), 200).unref();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
