// Stages, the schedule (sessions, dry-run checks, reports, export), pre-live checklists and province settings.
import type { List } from '@contracts/common';
import type {
  CheckResult,
  ChecklistDto,
  ChecklistItems,
  ScheduleReportDto,
  SessionCheck,
  SessionCreate,
  SessionDto,
  SessionUpdate,
  SettingDto,
  SettingKey,
  StageCreate,
  StageDto,
  StageUpdate,
} from '@contracts/schedule';
import type { PlacementDto } from '@contracts/ops';
import { http } from './http';
import { downloadFile } from './transfer';
import type { ReadOptions } from './registry';

export interface SessionQuery {
  stageId?: number;
  cityCode?: string;
  teamId?: number;
  status?: SessionDto['status'];
}

export const scheduleApi = {
  stages: (o?: ReadOptions) => http.get<List<StageDto>>('/stages', o),
  createStage: (body: StageCreate) => http.post<StageDto>('/stages', body),
  updateStage: (id: number, body: StageUpdate) => http.patch<StageDto>(`/stages/${id}`, body),
  placements: (stageId: number, o?: ReadOptions) => http.get<List<PlacementDto>>(`/stages/${stageId}/placements`, o),
  /** Sets the rank of each listed team; teams not listed keep theirs. */
  setPlacements: (stageId: number, body: { teamId: number; rank: number }[]) =>
    http.post<List<PlacementDto>>(`/stages/${stageId}/placements`, body),

  sessions: (query: SessionQuery, o?: ReadOptions) =>
    http.get<List<SessionDto>>('/sessions', { ...o, query: { limit: 2000, ...query } }),
  check: (body: SessionCheck, o?: ReadOptions) => http.post<CheckResult>('/sessions/check', body, o),
  createSession: (body: SessionCreate) => http.post<SessionDto>('/sessions', body),
  updateSession: (id: number, body: SessionUpdate) => http.patch<SessionDto>(`/sessions/${id}`, body),
  cancelSession: (id: number, reason?: string) => http.post<SessionDto>(`/sessions/${id}/cancel`, reason ? { reason } : {}),
  exportSchedule: (query: { stageId?: number; cityCode?: string }) => downloadFile('/sessions/export.xlsx', 'schedule.xlsx', query),

  reports: (stageId: number, o?: ReadOptions) => http.get<List<ScheduleReportDto>>(`/stages/${stageId}/reports`, o),
  report: (stageId: number) => http.post<ScheduleReportDto>(`/stages/${stageId}/reports`),

  checklist: (sessionId: number, o?: ReadOptions) => http.get<ChecklistDto>(`/sessions/${sessionId}/checklist`, o),
  submitChecklist: (sessionId: number, items: ChecklistItems) => http.put<ChecklistDto>(`/sessions/${sessionId}/checklist`, { items }),
  approveChecklist: (sessionId: number) => http.post<ChecklistDto>(`/sessions/${sessionId}/checklist/approve`),
  returnChecklist: (sessionId: number, reason: string) => http.post<ChecklistDto>(`/sessions/${sessionId}/checklist/return`, { reason }),

  settings: (o?: ReadOptions) => http.get<{ items: SettingDto[] }>('/settings', o),
  putSetting: (key: SettingKey, value: unknown) => http.put<SettingDto>(`/settings/${encodeURIComponent(key)}`, { value }),
};
