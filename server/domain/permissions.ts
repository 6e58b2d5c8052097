// Who may see and change what. Every route and socket handler asks these, per resource.
import type { Role } from '../../contracts/auth';

export interface Actor {
  id: number;
  username: string;
  role: Role;
  cityCode?: string;
  teamId?: number;
}

export interface TeamRef {
  id: number;
  cityCode: string;
}

export const isProvince = (a: Actor) => a.role === 'province';
export const isCityStaff = (a: Actor, cityCode: string) => a.role === 'city' && a.cityCode === cityCode;

/** City-level data (its teams, rooms, tickets, accounts): the province and that city's staff. */
export function canViewCity(a: Actor, cityCode: string): boolean {
  return isProvince(a) || isCityStaff(a, cityCode);
}
export const canManageCity = canViewCity;

export function canViewTeam(a: Actor, team: TeamRef): boolean {
  return canViewCity(a, team.cityCode) || (a.role === 'team' && a.teamId === team.id);
}

/** Registry changes to a team and its members: the province and the team's city staff. */
export function canEditTeam(a: Actor, team: TeamRef): boolean {
  return canViewCity(a, team.cityCode);
}

/** Phone numbers in full: the province, or the team itself. City staff see them masked. */
export function canSeePhones(a: Actor, team: TeamRef): boolean {
  return isProvince(a) || (a.role === 'team' && a.teamId === team.id);
}

export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** A Prisma `where` fragment limiting team-owned rows to the actor's scope. */
export function teamScope(a: Actor): { cityCode?: string; teamId?: number } {
  if (a.role === 'province') return {};
  if (a.role === 'city') return { cityCode: a.cityCode ?? '__none__' };
  return { teamId: a.teamId ?? -1 };
}
