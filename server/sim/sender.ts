// How the simulator hands events to the hub: the Sender interface and its HTTP implementation (API.md "Ingest").
import { z } from 'zod';
import type { IngestEvent } from '../../contracts/ingest';

export interface SendResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ index: number; code: string; message: string }>;
}

/** Resolves with the hub's answer; throws when the batch may not have been stored and must be resent as is. */
export interface Sender {
  send(events: IngestEvent[], key: string): Promise<SendResult>;
}

const Answer = z.object({
  accepted: z.number().int().min(0),
  duplicates: z.number().int().min(0),
  rejected: z.array(z.object({ index: z.number().int().min(0), code: z.string(), message: z.string() })),
});
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Statuses worth resending the same batch for: the hub is down, overloaded or slow. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

export function httpSender(baseUrl: string, opts: { timeoutMs?: number } = {}): Sender {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/ingest`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async send(events, key) {
      let status: number;
      let text: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        throw new Error(`ingest: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      if (status >= 200 && status < 300) {
        const answer = Answer.safeParse(parseJson(text));
        // Unreadable answer: we can't know what was stored, and resending is safe (ids are idempotent).
        if (!answer.success) throw new Error(`ingest: unexpected answer (HTTP ${status})`);
        return answer.data;
      }
      if (retryable(status)) throw new Error(`ingest: HTTP ${status}`);
      // A bad key or a refused envelope: the same batch would fail again, so every event is rejected with the reason.
      const body = ErrorBody.safeParse(parseJson(text));
      const code = body.success ? body.data.error.code : `HTTP_${status}`;
      const message = body.success ? body.data.error.message : `HTTP ${status}`;
      return { accepted: 0, duplicates: 0, rejected: events.map((_, index) => ({ index, code, message })) };
    },
  };
}
