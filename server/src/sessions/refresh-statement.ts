/**
 * Refreshes as one statement: any number of them, decided and written atomically
 * in SQL, so a refresh costs one round trip and shares its commit with concurrent
 * refreshes (the batch comes from db/batcher.ts). It does what the transaction of
 * one refresh used to do, for every presented token at once:
 *
 * - lock the tokens and their sessions (`FOR UPDATE`, in session order, so two
 *   batches that share sessions wait for each other instead of deadlocking) and
 *   read them as last committed: of two refreshes racing with one token, the second
 *   waits and then sees the first's `used_at`;
 * - judge each: `invalid` (unknown token, session revoked or past either end, user
 *   inactive), `reuse` (used before the grace window) or `ok`; an `invalid` token
 *   that matched a row still names its session's user, for the audit log;
 * - per session, one update: a replayed token revokes it (and then the session's
 *   other refreshes of this batch are `invalid`, as if the replay came first);
 *   otherwise its expiry slides;
 * - for an `ok`: mark the token used (a use within the grace window keeps the first
 *   use's time) and insert its successor, which a repeated use finds already there.
 *
 * Nothing here fails because of one refresh: a deleted user's tokens are gone with
 * it (cascade) and read as `invalid`, and the successor's insert ignores a conflict.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import type { SessionRow } from '../db/schema.js';

export interface PresentedToken {
  /** SHA-256 of the presented refresh token. */
  tokenHash: string;
  /** SHA-256 of its successor (derived from it, see service.ts). */
  successorHash: string;
}

export interface RefreshRules {
  now: Date;
  graceSeconds: number;
  /** REFRESH_TOKEN_EXPIRE_DAYS in seconds: the sliding lifetime. */
  lifetimeSeconds: number;
  /** SESSION_MAX_DAYS in seconds: the absolute lifetime from the login. */
  maxSeconds: number;
}

/** What a token's answer needs of its session. */
export type RefreshedSession = Pick<SessionRow, 'id' | 'userId' | 'expiresAt' | 'amr' | 'aal' | 'activeOrgId'>;

export type RefreshVerdict =
  | { outcome: 'ok'; isSuperuser: boolean; session: RefreshedSession }
  | { outcome: 'reuse-detected'; userId: string; sessionId: string }
  /** `userId`: the user of the session a known token belongs to; `null` for an unknown token. */
  | { outcome: 'invalid'; userId: string | null };

interface VerdictRow {
  token_hash: string;
  outcome: 'ok' | 'reuse' | 'invalid';
  session_id: string | null;
  user_id: string | null;
  /** The token's session's user, whatever the verdict (null: no such token). */
  holder_id: string | null;
  is_superuser: boolean | null;
  expires_at_ms: number | null;
  amr: string[] | null;
  aal: number | null;
  active_org_id: string | null;
}

/** One verdict per presented token, in their order; a token presented twice gets the same verdict twice. */
export async function refreshTogether(
  executor: Executor,
  presented: readonly PresentedToken[],
  rules: RefreshRules,
): Promise<RefreshVerdict[]> {
  const distinct = [...new Map(presented.map((token) => [token.tokenHash, token])).values()];
  const now = sql`${rules.now.toISOString()}::timestamptz`;
  const seconds = (n: number) => sql`(${n}::float8 * interval '1 second')`;
  const result = await executor.execute(sql`
    WITH presented AS (
      SELECT * FROM unnest(${sql.param(distinct.map((t) => t.tokenHash))}::text[],
                           ${sql.param(distinct.map((t) => t.successorHash))}::text[]) AS p(token_hash, successor_hash)
    ), held AS (
      SELECT p.token_hash, p.successor_hash, t.id AS token_id, t.used_at,
             s.id AS session_id, s.user_id AS holder_id, s.created_at AS session_created_at, s.expires_at, s.revoked_at,
             u.is_active, u.is_superuser
      FROM presented p
      JOIN refresh_token t ON t.token_hash = p.token_hash
      JOIN session s ON s.id = t.session_id
      JOIN "user" u ON u.id = s.user_id
      ORDER BY s.id, t.id
      FOR UPDATE OF t, s
    ), judged AS (
      SELECT h.*, CASE
          WHEN h.revoked_at IS NOT NULL OR h.expires_at <= ${now} OR NOT h.is_active
            OR h.session_created_at + ${seconds(rules.maxSeconds)} <= ${now} THEN 'invalid'
          WHEN h.used_at < ${now} - ${seconds(rules.graceSeconds)} THEN 'reuse'
          ELSE 'ok'
        END AS outcome
      FROM held h
    ), touched AS (
      UPDATE session s SET
        revoked_at = CASE WHEN j.replayed THEN ${now} ELSE s.revoked_at END,
        revoked_reason = CASE WHEN j.replayed THEN 'refresh_reuse' ELSE s.revoked_reason END,
        last_used_at = CASE WHEN j.replayed THEN s.last_used_at ELSE ${now} END,
        expires_at = CASE WHEN j.replayed THEN s.expires_at
          ELSE least(${now} + ${seconds(rules.lifetimeSeconds)}, s.created_at + ${seconds(rules.maxSeconds)}) END
      FROM (SELECT session_id, bool_or(outcome = 'reuse') AS replayed FROM judged
            WHERE outcome <> 'invalid' GROUP BY session_id) j
      WHERE s.id = j.session_id
      RETURNING s.id, j.replayed, s.user_id, s.expires_at, s.amr, s.aal, s.active_org_id
    ), rotated AS (
      SELECT j.token_id, j.session_id, j.successor_hash
      FROM judged j JOIN touched c ON c.id = j.session_id AND NOT c.replayed
      WHERE j.outcome = 'ok'
    ), spent AS (
      UPDATE refresh_token t SET used_at = ${now} FROM rotated r WHERE t.id = r.token_id AND t.used_at IS NULL
    ), issued AS (
      INSERT INTO refresh_token (session_id, token_hash, created_at)
      SELECT session_id, successor_hash, ${now} FROM rotated
      ON CONFLICT (token_hash) DO NOTHING
    )
    SELECT p.token_hash,
      CASE WHEN j.outcome = 'ok' AND NOT c.replayed THEN 'ok'
           WHEN j.outcome = 'reuse' THEN 'reuse'
           ELSE 'invalid' END AS outcome,
      c.id AS session_id, c.user_id, j.holder_id, j.is_superuser,
      (extract(epoch FROM c.expires_at) * 1000)::float8 AS expires_at_ms, c.amr, c.aal, c.active_org_id
    FROM presented p
    LEFT JOIN judged j ON j.token_hash = p.token_hash
    LEFT JOIN touched c ON c.id = j.session_id`);
  const byHash = new Map((result as unknown as { rows: VerdictRow[] }).rows.map((row) => [row.token_hash, verdictOf(row)]));
  return presented.map((token) => byHash.get(token.tokenHash) ?? { outcome: 'invalid', userId: null });
}

function verdictOf(row: VerdictRow): RefreshVerdict {
  if (row.outcome === 'invalid' || row.session_id === null || row.user_id === null) {
    return { outcome: 'invalid', userId: row.holder_id };
  }
  if (row.outcome === 'reuse') return { outcome: 'reuse-detected', userId: row.user_id, sessionId: row.session_id };
  return {
    outcome: 'ok',
    isSuperuser: row.is_superuser === true,
    session: {
      id: row.session_id,
      userId: row.user_id,
      expiresAt: new Date(Math.round(Number(row.expires_at_ms))),
      amr: row.amr ?? [],
      aal: Number(row.aal),
      activeOrgId: row.active_org_id,
    },
  };
}
