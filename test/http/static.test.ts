// The hub serving the built client: precompressed assets to browsers that accept gzip, plain files to the
// rest, long caching only for hashed assets, index.html for deep links, nothing outside the build folder.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving the built client', () => {
  let dir: string;
  let h: TestHub;
  const js = `console.log(${JSON.stringify('赣邮杯'.repeat(500))});\n`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gy-client-'));
    await mkdir(path.join(dir, 'assets'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>赣邮杯</title><div id="app"></div>');
    await writeFile(path.join(dir, 'assets', 'app-abc123.js'), js);
    await writeFile(path.join(dir, 'assets', 'app-abc123.js.gz'), gzipSync(js));
    await writeFile(path.join(dir, 'assets', 'plain-x.css'), 'body{color:red}');
    await writeFile(path.join(os.tmpdir(), 'gy-secret.txt'), 'secret');
    h = await startTestHub('pglite', { clientDir: dir });
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(path.join(os.tmpdir(), 'gy-secret.txt'), { force: true });
  });

  test('a browser accepting gzip gets the precompressed asset, cached for a year', async () => {
    const r = await get(`${h.url}/assets/app-abc123.js`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
    expect(r.headers['vary']).toMatch(/Accept-Encoding/i);
    expect(r.headers['cache-control']).toContain('immutable');
    expect(r.body.length).toBeLessThan(Buffer.byteLength(js) / 4);
    expect(gunzipSync(r.body).toString('utf8')).toBe(js);
  });

  test('a client without gzip gets the plain file; an asset without a .gz is served as is', async () => {
    const plain = await get(`${h.url}/assets/app-abc123.js`);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(js);
    const css = await get(`${h.url}/assets/plain-x.css`, { 'accept-encoding': 'gzip' });
    expect(css.status).toBe(200);
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body.toString('utf8')).toBe('body{color:red}');
  });

  test('deep links get index.html, never cached; API paths do not', async () => {
    const r = await get(`${h.url}/city/teams`, { 'accept-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(r.body.toString('utf8')).toContain('<div id="app">');
    const api = await get(`${h.url}/api/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body.toString('utf8'))).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  test('nothing outside the build folder is served, escaped or not', async () => {
    for (const p of ['/assets/..%2f..%2fgy-secret.txt', '/..%2fgy-secret.txt', '/assets/%E0%A4%A.js']) {
      const r = await get(`${h.url}${p}`, { 'accept-encoding': 'gzip' });
      expect(r.body.toString('utf8'), p).not.toContain('secret');
      expect(r.headers['content-encoding'], p).toBeUndefined();
    }
  });
});
