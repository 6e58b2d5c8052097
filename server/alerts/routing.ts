// Who receives an alert, a ticket or its steps: the province, the staff of the team's city and the team.
// Rooms are emitted to through `io.to`, so the Redis adapter carries the event to every hub's sockets.
import type { AlertChanges } from '../../contracts/live';
import type { AlertDto } from '../../contracts/response';
import { rooms } from '../realtime/rooms';

export function responseRooms(cityCode: string, teamId: number | null): string[] {
  const out = [rooms.province, rooms.cityStaff(cityCode)];
  if (teamId !== null) out.push(rooms.team(teamId));
  return out;
}

export interface AlertChange {
  kind: keyof AlertChanges;
  alert: AlertDto;
}

/** A round's alert changes split by the rooms that may see them: one message per room, in the round's order. */
export function changesByRoom(changes: readonly AlertChange[]): Map<string, AlertChanges> {
  const out = new Map<string, AlertChanges>();
  for (const { kind, alert } of changes) {
    for (const room of responseRooms(alert.cityCode, alert.teamId)) {
      let c = out.get(room);
      if (!c) out.set(room, (c = { raised: [], updated: [], cleared: [] }));
      c[kind].push(alert);
    }
  }
  return out;
}
