/**
 * The peer's hash limit, as argon2-baseline.ts is Roster's: how many of better-auth's own
 * password verifications (scrypt through node:crypto, on libuv's pool) this machine does
 * per second, CONCURRENCY at a time. Prints one JSON line.
 */
import { hashPassword, verifyPassword } from 'better-auth/crypto';

const durationMs = Number(process.env.DURATION_MS ?? 5000);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const password = 'bench-password-1';
const hash = await hashPassword(password);

async function worker(until, counts) {
  while (performance.now() < until) {
    if (!(await verifyPassword({ hash, password }))) throw new Error('verification failed');
    counts.done++;
  }
}

await Promise.all(Array.from({ length: concurrency }, () => verifyPassword({ hash, password })));
const counts = { done: 0 };
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, () => worker(started + durationMs, counts)));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ verifiesPerSecond: counts.done / seconds, concurrency })}\n`);
