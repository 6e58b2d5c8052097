// Open alerts and tickets in the caller's scope, kept current by the hub's alert:changes and ticket:* events.
// The hub forgets nothing but the socket may miss events while cut off, so every (re)connect re-syncs the
// alerts (`alert:sync`) and reloads the tickets.
import { onScopeDispose, ref, shallowRef } from 'vue';
import type { AlertDto, TicketDto, TicketStepDto } from '@contracts/response';
import { applyAlertChanges } from '@contracts/live';
import { isApiError, type ApiErrorCode } from '@/api/http';
import { ticketsApi, type TicketQuery } from '@/api/response';
import type { LoadState } from './useAsyncData';
import { useLiveSocket } from './useLiveSocket';
import { upsertById } from '@/utils/urgency';

export interface ResponseFeedOptions {
  /** Keep open alerts too (staff); a team's page needs only its tickets. */
  alerts?: boolean;
  /** Narrow the tickets (the hub scopes them to the caller in any case). */
  ticketQuery?: () => TicketQuery;
  /** A ticket opened since the page loaded, or a critical alert raised: the room should hear of it. */
  onArrival?: (event: { kind: 'ticket'; ticket: TicketDto } | { kind: 'alert'; alert: AlertDto }) => void;
}

/**
 * `alert:sync`'s ack carries AlertDto[], but the shared socket types every ack as `Ack<null>`; the list is
 * checked here at the boundary instead of being cast.
 */
function isAlertList(value: unknown): value is AlertDto[] {
  return (
    Array.isArray(value) &&
    value.every((x: unknown) => typeof x === 'object' && x !== null && 'id' in x && typeof x.id === 'number' && 'severity' in x && 'openedAt' in x)
  );
}

export function useResponseFeed(options: ResponseFeedOptions = {}) {
  const live = useLiveSocket();
  const alerts = shallowRef<readonly AlertDto[]>([]);
  const tickets = shallowRef<readonly TicketDto[]>([]);
  /** Steps of the tickets whose history was loaded, extended live. */
  const steps = shallowRef<ReadonlyMap<number, readonly TicketStepDto[]>>(new Map());
  const ticketState = ref<LoadState>('idle');
  const alertState = ref<LoadState>(options.alerts ? 'idle' : 'done');
  const error = shallowRef<{ code: ApiErrorCode; message: string } | null>(null);
  let controller: AbortController | null = null;
  let stopped = false;

  async function loadTickets(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    if (ticketState.value !== 'done') ticketState.value = 'loading';
    try {
      const list = await ticketsApi.list(options.ticketQuery?.() ?? {}, { signal: current.signal });
      if (current.signal.aborted) return;
      tickets.value = list.items;
      ticketState.value = 'done';
      error.value = null;
    } catch (cause) {
      if (current.signal.aborted) return;
      error.value = isApiError(cause) ? { code: cause.code, message: cause.message } : { code: 'BAD_RESPONSE', message: String(cause) };
      if (ticketState.value !== 'done') ticketState.value = 'error';
    }
  }

  async function syncAlerts(): Promise<void> {
    if (!options.alerts) return;
    if (alertState.value !== 'done') alertState.value = 'loading';
    const ack = await live.request('alert:sync', {});
    if (stopped) return;
    const data: unknown = ack.ok ? ack.data : null;
    if (ack.ok && isAlertList(data)) {
      alerts.value = data;
      alertState.value = 'done';
    } else if (!ack.ok && live.state.value === 'connected') {
      error.value = ack.error;
      if (alertState.value !== 'done') alertState.value = 'error';
    }
  }

  /** Steps pushed while a ticket's history is on its way: merged in when it lands, so none is lost. */
  const arriving = new Map<number, TicketStepDto[]>();

  /** Loads a ticket's history once; later steps arrive with `ticket:updated`. */
  async function loadSteps(id: number): Promise<void> {
    if (steps.value.has(id) || arriving.has(id)) return;
    arriving.set(id, []);
    try {
      const full = await ticketsApi.get(id);
      const loaded = full.steps ?? [];
      const extra = (arriving.get(id) ?? []).filter((s) => !loaded.some((x) => x.id === s.id));
      const next = new Map(steps.value);
      next.set(id, [...loaded, ...extra]);
      steps.value = next;
    } catch {
      /* the card shows the ticket without its history; the next step brings it */
    } finally {
      arriving.delete(id);
    }
  }

  /** Shows the ticket as the hub answered an action at once, ahead of its broadcast. */
  function applyTicket(ticket: TicketDto): void {
    tickets.value = upsertById(tickets.value, ticket);
  }

  live.on('ticket:opened', (ticket) => {
    const isNew = !tickets.value.some((t) => t.id === ticket.id);
    tickets.value = upsertById(tickets.value, ticket);
    if (steps.value.has(ticket.id) === false) {
      const next = new Map(steps.value);
      next.set(ticket.id, [{ id: -ticket.id, kind: 'opened', text: ticket.text, by: ticket.openedBy, at: ticket.openedAt }]);
      steps.value = next;
    }
    if (isNew) options.onArrival?.({ kind: 'ticket', ticket });
  });
  live.on('ticket:updated', ({ ticket, step }) => {
    tickets.value = upsertById(tickets.value, ticket);
    const had = steps.value.get(ticket.id);
    if (had && !had.some((s) => s.id === step.id)) {
      const next = new Map(steps.value);
      next.set(ticket.id, [...had, step]);
      steps.value = next;
    } else if (!had) arriving.get(ticket.id)?.push(step);
    // A reopened ticket needs handling again: the room hears of it as of a new one.
    if (step.kind === 'reopened') options.onArrival?.({ kind: 'ticket', ticket });
  });
  if (options.alerts) {
    live.on('alert:changes', (changes) => {
      const known = new Set(alerts.value.map((a) => a.id));
      alerts.value = applyAlertChanges(alerts.value, changes);
      for (const alert of changes.raised) {
        if (!known.has(alert.id) && !alert.clearedAt && alert.severity === 'critical') options.onArrival?.({ kind: 'alert', alert });
      }
    });
  }

  live.onConnected(() => {
    void syncAlerts();
    void loadTickets();
  });
  // Signed in but the socket is still on its way: the tickets need not wait for it.
  if (live.state.value !== 'connected') void loadTickets();

  onScopeDispose(() => {
    stopped = true;
    controller?.abort();
  });

  return { connection: live.state, alerts, tickets, steps, ticketState, alertState, error, loadTickets, loadSteps, applyTicket };
}
