// Real-time response over HTTP: tickets and their steps, open alerts, announcements, and a session's live view.
import type { z } from 'zod';
import type { List } from '@contracts/common';
import type { SessionSnapshot } from '@contracts/live';
import type { SessionDto } from '@contracts/schedule';
import type {
  AlertDto,
  AlertThresholds,
  AnnouncementCreate,
  AnnouncementDto,
  AnnouncementReadDto,
  TicketCityStats,
  TicketCreate,
  TicketDto,
  ResponseSettingDto,
  TicketSla,
  TicketStatus,
} from '@contracts/response';
import { http } from './http';
import type { ReadOptions } from './registry';

export interface TicketQuery {
  status?: TicketStatus;
  cityCode?: string;
  sessionId?: number;
}

/** Staff claim, acknowledge and resolve; anyone who sees the ticket comments; its team reopens it. */
export type TicketStepAction = 'claim' | 'ack' | 'comments' | 'resolve' | 'reopen';

export const ticketsApi = {
  list: (query: TicketQuery = {}, o?: ReadOptions) => http.get<List<TicketDto>>('/tickets', { ...o, query: { limit: 500, ...query } }),
  get: (id: number, o?: ReadOptions) => http.get<TicketDto>(`/tickets/${id}`, o),
  open: (body: z.input<typeof TicketCreate>) => http.post<TicketDto>('/tickets', body),
  step: (id: number, action: TicketStepAction, text?: string) =>
    http.post<TicketDto>(`/tickets/${id}/${action}`, text ? { text } : {}),
  stats: (query: { cityCode?: string } = {}, o?: ReadOptions) => http.get<{ items: TicketCityStats[] }>('/tickets/stats', { ...o, query }),
};

export const alertsApi = {
  list: (query: { open?: boolean; cityCode?: string } = {}, o?: ReadOptions) =>
    http.get<List<AlertDto>>('/alerts', { ...o, query: { limit: 500, open: query.open === undefined ? undefined : String(query.open), cityCode: query.cityCode } }),
};

export const announcementsApi = {
  list: (o?: ReadOptions) => http.get<List<AnnouncementDto>>('/announcements', o),
  post: (body: z.input<typeof AnnouncementCreate>) => http.post<AnnouncementDto>('/announcements', body),
  markRead: (id: number) => http.post<AnnouncementDto>(`/announcements/${id}/read`),
  reads: (id: number, o?: ReadOptions) => http.get<List<AnnouncementReadDto>>(`/announcements/${id}/reads`, o),
};

export const sessionLiveApi = {
  /** Sessions planned to start in [from, to), scoped by the hub to the caller. */
  between: (query: { from: number; to: number; cityCode?: string; teamId?: number }, o?: ReadOptions) =>
    http.get<List<SessionDto>>('/sessions', {
      ...o,
      query: { limit: 2000, cityCode: query.cityCode, teamId: query.teamId, from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString() },
    }),
  /** The same view `session:subscribe` sends as its snapshot, for a first paint before the socket answers. */
  get: (id: number, o?: ReadOptions) => http.get<SessionSnapshot>(`/sessions/${id}/live`, o),
};

/** The province's response settings; only the province reads the thresholds, everyone reads the SLA. */
export const responseSettingsApi = {
  thresholds: (o?: ReadOptions) => http.get<ResponseSettingDto<AlertThresholds>>('/alerts/thresholds', o),
  putThresholds: (value: AlertThresholds) => http.put<ResponseSettingDto<AlertThresholds>>('/alerts/thresholds', value),
  sla: (o?: ReadOptions) => http.get<ResponseSettingDto<TicketSla>>('/tickets/sla', o),
  putSla: (value: TicketSla) => http.put<ResponseSettingDto<TicketSla>>('/tickets/sla', value),
};
