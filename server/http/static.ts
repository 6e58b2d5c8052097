// Serves the built client: hashed assets with their precompressed .gz (written at build time by
// client/build/precompress.ts) to browsers that accept gzip, cached for a year since their names change with
// their content; index.html for every other path, never cached, so a new build is picked up on reload.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
const YEAR_S = 365 * 24 * 3600;

export function clientRouter(dir: string): Router {
  const r = express.Router();
  const root = path.resolve(dir);
  const isAsset = (p: string) => p.startsWith('/assets/');

  r.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const type = TYPES[path.extname(req.path)];
    if (!type || !/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return next();
    let file: string;
    try {
      file = path.resolve(root, `.${decodeURIComponent(req.path)}`);
    } catch {
      return next(); // malformed %-escape: express.static answers it
    }
    // The resolved path must stay inside the build folder (no ../ escapes).
    if (!file.startsWith(root + path.sep) || !existsSync(`${file}.gz`)) return next();
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', isAsset(req.path) ? `public, max-age=${YEAR_S}, immutable` : 'no-cache');
    res.sendFile(`${file}.gz`, { dotfiles: 'deny' });
  });
  r.use(
    express.static(root, {
      index: false,
      setHeaders: (res, file) => {
        const rel = `/${path.relative(root, file).split(path.sep).join('/')}`;
        res.setHeader('Cache-Control', isAsset(rel) ? `public, max-age=${YEAR_S}, immutable` : 'no-cache');
        res.setHeader('Vary', 'Accept-Encoding');
      },
    }),
  );
  // The SPA owns every other path (deep links such as /city/teams survive a reload).
  r.get(/^(?!\/api\/|\/socket\.io\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(root, 'index.html'));
  });
  return r;
}
