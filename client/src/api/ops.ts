// Contest operations: registration import/export, identity and anchor-filing checks, training, OMS account
// requests, samples, violations, incentives, the audit log and the deadlines dashboard.
import type { z } from 'zod';
import type { List } from '@contracts/common';
import type { ImportKind, ImportPreview, ImportResult } from '@contracts/imports';
import type { AccountDto, MemberDto } from '@contracts/registry';
import type {
  AccountRequestDto,
  AttendanceDto,
  AuditDto,
  CityDeadlines,
  CoverageDto,
  EligibilityDto,
  IncentiveDto,
  IncentiveListDto,
  OutstandingRow,
  ProductDto,
  SampleMoveDto,
  TrainingDto,
  ViolationDto,
  SampleMoveCreate,
  TrainingCreate,
  ViolationCreate,
} from '@contracts/ops';
import { http } from './http';
import { downloadFile, uploadFile, type UploadOptions } from './transfer';
import type { ReadOptions } from './registry';

/** A member as the verification endpoints answer: who checked and filed, and the notes. */
export interface VerifiedMember extends MemberDto {
  identityCheckedBy?: number | null;
  identityNote?: string | null;
  anchorFiledBy?: number | null;
  anchorFilingNote?: string | null;
}

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  cityCode?: string;
  action?: string;
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

export const importsApi = {
  preview: (kind: ImportKind, file: File, options?: UploadOptions) =>
    uploadFile<ImportPreview>(`/imports/${kind}/preview`, file, options),
  commit: (kind: ImportKind, token: string) => http.post<ImportResult>(`/imports/${kind}/commit`, { token }),
  template: (kind: ImportKind) => downloadFile(`/imports/${kind}/template.xlsx`, `${kind}-template.xlsx`),
  exportSheet: (kind: ImportKind, cityCode?: string) => downloadFile(`/exports/${kind}.xlsx`, `${kind}.xlsx`, { cityCode }),
};

export const verificationApi = {
  identity: (memberId: number, status: 'verified' | 'rejected', note?: string) =>
    http.patch<VerifiedMember>(`/members/${memberId}/identity`, { status, ...(note ? { note } : {}) }),
  filing: (memberId: number, status: 'filed' | 'rejected' | 'pending', note?: string) =>
    http.patch<VerifiedMember>(`/members/${memberId}/filing`, { status, ...(note ? { note } : {}) }),
  eligibility: (teamId: number, o?: ReadOptions) => http.get<EligibilityDto>(`/teams/${teamId}/eligibility`, o),
};

export const trainingsApi = {
  list: (query: { cityCode?: string } = {}, o?: ReadOptions) => http.get<List<TrainingDto>>('/trainings', { ...o, query }),
  create: (body: z.input<typeof TrainingCreate>) => http.post<TrainingDto>('/trainings', body),
  /** The training with the attendance the caller may see. */
  get: (trainingId: number, o?: ReadOptions) => http.get<TrainingDto & { attendance: AttendanceDto[] }>(`/trainings/${trainingId}`, o),
  record: (trainingId: number, body: { teamId: number; memberIds?: number[] }) =>
    http.post<List<AttendanceDto>>(`/trainings/${trainingId}/attendance`, body),
  coverage: (query: { cityCode?: string } = {}, o?: ReadOptions) => http.get<CoverageDto>('/trainings/coverage', { ...o, query }),
};

export const accountRequestsApi = {
  list: (query: { cityCode?: string } = {}, o?: ReadOptions) =>
    http.get<List<AccountRequestDto>>('/account-requests', { ...o, query }),
  create: (body: { applicant: string; phone?: string | null; details: Record<string, string>; reason?: string | null }) =>
    http.post<AccountRequestDto>('/account-requests', body),
};

export const accountsApi = {
  /** Marks the 10-20 check: ok or problem, with a note; the hub stamps who and when. */
  check: (id: number, status: 'ok' | 'problem', note?: string | null) =>
    http.patch<AccountDto>(`/accounts/${id}`, { status, ...(note !== undefined ? { note } : {}) }),
};

export const samplesApi = {
  products: (query: { cityCode?: string } = {}, o?: ReadOptions) => http.get<List<ProductDto>>('/products', { ...o, query }),
  moves: (query: { cityCode?: string; teamId?: number } = {}, o?: ReadOptions) =>
    http.get<List<SampleMoveDto>>('/samples', { ...o, query }),
  move: (body: z.input<typeof SampleMoveCreate>) => http.post<SampleMoveDto>('/samples', body),
  outstanding: (query: { cityCode?: string; teamId?: number } = {}, o?: ReadOptions) =>
    http.get<List<OutstandingRow>>('/samples/outstanding', { ...o, query }),
};

export const violationsApi = {
  list: (query: { cityCode?: string; teamId?: number; active?: 'true' | 'false' } = {}, o?: ReadOptions) =>
    http.get<List<ViolationDto>>('/violations', { ...o, query }),
  create: (body: z.input<typeof ViolationCreate>) => http.post<ViolationDto>('/violations', body),
  lift: (id: number, reason: string) => http.post<ViolationDto>(`/violations/${id}/lift`, { reason }),
};

export const incentivesApi = {
  list: (query: { cityCode?: string } = {}, o?: ReadOptions) => http.get<IncentiveListDto>('/incentives', { ...o, query }),
  /** Adds every entry due and not yet recorded; answers with the entries added. */
  recompute: () => http.post<List<IncentiveDto> & { finalTopN: number }>('/incentives/recompute'),
  adjust: (body: { cityCode: string; points: number; note: string }) => http.post<IncentiveDto>('/incentives/adjustments', body),
  settings: (o?: ReadOptions) => http.get<{ finalTopN: number }>('/incentives/settings', o),
  putSettings: (finalTopN: number) => http.put<{ finalTopN: number }>('/incentives/settings', { finalTopN }),
  exportSheet: (cityCode?: string) => downloadFile('/incentives/export.xlsx', 'incentives.xlsx', { cityCode }),
};

export const auditApi = {
  /** Newest first; `next` is the id to pass as `before` for the following page, null at the end. */
  list: (query: AuditFilter, o?: ReadOptions) =>
    http.get<List<AuditDto> & { next?: string | null }>('/audit', { ...o, query: { ...query } }),
};

export const deadlinesApi = {
  list: (query: { cityCode?: string } = {}, o?: ReadOptions) => http.get<List<CityDeadlines>>('/deadlines', { ...o, query }),
};
