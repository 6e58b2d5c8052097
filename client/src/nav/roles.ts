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

/** Entries under a heading, so a long menu reads as the few jobs each role has. */
export interface NavGroup {
  label: NavLabelKey;
  items: readonly NavItem[];
}

export const NAV_BY_ROLE: Record<Role, readonly NavGroup[]> = {
  province: [
    {
      label: 'nav.groupLive',
      items: [
        { route: 'province-wall', label: 'nav.provinceWall' },
        { route: 'province-alerts', label: 'nav.provinceAlerts' },
        { route: 'province-tickets', label: 'nav.provinceTickets' },
        { route: 'province-announcements', label: 'nav.provinceAnnouncements' },
      ],
    },
    {
      label: 'nav.groupContest',
      items: [
        { route: 'province-home', label: 'nav.provinceHome' },
        { route: 'province-stages', label: 'nav.provinceStages' },
        { route: 'province-schedule', label: 'nav.provinceSchedule' },
        { route: 'province-deadlines', label: 'nav.provinceDeadlines' },
        { route: 'province-account-requests', label: 'nav.provinceAccountRequests' },
        { route: 'province-incentives', label: 'nav.provinceIncentives' },
      ],
    },
    {
      label: 'nav.groupFairness',
      items: [
        { route: 'province-violations', label: 'nav.provinceViolations' },
        { route: 'province-verify', label: 'nav.provinceVerify' },
        { route: 'province-audit', label: 'nav.provinceAudit' },
      ],
    },
    {
      label: 'nav.groupAnalysis',
      items: [
        { route: 'province-analyses', label: 'nav.provinceAnalyses' },
        { route: 'province-report', label: 'nav.provinceReport' },
        { route: 'province-settings', label: 'nav.provinceSettings' },
      ],
    },
  ],
  city: [
    {
      label: 'nav.groupLive',
      items: [
        { route: 'city-home', label: 'nav.cityHome' },
        { route: 'city-tickets', label: 'nav.cityTickets' },
        { route: 'city-quick-entry', label: 'nav.cityQuickEntry' },
        { route: 'city-announcements', label: 'nav.cityAnnouncements' },
      ],
    },
    {
      label: 'nav.groupContest',
      items: [
        { route: 'city-teams', label: 'nav.cityTeams' },
        { route: 'city-schedule', label: 'nav.citySchedule' },
        { route: 'city-deadlines', label: 'nav.cityDeadlines' },
        { route: 'city-violations', label: 'nav.cityViolations' },
      ],
    },
    {
      label: 'nav.groupSupport',
      items: [
        { route: 'city-accounts', label: 'nav.cityAccounts' },
        { route: 'city-samples', label: 'nav.citySamples' },
        { route: 'city-trainings', label: 'nav.cityTrainings' },
      ],
    },
    {
      label: 'nav.groupAnalysis',
      items: [
        { route: 'city-analyses', label: 'nav.cityAnalyses' },
        { route: 'city-report', label: 'nav.cityReport' },
      ],
    },
  ],
  team: [
    {
      label: 'nav.groupLive',
      items: [
        { route: 'team-home', label: 'nav.teamHome' },
        { route: 'team-quick-entry', label: 'nav.teamQuickEntry' },
        { route: 'team-sessions', label: 'nav.teamSessions' },
      ],
    },
    {
      label: 'nav.groupAnalysis',
      items: [
        { route: 'team-analyses', label: 'nav.teamAnalyses' },
        { route: 'team-violations', label: 'nav.teamViolations' },
      ],
    },
  ],
};
