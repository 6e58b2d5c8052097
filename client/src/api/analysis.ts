// Post-session analysis (issue #6): the record, the team's reflection, the city's comment, completeness,
// rankings, order-export reconciliation and the city / province reports.
import type { List } from '@contracts/common';
import type {
  AnalysisDto, CityReport, ColumnMapping, CompletenessAnswer, ProvinceReport, RankingBasis, RankingDim, RankingsAnswer, ReconciliationDto,
  ReflectionBody,
} from '@contracts/analysis';
import type { SessionDto } from '@contracts/schedule';
import { http } from './http';
import { downloadFile, uploadFile } from './transfer';

interface ReadOptions {
  signal?: AbortSignal;
}

export interface ExportFormatDto {
  cityCode: string;
  name: string;
  mapping: ColumnMapping;
  updatedAt: string;
}

export const analysisApi = {
  analysis: (sessionId: number, o?: ReadOptions) => http.get<AnalysisDto>(`/sessions/${sessionId}/analysis`, o),
  downloadXlsx: (sessionId: number) => downloadFile(`/sessions/${sessionId}/analysis.xlsx`, `analysis-session${sessionId}.xlsx`),
  saveReflection: (sessionId: number, body: ReflectionBody) => http.put<AnalysisDto>(`/sessions/${sessionId}/analysis/reflection`, body),
  saveComment: (sessionId: number, text: string) => http.put<AnalysisDto>(`/sessions/${sessionId}/analysis/comment`, { text }),
  completeness: (query: { stageId?: number; cityCode?: string }, o?: ReadOptions) =>
    http.get<CompletenessAnswer>('/analysis/completeness', { ...o, query }),
  rankings: (query: { stageId: number; basis: RankingBasis; dim: RankingDim }, o?: ReadOptions) =>
    http.get<RankingsAnswer>('/rankings', { ...o, query }),
  endedSessions: (teamId: number | undefined, o?: ReadOptions) =>
    http.get<List<SessionDto>>('/sessions', { ...o, query: { teamId, status: 'ended', limit: 2000 } }),
  formats: (o?: ReadOptions) => http.get<List<ExportFormatDto>>('/reconciliation/formats', o),
  saveFormat: (name: string, mapping: ColumnMapping) => http.put<ExportFormatDto>(`/reconciliation/formats/${encodeURIComponent(name)}`, { mapping }),
  reconcile: (file: File, query: { format: string; sessionId: number }, onProgress: (p: number) => void) =>
    uploadFile<ReconciliationDto>('/reconciliation', file, { query, onProgress }),
  cityReport: (code: string, stageId: number | undefined, o?: ReadOptions) => http.get<CityReport>(`/reports/city/${code}`, { ...o, query: { stageId } }),
  provinceReport: (stageId: number | undefined, o?: ReadOptions) => http.get<ProvinceReport>('/reports/province', { ...o, query: { stageId } }),
  cityReportXlsx: (code: string, stageId?: number) => downloadFile(`/reports/city/${code}.xlsx`, `report-${code}.xlsx`, { stageId }),
  provinceReportXlsx: (stageId?: number) => downloadFile('/reports/province.xlsx', 'report-province.xlsx', { stageId }),
};
