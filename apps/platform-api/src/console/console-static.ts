import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Where `npm run build` puts the console's bundle (vite build), unless CONSOLE_DIR says. */
export function consoleDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['CONSOLE_DIR'] ?? join(process.cwd(), 'dist', 'console'));
}

/** The console's static files at /console/ (no CDN: everything it loads comes from here), or
 * undefined when the bundle was not built. Only /console/ itself and its files: the console's
 * API routes (/console/session, …) pass through. */
export function consoleStatic(dir: string = consoleDir()) {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = express.static(dir, { index: false, fallthrough: true, maxAge: '1h' });
  const index = join(dir, 'index.html');
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.startsWith('/console')) return next();
    if (req.method === 'GET' && (req.path === '/console' || req.path === '/console/')) {
      res.setHeader('cache-control', 'no-cache');
      return res.sendFile(index);
    }
    if (!req.path.startsWith('/console/assets/')) return next();
    req.url = req.url.slice('/console'.length);
    files(req, res, () => {
      req.url = `/console${req.url}`;
      next();
    });
  };
}
