/**
 * The production entry point (`node server/dist/start.cjs`): sizes libuv's thread
 * pool, where Argon2 hashing runs, to the machine's cores, then runs main.js.
 * libuv's default is 4 threads whatever the machine; more threads than cores only
 * make logins queue on the CPU and starve the event loop. The pool starts on its
 * first use, and loading an ES module already uses it, so this must happen in a
 * CommonJS file (loaded synchronously) before the first `import`. An explicit
 * UV_THREADPOOL_SIZE wins.
 */
import os = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= String(os.availableParallelism());
void import('./main.js');
