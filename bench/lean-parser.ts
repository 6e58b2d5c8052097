// A socket.io parser for the dashboards that only load the hub. Hand-shake, acks and errors are decoded as
// usual; event packets (the wall's updates) are dropped unread. The hub does exactly the same work for these
// sockets, but 200 clients parsing ~45 MB/s of JSON in one process on a 2-core machine would otherwise measure
// the bench rather than the hub. Text packets only: the hub sends no binary to dashboards.

/** socket.io-parser's packet, as the client's manager hands it over and expects it back. */
interface Packet {
  type: number;
  nsp: string;
  id?: number;
  data?: unknown;
}

const EVENT = 2;

class LeanEncoder {
  encode(p: Packet): string[] {
    let s = String(p.type);
    if (p.nsp && p.nsp !== '/') s += `${p.nsp},`;
    if (p.id !== undefined) s += String(p.id);
    if (p.data !== undefined) s += JSON.stringify(p.data);
    return [s];
  }
}

class LeanDecoder {
  private readonly listeners = new Set<(p: Packet) => void>();

  on(_event: 'decoded', fn: (p: Packet) => void): this {
    this.listeners.add(fn);
    return this;
  }

  off(_event?: 'decoded', fn?: (p: Packet) => void): this {
    if (fn) this.listeners.delete(fn);
    else this.listeners.clear();
    return this;
  }

  add(data: unknown): void {
    if (typeof data !== 'string' || data.length === 0) return;
    const type = data.charCodeAt(0) - 48;
    if (type === EVENT) return;
    let i = 1;
    let nsp = '/';
    if (data[i] === '/') {
      const comma = data.indexOf(',', i);
      nsp = data.slice(i, comma < 0 ? data.length : comma);
      i = comma < 0 ? data.length : comma + 1;
    }
    let digits = '';
    while (i < data.length && data.charCodeAt(i) >= 48 && data.charCodeAt(i) <= 57) digits += data[i++];
    const packet: Packet = { type, nsp };
    if (digits) packet.id = Number(digits);
    if (i < data.length) packet.data = JSON.parse(data.slice(i));
    for (const l of this.listeners) l(packet);
  }

  destroy(): void {
    this.listeners.clear();
  }
}

export const leanParser = { Encoder: LeanEncoder, Decoder: LeanDecoder };
