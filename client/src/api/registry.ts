// Registry reads: cities, teams, members, OMS accounts. Lists come back scoped to the caller.
import type { List } from '@contracts/common';
import type { AccountDto, CityDto, MemberDto, TeamDto } from '@contracts/registry';
import { http } from './http';

export interface ReadOptions {
  signal?: AbortSignal;
}

export const registryApi = {
  cities: (o?: ReadOptions) => http.get<List<CityDto>>('/cities', o),
  // The hub pages lists (default 500); 2000 is its ceiling and covers the contest's ≤1,000 teams in one answer.
  teams: (query: { cityCode?: string } = {}, o?: ReadOptions) =>
    http.get<List<TeamDto>>('/teams', { ...o, query: { limit: 2000, ...query } }),
  team: (id: number, o?: ReadOptions) => http.get<TeamDto>(`/teams/${id}`, o),
  members: (teamId: number, o?: ReadOptions) => http.get<List<MemberDto>>('/members', { ...o, query: { teamId } }),
  accounts: (query: { cityCode?: string } = {}, o?: ReadOptions) =>
    http.get<List<AccountDto>>('/accounts', { ...o, query }),
};
