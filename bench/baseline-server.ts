// The baseline: Express 5 with express.json, answering each batch as accepted without looking at it. What it
// measures is the HTTP + JSON floor on this machine with the bench's own load generator: no validation, no
// auth, no Redis. The hub's throughput is reported as a ratio of it. Run by bench/run.ts: PORT=… node --import tsx bench/baseline-server.ts
import express from 'express';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535).parse(process.env['PORT']);
const Body = z.object({ events: z.array(z.unknown()) });

const app = express();
app.disable('x-powered-by');
// Same body limit and parser as the hub.
app.use(express.json({ limit: '1mb', strict: true }));
app.post('/api/v1/ingest', (req, res) => {
  const body = Body.safeParse(req.body);
  if (!body.success) {
    res.status(400).json({ error: { code: 'VALIDATION_FAILED', message: 'events: expected an array' } });
    return;
  }
  res.json({ accepted: body.data.events.length, duplicates: 0, rejected: [] });
});
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(port, '127.0.0.1');
