/**
 * Serves the built web app (web/dist) at `/` from the same origin as the API. Any GET
 * outside `/api/` and `/docs` that is not a file falls back to index.html, so the app's
 * client-side routes (/admin, /reset-password?token=…) work on reload and from emailed links.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { repoRoot } from '../config.js';

/** web/dist of this checkout, or null when the web app has not been built. */
export function defaultWebRoot(): string | null {
  const root = path.join(repoRoot, 'web', 'dist');
  return existsSync(path.join(root, 'index.html')) ? root : null;
}

function isFile(root: string, relative: string): boolean {
  const full = path.resolve(root, relative);
  if (!full.startsWith(root + path.sep)) return false; // no way out of the web root
  try {
    return statSync(full).isFile();
  } catch {
    return false;
  }
}

/** Paths that belong to the API or its docs: never answered with the app. */
function isServerPath(pathname: string): boolean {
  return pathname === '/api' || pathname.startsWith('/api/') || pathname === '/docs' || pathname.startsWith('/docs/');
}

export async function registerWebApp(app: FastifyInstance, root: string): Promise<void> {
  // Only reply.sendFile (with its range, ETag and traversal handling); routing is ours.
  await app.register(fastifyStatic, { root, serve: false });

  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    // Unknown API paths keep the API's own 404/405 answers.
    if (isServerPath(pathname)) return reply.callNotFound();

    let relative: string;
    try {
      relative = decodeURIComponent(pathname).slice(1);
    } catch {
      return reply.callNotFound();
    }
    if (relative !== '' && isFile(root, relative)) {
      // Vite fingerprints everything under assets/: cache it for good.
      const immutable = relative.startsWith('assets/');
      return reply.sendFile(relative, { maxAge: immutable ? '365d' : 0, immutable });
    }
    // A missing file with an extension (a stale asset, /robots.txt) is a 404, not the app.
    if (path.extname(relative) !== '') return reply.callNotFound();
    // index.html is never cached, so a deploy is picked up on the next load.
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}
