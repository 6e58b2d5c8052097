// Routes and the access guard: signed-out users go to /login (remembering where they were headed),
// and a role that opens another role's page lands on its own home instead.
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteLocationRaw } from 'vue-router';
import type { Role } from '@contracts/auth';
import { useAuthStore } from '@/stores/auth';
import { HOME_ROUTE } from '@/nav/roles';
import type { MessageSchema } from '@/i18n/zh-CN';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean;
    /** Roles allowed; inherited by child routes. Omitted = any signed-in user. */
    roles?: readonly Role[];
    /** Catalogue key for the document title. */
    title?: `nav.${keyof MessageSchema['nav'] & string}` | 'login.title';
    /** Side-navigation entry to highlight when the page itself has none (a detail page). */
    nav?: string;
  }
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes: [
    {
      path: '/login',
      name: 'login',
      component: () => import('@/pages/LoginPage.vue'),
      meta: { public: true, title: 'login.title' },
    },
    {
      // 公开榜单: anyone, signed in or not, outside the app frame (phones and a hall's big screen).
      path: '/scoreboard',
      name: 'public-scoreboard',
      component: () => import('@/pages/PublicScoreboard.vue'),
      meta: { public: true, title: 'nav.publicScoreboard' },
    },
    {
      // Full screen, outside the app frame: the wall runs on the operations room's big screen.
      path: '/province/wall',
      name: 'province-wall',
      component: () => import('@/pages/ProvinceWall.vue'),
      meta: { roles: ['province'], title: 'nav.provinceWall' },
    },
    {
      path: '/',
      component: () => import('@/layouts/AppLayout.vue'),
      children: [
        { path: '', name: 'home', component: { render: () => null } },
        {
          path: 'province',
          meta: { roles: ['province'] },
          children: [
            {
              path: '',
              name: 'province-home',
              component: () => import('@/pages/ProvinceHome.vue'),
              meta: { title: 'nav.provinceHome' },
            },
            { path: 'stages', name: 'province-stages', component: () => import('@/pages/province/ProvinceStages.vue'), meta: { title: 'nav.provinceStages' } },
            { path: 'schedule', name: 'province-schedule', component: () => import('@/pages/SchedulePage.vue'), meta: { title: 'nav.provinceSchedule' } },
            { path: 'violations', name: 'province-violations', component: () => import('@/pages/ViolationsPage.vue'), meta: { title: 'nav.provinceViolations' } },
            { path: 'incentives', name: 'province-incentives', component: () => import('@/pages/province/ProvinceIncentives.vue'), meta: { title: 'nav.provinceIncentives' } },
            { path: 'audit', name: 'province-audit', component: () => import('@/pages/province/ProvinceAudit.vue'), meta: { title: 'nav.provinceAudit' } },
            { path: 'deadlines', name: 'province-deadlines', component: () => import('@/pages/DeadlinesPage.vue'), meta: { title: 'nav.provinceDeadlines' } },
            { path: 'settings', name: 'province-settings', component: () => import('@/pages/province/ProvinceSettings.vue'), meta: { title: 'nav.provinceSettings' } },
            { path: 'tickets', name: 'province-tickets', component: () => import('@/pages/province/ProvinceTickets.vue'), meta: { title: 'nav.provinceTickets' } },
            { path: 'alerts', name: 'province-alerts', component: () => import('@/pages/province/ProvinceAlerts.vue'), meta: { title: 'nav.provinceAlerts' } },
            { path: 'account-requests', name: 'province-account-requests', component: () => import('@/pages/province/ProvinceAccountRequests.vue'), meta: { title: 'nav.provinceAccountRequests' } },
            { path: 'verify', name: 'province-verify', component: () => import('@/pages/province/ProvinceVerify.vue'), meta: { title: 'nav.provinceVerify' } },
            { path: 'announcements', name: 'province-announcements', component: () => import('@/pages/AnnouncementsPage.vue'), meta: { title: 'nav.provinceAnnouncements' } },
            { path: 'analyses', name: 'province-analyses', component: () => import('@/pages/province/ProvinceAnalyses.vue'), meta: { title: 'nav.provinceAnalyses' } },
            { path: 'analysis/:id(\\d+)', name: 'province-analysis', component: () => import('@/pages/analysis/AnalysisPage.vue'), meta: { title: 'nav.analysis', nav: 'province-analyses' } },
            { path: 'report', name: 'province-report', component: () => import('@/pages/reports/ProvinceReportPage.vue'), meta: { title: 'nav.provinceReport', nav: 'province-analyses' } },
            { path: 'report/city/:code(\\d{6})', name: 'province-city-report', component: () => import('@/pages/reports/CityReportPage.vue'), meta: { title: 'nav.cityReport', nav: 'province-analyses' } },
          ],
        },
        {
          path: 'city',
          meta: { roles: ['city'] },
          children: [
            { path: '', name: 'city-home', component: () => import('@/pages/city/CityRoom.vue'), meta: { title: 'nav.cityHome' } },
            { path: 'tickets', name: 'city-tickets', component: () => import('@/pages/province/ProvinceTickets.vue'), meta: { title: 'nav.cityTickets' } },
            { path: 'quick-entry', name: 'city-quick-entry', component: () => import('@/pages/QuickEntryPage.vue'), meta: { title: 'nav.cityQuickEntry' } },
            { path: 'teams', name: 'city-teams', component: () => import('@/pages/city/CityTeams.vue'), meta: { title: 'nav.cityTeams' } },
            {
              path: 'teams/:id(\\d+)',
              name: 'city-team',
              component: () => import('@/pages/city/CityTeamDetail.vue'),
              meta: { title: 'nav.cityTeams', nav: 'city-teams' },
            },
            { path: 'schedule', name: 'city-schedule', component: () => import('@/pages/SchedulePage.vue'), meta: { title: 'nav.citySchedule' } },
            { path: 'accounts', name: 'city-accounts', component: () => import('@/pages/city/CityAccounts.vue'), meta: { title: 'nav.cityAccounts' } },
            { path: 'samples', name: 'city-samples', component: () => import('@/pages/city/CitySamples.vue'), meta: { title: 'nav.citySamples' } },
            { path: 'trainings', name: 'city-trainings', component: () => import('@/pages/city/CityTrainings.vue'), meta: { title: 'nav.cityTrainings' } },
            { path: 'violations', name: 'city-violations', component: () => import('@/pages/ViolationsPage.vue'), meta: { title: 'nav.cityViolations' } },
            { path: 'deadlines', name: 'city-deadlines', component: () => import('@/pages/DeadlinesPage.vue'), meta: { title: 'nav.cityDeadlines' } },
            { path: 'announcements', name: 'city-announcements', component: () => import('@/pages/AnnouncementsPage.vue'), meta: { title: 'nav.cityAnnouncements' } },
            { path: 'analyses', name: 'city-analyses', component: () => import('@/pages/city/CityAnalyses.vue'), meta: { title: 'nav.cityAnalyses' } },
            { path: 'analysis/:id(\\d+)', name: 'city-analysis', component: () => import('@/pages/analysis/AnalysisPage.vue'), meta: { title: 'nav.analysis', nav: 'city-analyses' } },
            { path: 'report', name: 'city-report', component: () => import('@/pages/reports/CityReportPage.vue'), meta: { title: 'nav.cityReport', nav: 'city-analyses' } },
          ],
        },
        {
          path: 'team',
          meta: { roles: ['team'] },
          children: [
            { path: '', name: 'team-home', component: () => import('@/pages/team/TeamLive.vue'), meta: { title: 'nav.teamHome' } },
            { path: 'sessions', name: 'team-sessions', component: () => import('@/pages/team/TeamSessions.vue'), meta: { title: 'nav.teamSessions' } },
            { path: 'quick-entry', name: 'team-quick-entry', component: () => import('@/pages/QuickEntryPage.vue'), meta: { title: 'nav.teamQuickEntry' } },
            { path: 'violations', name: 'team-violations', component: () => import('@/pages/ViolationsPage.vue'), meta: { title: 'nav.teamViolations' } },
            { path: 'analyses', name: 'team-analyses', component: () => import('@/pages/team/TeamAnalyses.vue'), meta: { title: 'nav.teamAnalyses' } },
            { path: 'analysis/:id(\\d+)', name: 'team-analysis', component: () => import('@/pages/analysis/AnalysisPage.vue'), meta: { title: 'nav.analysis', nav: 'team-analyses' } },
          ],
        },
      ],
    },
    { path: '/:pathMatch(.*)*', name: 'not-found', redirect: { name: 'home' } },
  ],
});

export function homeFor(role: Role): RouteLocationRaw {
  return { name: HOME_ROUTE[role] };
}

/** Accepts only same-site paths so a crafted ?redirect= cannot send a user off-site. */
export function safeRedirect(value: unknown): string | null {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (value === '/login' || value.startsWith('/login?') || value.startsWith('/login/')) return null;
  return value;
}

function allowed(to: RouteLocationNormalized, role: Role): boolean {
  // Every matched record must admit the role, so a parent's restriction cannot be lost by a child.
  return to.matched.every((record) => !record.meta.roles || record.meta.roles.includes(role));
}

router.beforeEach(async (to) => {
  const auth = useAuthStore();
  await auth.ensureValidated();
  const role = auth.role;

  if (to.meta.public) {
    if (to.name === 'login' && role) return safeRedirect(to.query.redirect) ?? homeFor(role);
    return true;
  }
  if (!role) {
    return to.fullPath === '/' ? { name: 'login' } : { name: 'login', query: { redirect: to.fullPath } };
  }
  if (to.name === 'home' || !allowed(to, role)) return homeFor(role);
  return true;
});
