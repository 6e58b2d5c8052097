// Who receives an alert, a ticket or its steps: the province, the staff of the team's city and the team.
// Rooms are emitted to through `io.to`, so the Redis adapter carries the event to every hub's sockets.
import { rooms } from '../realtime/rooms';

export function responseRooms(cityCode: string, teamId: number | null): string[] {
  const out = [rooms.province, rooms.cityStaff(cityCode)];
  if (teamId !== null) out.push(rooms.team(teamId));
  return out;
}
