/**
 * Serves the console: one HTML page, one script and one stylesheet, from memory (the files in the
 * package's `console` folder, read once: see assets.ts). Mounted at `/console` by serveController,
 * beside the API that the page calls.
 */
import express, { type Response, type Router } from 'express';
import { consoleAssets } from './assets';

export interface ConsoleRouterOptions {
  /** Where the controller's API is, as a URL path: `''` (the default) when it is at the root. */
  readonly apiBase?: string;
}

/**
 * The browser may load and connect to this server only: nothing from outside the machine, no inline
 * script or style, no framing. A console that a CSP holds to its origin cannot leak what it shows.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function send(res: Response, type: string, body: string): void {
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  // The files change only with the package; revalidating costs little on one machine.
  res.setHeader('Cache-Control', 'no-cache');
  res.send(body);
}

export function consoleRouter(options: ConsoleRouterOptions = {}): Router {
  const router = express.Router({ strict: false });
  const apiBase = options.apiBase ?? '';
  const { page, script, style } = consoleAssets();
  // Asset URLs follow where the router is mounted (req.baseUrl), so `/console` and `/console/` both work.
  router.get('/', (req, res) => send(res, 'text/html', page({ assetBase: req.baseUrl, apiBase })));
  router.get('/console.js', (_req, res) => send(res, 'text/javascript', script));
  router.get('/console.css', (_req, res) => send(res, 'text/css', style));
  return router;
}
