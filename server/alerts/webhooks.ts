// Outbound notifications to each city's group robots (WeCom, DingTalk) or a plain JSON receiver: formatted per
// kind, retried with backoff, and logged in WebhookDelivery. Fire and forget: a slow robot never holds up a
// request or the evaluator.
import type { AlertDto, TicketDto, TicketStepDto } from '../../contracts/response';
import type { Database } from '../db/index';
import type { Logger } from '../logger';
import { shanghaiTime, zh } from './messages';

export type Notice =
  | { event: 'alert:raised' | 'alert:cleared'; alert: AlertDto }
  | { event: 'ticket:opened' | 'ticket:updated'; ticket: TicketDto; step: TicketStepDto };

export type WebhookKind = 'wecom' | 'dingtalk' | 'json';

export interface Names {
  team(id: number | null): string | undefined;
  city(code: string): string | undefined;
}

export interface NotifierOptions {
  /** Attempts in all, the first included. */
  tries?: number;
  /** Wait before the 2nd attempt; doubled before each next one. */
  backoffMs?: number;
  timeoutMs?: number;
}

const cityOf = (n: Notice) => ('alert' in n ? n.alert.cityCode : n.ticket.cityCode);
const topicOf = (n: Notice): 'alerts' | 'tickets' => ('alert' in n ? 'alerts' : 'tickets');

/** Title and markdown lines of a notice, in Chinese. */
export function describe(n: Notice, names: Names): { title: string; lines: string[] } {
  if ('alert' in n) {
    const a = n.alert;
    const head = n.event === 'alert:raised' ? zh.raised : zh.cleared;
    const title = `${head}·${zh.rule[a.rule]}`;
    const who = [names.city(a.cityCode) ?? a.cityCode, a.teamName ?? names.team(a.teamId), a.sessionId ? `${zh.session} #${a.sessionId}` : null]
      .filter(Boolean)
      .join(' · ');
    return {
      title,
      lines: [
        `**[${zh.severity[a.severity]}] ${title}**`,
        who,
        `> ${a.message}`,
        `${zh.time}: ${shanghaiTime(n.event === 'alert:cleared' && a.clearedAt ? a.clearedAt : a.openedAt)}`,
      ],
    };
  }
  const t = n.ticket;
  const title = `${zh.ticket} #${t.id}·${zh.step[n.step.kind]}`;
  const who = [names.city(t.cityCode) ?? t.cityCode, t.teamName ?? names.team(t.teamId), t.sessionId ? `${zh.session} #${t.sessionId}` : null]
    .filter(Boolean)
    .join(' · ');
  return {
    title,
    lines: [
      `**${title}** (${zh.ticketKind[t.kind]})`,
      who,
      `> ${(n.step.text ?? t.text).replace(/\n/g, ' ')}`,
      `${zh.time}: ${shanghaiTime(n.step.at)}`,
    ],
  };
}

/** The request body each kind of receiver expects. */
export function formatBody(kind: WebhookKind, n: Notice, names: Names): unknown {
  const { title, lines } = describe(n, names);
  const text = lines.filter(Boolean).join('\n');
  if (kind === 'wecom') return { msgtype: 'markdown', markdown: { content: text } };
  if (kind === 'dingtalk') return { msgtype: 'markdown', markdown: { title, text } };
  return 'alert' in n ? { event: n.event, alert: n.alert } : { event: n.event, ticket: n.ticket, step: n.step };
}

interface Attempt {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/** One POST. Robots answer 200 with `errcode` ≠ 0 when they refuse, so that counts as a failure too. */
async function post(url: string, body: unknown, timeoutMs: number): Promise<Attempt> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      // A redirect could point anywhere; a receiver that moved must be edited instead.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (res.status < 200 || res.status >= 300) return { ok: false, statusCode: res.status, error: `HTTP ${res.status}` };
    const errcode = robotErrcode(text);
    if (errcode !== null && errcode !== 0) return { ok: false, statusCode: res.status, error: `errcode ${errcode}` };
    return { ok: true, statusCode: res.status, error: null };
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
    const name = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : undefined;
    return { ok: false, statusCode: null, error: (name ?? code ?? 'request failed').slice(0, 200) };
  }
}

function robotErrcode(text: string): number | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && 'errcode' in v && typeof v.errcode === 'number' ? v.errcode : null;
  } catch {
    return null;
  }
}

export class WebhookNotifier {
  private readonly inflight = new Set<Promise<void>>();
  private closing = false;
  private readonly tries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly names: Names,
    opts: NotifierOptions = {},
  ) {
    this.tries = opts.tries ?? 3;
    this.backoffMs = opts.backoffMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? 5000;
  }

  /** Queues deliveries to every endpoint subscribed to the notice's city and topic. */
  notify(n: Notice): void {
    if (this.closing) return;
    const p = this.fanOut(n).catch((err: unknown) => this.log.warn({ err, event: n.event }, 'webhook fan-out failed'));
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Resolves when every queued delivery has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  /** Stops retrying: deliveries under way make no further attempts. */
  async close(): Promise<void> {
    this.closing = true;
    await this.drain();
  }

  private async fanOut(n: Notice): Promise<void> {
    const cityCode = cityOf(n);
    const endpoints = await this.db.prisma.webhookEndpoint.findMany({
      where: { deletedAt: null, events: { has: topicOf(n) }, OR: [{ cityCode }, { cityCode: null }] },
      select: { id: true, kind: true, url: true },
    });
    await Promise.all(endpoints.map((e) => this.deliver(e, n)));
  }

  async deliver(e: { id: number; kind: WebhookKind; url: string }, n: Notice): Promise<Attempt & { attempts: number }> {
    const body = formatBody(e.kind, n, this.names);
    let last: Attempt = { ok: false, statusCode: null, error: 'not attempted' };
    let attempts = 0;
    for (let i = 0; i < this.tries; i++) {
      if (i > 0) {
        if (this.closing) break;
        await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (i - 1)));
      }
      attempts++;
      last = await post(e.url, body, this.timeoutMs);
      if (last.ok) break;
    }
    await this.db.prisma.webhookDelivery
      .create({ data: { endpointId: e.id, event: n.event, ok: last.ok, statusCode: last.statusCode, attempts, error: last.error } })
      .catch((err: unknown) => this.log.warn({ err, endpointId: e.id }, 'could not log a webhook delivery'));
    if (!last.ok) this.log.warn({ endpointId: e.id, event: n.event, error: last.error, attempts }, 'webhook delivery failed');
    return { ...last, attempts };
  }
}
