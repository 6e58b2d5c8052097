// Quick entry (手动录入): the last entry of a session and a new one. Contract: contracts/manual.ts.
import type { ManualStatsInput, ManualStatsResult, ManualStatsView } from '@contracts/manual';
import { http } from './http';
import type { ReadOptions } from './registry';

export const manualApi = {
  get: (sessionId: number, o?: ReadOptions) => http.get<ManualStatsView>(`/sessions/${sessionId}/manual-stats`, o),
  enter: (sessionId: number, body: ManualStatsInput) => http.post<ManualStatsResult>(`/sessions/${sessionId}/manual-stats`, body),
};
