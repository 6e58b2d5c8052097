// Every Socket.IO room name, in one place.
export const rooms = {
  /** The province wall's live numbers. */
  wall: 'wall',
  /** A city room's live numbers (province and that city's staff). */
  cityLive: (code: string) => `city:${code}`,
  /** One session's live numbers (province, its city, its team). */
  session: (id: number) => `session:${id}`,
  /** Alerts, tickets and notices for the province's staff. */
  province: 'staff:province',
  /** Alerts, tickets and notices for one city's staff. */
  cityStaff: (code: string) => `staff:city:${code}`,
  /** Alerts, tickets and notices for one team. */
  team: (id: number) => `team:${id}`,
  /** Namespace open to anyone (no sign-in): only the public scoreboard lives there. */
  publicNamespace: '/public',
  /** In the public namespace: the public scoreboard, one broadcast for every viewer. */
  publicScoreboard: 'public:scoreboard',
} as const;
