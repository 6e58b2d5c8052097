// The public scoreboard: its public read (sent without a token, so a signed-in browser sees what anyone sees) and
// the province's controls (the settings key 'scoreboard.public', 封榜 / 解封).
import type { PublicScoreboard, ScoreboardAdmin, ScoreboardConfig } from '@contracts/scoreboard';
import { http } from './http';
import { scheduleApi } from './schedule';
import type { ReadOptions } from './registry';

export const scoreboardApi = {
  publicBoard: (o?: ReadOptions) => http.get<PublicScoreboard>('/public/scoreboard', { ...o, anonymous: true }),
  admin: (o?: ReadOptions) => http.get<ScoreboardAdmin>('/scoreboard', o),
  save: (value: ScoreboardConfig) => scheduleApi.putSetting('scoreboard.public', value),
  freeze: () => http.post<ScoreboardAdmin>('/scoreboard/freeze'),
  unfreeze: () => http.post<ScoreboardAdmin>('/scoreboard/unfreeze'),
};
