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
    { route: 'province-home', label: 'nav.provinceHome' },
  ],
  city: [{ route: 'city-home', label: 'nav.cityHome' }],
  team: [{ route: 'team-home', label: 'nav.teamHome' }],
};
