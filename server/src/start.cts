/**
 * The production entry point (`node server/dist/start.cjs`): sizes libuv's thread
 * pool, where Argon2 hashing runs, then runs main.js.
 *
 * - Size: the machine's cores (libuv's default is 4 whatever the machine; more
 *   threads than cores only make logins queue on the CPU). The pool starts on its
 *   first use, and loading an ES module already uses it, so this must happen in a
 *   CommonJS file (loaded synchronously) before the first `import`. An explicit
 *   UV_THREADPOOL_SIZE wins.
 * - Priority (Linux): the pool's threads run at a lower priority (nice
 *   ROSTER_POOL_NICE, default 15) than the event loop, so a login storm that keeps
 *   every core hashing does not make every other request wait for a CPU. With
 *   nothing else to run, the pool still gets all the cores. Measured on 2 cores with
 *   /users/me under load and two busy threads beside it: its p99 was 6 ms with them
 *   at nice 0, 4 ms at 5, 2 ms at 10 and 1 ms (as alone) at 15. The price: on a
 *   machine kept busy by other programs, logins get a small share of the CPU.
 */
import fs = require('node:fs');
import os = require('node:os');

process.env.UV_THREADPOOL_SIZE ??= String(os.availableParallelism());

function threadIds(): Set<string> {
  return new Set(fs.readdirSync('/proc/self/task'));
}

function lowerPoolPriority(nice: number): void {
  if (process.platform !== 'linux' || nice === 0) return;
  const before = threadIds();
  // libuv starts every pool thread, and waits for them, inside the first queued request.
  fs.stat(__filename, () => {});
  for (const tid of threadIds()) {
    if (before.has(tid)) continue;
    try {
      os.setPriority(Number(tid), nice);
    } catch {
      // Not allowed here (containers may forbid it): the pool runs at normal priority.
    }
  }
}

lowerPoolPriority(Number(process.env.ROSTER_POOL_NICE ?? 15));
void import('./main.js');
