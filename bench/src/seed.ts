/**
 * Row 5: bulk creation. Users are made inside PostgreSQL by `INSERT … SELECT
 * generate_series`, all with one Argon2id hash computed once (hashing a million
 * distinct passwords would measure argon2, not the store), in chunks spread over
 * two connections, then `VACUUM ANALYZE` so the planner and index-only scans see
 * the new rows. Every index and trigger of the schema stays in place.
 */
import * as argon2 from '@node-rs/argon2';
import pg from 'pg';

export const SEED_PASSWORD = 'bench-password-1';
const CHUNK = 50_000;
const CONNECTIONS = 2;

export interface SeedResult {
  users: number;
  seconds: number;
  usersPerSecond: number;
}

export async function seedUsers(url: string, total: number): Promise<SeedResult> {
  const hash = await argon2.hash(SEED_PASSWORD, { algorithm: 2 as argon2.Algorithm, memoryCost: 19456, timeCost: 2 });
  const clients = await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      return client;
    }),
  );
  const started = performance.now();
  let next = 1;
  await Promise.all(
    clients.map(async (client) => {
      while (next <= total) {
        const from = next;
        const to = Math.min(total, from + CHUNK - 1);
        next = to + 1;
        // created_at one millisecond apart, so the default order is well defined and deep pages mean something.
        await client.query(
          // Lower-case ASCII addresses: each is its own normal form (src/users/email-address.ts).
          `INSERT INTO "user" (email, email_normalized, hashed_password, full_name, is_verified, created_at)
           SELECT 'user' || g || '@bench.example', 'user' || g || '@bench.example', $1, 'Bench User ' || g, g % 2 = 0,
                  timestamptz '2026-01-01T00:00:00Z' + g * interval '1 millisecond'
           FROM generate_series($2::int, $3::int) AS g`,
          [hash, from, to],
        );
      }
    }),
  );
  await clients[0]?.query('VACUUM ANALYZE "user"');
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.end()));
  return { users: total, seconds, usersPerSecond: total / seconds };
}
