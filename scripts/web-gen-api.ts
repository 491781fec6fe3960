// Regenerates web/src/api/schema.d.ts from the server's OpenAPI document:
//   npm run gen:api --workspace web              (from the server in this checkout)
//   npm run gen:api --workspace web -- <url>     (from a running server, e.g. http://localhost:8000)
// The document comes from the server's own `openapi` script when it has one (no server
// started), else from a server started briefly on a temporary database.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildIfNeeded, repoRoot, startServer } from '../e2e/support/server';

const outFile = path.join(repoRoot, 'web/src/api/schema.d.ts');
const tmpFile = path.join(repoRoot, 'web/src/api/openapi.json.tmp'); // gitignored

async function fetchDocument(url: string): Promise<unknown> {
  const response = await fetch(`${url.replace(/\/$/, '')}/api/v1/openapi.json`);
  if (!response.ok) throw new Error(`GET ${url}/api/v1/openapi.json → ${response.status}`);
  return response.json();
}

async function serverDocument(): Promise<unknown> {
  const serverPackage = JSON.parse(readFileSync(path.join(repoRoot, 'server/package.json'), 'utf8'));
  if (serverPackage.scripts?.openapi) {
    execFileSync('npm', ['run', '--silent', 'openapi', '--workspace', 'server', '--', tmpFile], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      return JSON.parse(readFileSync(tmpFile, 'utf8'));
    } finally {
      rmSync(tmpFile, { force: true });
    }
  }
  buildIfNeeded();
  const server = await startServer('gen-api-server.log');
  try {
    return await fetchDocument(server.url);
  } finally {
    await server.stop();
  }
}

const url = process.argv[2];
const document = url ? await fetchDocument(url) : await serverDocument();
// defaultNonNullable off: a request field with a server-side default stays optional.
const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { defaultNonNullable: false });
const header = [
  '/**',
  ' * Generated from the Roster server OpenAPI document by `npm run gen:api --workspace web`.',
  ' * Do not edit: change the server schema and regenerate.',
  ' */',
  '',
].join('\n');
writeFileSync(outFile, header + astToString(ast));
process.stderr.write(`wrote ${path.relative(repoRoot, outFile)}\n`);
