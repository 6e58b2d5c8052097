// The load generator: K senders, each one keep-alive connection posting batches back to back, as collectors
// would if the hub were their only limit. Counts what the server says it accepted, not what was sent.
import { Agent, request } from 'node:http';
import { z } from 'zod';

export interface Post {
  key: string;
  body: string;
}

export interface Answer {
  status: number;
  text: string;
}

export class Poster {
  private readonly agent: Agent;

  constructor(
    private readonly port: number,
    private readonly path: string,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /**
   * One retry when a kept-alive connection turns out closed (the server's idle timeout raced the request), as a
   * collector would resend; the same event ids make the resend harmless.
   */
  async post(p: Post): Promise<Answer> {
    try {
      return await this.postOnce(p);
    } catch (e) {
      const code = e instanceof Error && 'code' in e ? e.code : undefined;
      if (code !== 'ECONNRESET' && code !== 'EPIPE') throw e;
      return this.postOnce(p);
    }
  }

  private postOnce(p: Post): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: this.path,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(p.body),
            authorization: `Bearer ${p.key}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(p.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Non-200 answers and transport errors. */
  failed: number;
  requests: number;
  seconds: number;
  eventsPerSec: number;
  /** First few distinct problems, to show instead of a silent low figure. */
  problems: string[];
}

/** The parts of an ingest answer the bench counts (the baseline answers the same shape). */
const AnswerBody = z.object({
  accepted: z.number(),
  duplicates: z.number().default(0),
  rejected: z.array(z.unknown()).default([]),
});

function parseAnswer(text: string): { accepted: number; duplicates: number; rejected: number } | null {
  try {
    const a = AnswerBody.safeParse(JSON.parse(text));
    return a.success ? { accepted: a.data.accepted, duplicates: a.data.duplicates, rejected: a.data.rejected.length } : null;
  } catch {
    return null;
  }
}

/** `senders` loops post `next()` until `durationMs` is up; the clock stops when the last answer arrives. */
export async function saturate(poster: Poster, senders: number, durationMs: number, next: () => Post): Promise<LoadResult> {
  const r: LoadResult = { accepted: 0, duplicates: 0, rejected: 0, failed: 0, requests: 0, seconds: 0, eventsPerSec: 0, problems: [] };
  const problem = (s: string) => {
    if (r.problems.length < 5 && !r.problems.includes(s)) r.problems.push(s);
  };
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (performance.now() < deadline) {
        r.requests++;
        try {
          const a = await poster.post(next());
          const parsed = a.status === 200 ? parseAnswer(a.text) : null;
          if (!parsed) {
            r.failed++;
            problem(`${a.status}: ${a.text.slice(0, 200)}`);
            continue;
          }
          r.accepted += parsed.accepted;
          r.duplicates += parsed.duplicates;
          r.rejected += parsed.rejected;
          if (parsed.rejected) problem(`rejected: ${a.text.slice(0, 200)}`);
        } catch (e) {
          r.failed++;
          problem(e instanceof Error ? e.message : String(e));
          await new Promise((res) => setTimeout(res, 50)); // a refused connection would otherwise spin
        }
      }
    }),
  );
  r.seconds = (performance.now() - t0) / 1000;
  r.eventsPerSec = r.accepted / r.seconds;
  return r;
}
