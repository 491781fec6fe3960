/**
 * `npm run build` (server), after tsc: the migrated empty embedded database that a
 * first start copies (db/embedded-template.ts). Does nothing when it is current.
 */
import { buildTemplate, TEMPLATE_DIR } from './db/embedded-template.js';

const started = performance.now();
if (await buildTemplate()) {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`built the embedded database template in ${seconds} s (${TEMPLATE_DIR})\n`);
}
