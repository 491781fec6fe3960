/**
 * Row 2's limit: how many Argon2id verifications per second this machine does
 * with Roster's parameters, `CONCURRENCY` at a time (as many as row 2 has
 * connections) on a thread pool of UV_THREADPOOL_SIZE threads. Prints one JSON line.
 */
import * as argon2 from '@node-rs/argon2';

const memoryCost = Number(process.env.ARGON2_MEMORY_KIB ?? 19456);
const timeCost = Number(process.env.ARGON2_ITERATIONS ?? 2);
const parallelism = Number(process.env.ARGON2_PARALLELISM ?? 1);
const durationMs = Number(process.env.DURATION_MS ?? 5000);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const password = 'bench-password-1';

// Values of @node-rs/argon2's `const enum`s, which isolated modules cannot import.
const hash = await argon2.hash(password, { algorithm: 2 as argon2.Algorithm, memoryCost, timeCost, parallelism });

async function worker(until: number, counts: { done: number }): Promise<void> {
  while (performance.now() < until) {
    if (!(await argon2.verify(hash, password))) throw new Error('verification failed');
    counts.done++;
  }
}

// Warm-up, so that thread start and first-touch page faults are not counted.
await Promise.all(Array.from({ length: concurrency }, () => argon2.verify(hash, password)));
const counts = { done: 0 };
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, () => worker(started + durationMs, counts)));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ verifiesPerSecond: counts.done / seconds, threads: Number(process.env.UV_THREADPOOL_SIZE ?? 4), concurrency })}\n`,
);
