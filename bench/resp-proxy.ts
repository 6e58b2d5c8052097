// A TCP proxy in front of Redis that counts the commands clients send (RESP arrays on the wire), by name.
// Redis 7.0 counts commands run inside Lua scripts together with those clients send, and keeps no per-client
// count, so this is how the bench tells "commands the hub sent" apart. Used only in its own pass, since the
// extra hop would slow the throughput runs.
import { createServer, connect, type Server, type Socket } from 'node:net';

/** Streaming RESP request parser: skips bulk payloads by length, keeps only each command's name. */
class CommandCounter {
  private state: 'array' | 'argc' | 'bulkLen' | 'bulkData' = 'array';
  private num = 0;
  private args = 0;
  private arg = 0;
  private skip = 0;
  private name = '';
  private nameLen = 0;

  constructor(private readonly onCommand: (name: string) => void) {}

  feed(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'array':
          // ioredis sends every command as an array; anything else between commands is skipped.
          if (buf[i++] === 0x2a) {
            this.state = 'argc';
            this.num = 0;
          }
          break;
        case 'argc': {
          const c = buf[i++]!;
          if (c === 0x0a) {
            this.args = this.num;
            this.arg = 0;
            this.name = '';
            this.num = 0;
            this.state = this.args > 0 ? 'bulkLen' : 'array';
          } else if (c >= 0x30 && c <= 0x39) this.num = this.num * 10 + (c - 0x30);
          break;
        }
        case 'bulkLen': {
          const c = buf[i++]!;
          if (c === 0x0a) {
            if (this.arg === 0) this.nameLen = this.num;
            this.skip = this.num + 2; // payload and its CRLF
            this.num = 0;
            this.state = 'bulkData';
          } else if (c >= 0x30 && c <= 0x39) this.num = this.num * 10 + (c - 0x30);
          break;
        }
        case 'bulkData': {
          const n = Math.min(this.skip, buf.length - i);
          if (this.arg === 0 && this.name.length < this.nameLen) this.name += buf.toString('latin1', i, i + Math.min(n, this.nameLen - this.name.length));
          i += n;
          this.skip -= n;
          if (this.skip === 0) {
            this.arg++;
            if (this.arg === this.args) {
              this.onCommand(this.name.toLowerCase());
              this.state = 'array';
            } else this.state = 'bulkLen';
          }
          break;
        }
      }
    }
  }
}

export class CountingProxy {
  readonly counts = new Map<string, number>();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {
    this.server = createServer((client) => {
      const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
      this.sockets.add(client).add(upstream);
      const counter = new CommandCounter((name) => this.counts.set(name, (this.counts.get(name) ?? 0) + 1));
      client.on('data', (b: Buffer) => counter.feed(b));
      client.pipe(upstream);
      upstream.pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      for (const s of [client, upstream]) {
        s.on('error', end);
        s.on('close', end);
      }
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const a = this.server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
