// Per-role navigation and home pages, in one place: a new screen is a route plus an entry here.
import type { Role } from '@contracts/auth';
import type { MessageSchema } from '@/i18n/zh-CN';

export type NavLabelKey = `nav.${keyof MessageSchema['nav'] & string}`;

export interface NavItem {
  /** Route name; the router is the single source of paths. */
  route: string;
  label: NavLabelKey;
}

export const HOME_ROUTE: Record<Role, string> = {
  province: 'province-wall',
  city: 'city-home',
  team: 'team-home',
};

export const NAV_BY_ROLE: Record<Role, readonly NavItem[]> = {
  province: [
    { route: 'province-wall', label: 'nav.provinceWall' },
    { route: 'province-alerts', label: 'nav.provinceAlerts' },
    { route: 'province-account-requests', label: 'nav.provinceAccountRequests' },
    { route: 'province-verify', label: 'nav.provinceVerify' },
    { route: 'province-tickets', label: 'nav.provinceTickets' },
    { route: 'province-announcements', label: 'nav.provinceAnnouncements' },
    { route: 'province-home', label: 'nav.provinceHome' },
    { route: 'province-stages', label: 'nav.provinceStages' },
    { route: 'province-schedule', label: 'nav.provinceSchedule' },
    { route: 'province-violations', label: 'nav.provinceViolations' },
    { route: 'province-incentives', label: 'nav.provinceIncentives' },
    { route: 'province-audit', label: 'nav.provinceAudit' },
    { route: 'province-deadlines', label: 'nav.provinceDeadlines' },
    { route: 'province-settings', label: 'nav.provinceSettings' },
    { route: 'province-analyses', label: 'nav.provinceAnalyses' },
  ],
  city: [
    { route: 'city-home', label: 'nav.cityHome' },
    { route: 'city-announcements', label: 'nav.cityAnnouncements' },
    { route: 'city-teams', label: 'nav.cityTeams' },
    { route: 'city-schedule', label: 'nav.citySchedule' },
    { route: 'city-accounts', label: 'nav.cityAccounts' },
    { route: 'city-samples', label: 'nav.citySamples' },
    { route: 'city-trainings', label: 'nav.cityTrainings' },
    { route: 'city-violations', label: 'nav.cityViolations' },
    { route: 'city-deadlines', label: 'nav.cityDeadlines' },
    { route: 'city-analyses', label: 'nav.cityAnalyses' },
  ],
  team: [
    { route: 'team-home', label: 'nav.teamHome' },
    { route: 'team-sessions', label: 'nav.teamSessions' },
    { route: 'team-violations', label: 'nav.teamViolations' },
    { route: 'team-analyses', label: 'nav.teamAnalyses' },
  ],
};
