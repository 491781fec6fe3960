/**
 * Group commit of refreshes (issue 17, part 1): concurrent refreshes share one
 * statement that decides and writes each of them; a token works once however many
 * race with it (repeats within the grace window get the one successor); a refresh
 * whose session was revoked or whose user was deleted fails alone; a replay revokes
 * its session even beside that session's other refreshes; nothing is answered before
 * its statement has returned.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Executor } from '../../src/db/client.js';
import { auditEvents, refreshTokens, sessions, users } from '../../src/db/schema.js';
import type { RefreshResult } from '../../src/sessions/service.js';
import { ManualClock } from '../../src/utils/clock.js';
import { useTestApp } from '../helpers/app.js';
import { latch } from '../helpers/latch.js';
import { statementLog } from '../helpers/statement-log.js';

const clock = new ManualClock();
const statements = statementLog();
const app = useTestApp({ clock, onRefreshStatement: statements.onStatement });

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const refreshRequest = (refreshToken: string) =>
  app.get().request({
    method: 'POST',
    url: '/api/v1/login/refresh-token',
    headers: form,
    payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
  });

/** A user and the refresh token of a session of theirs, opened by a password login. */
async function signedIn(): Promise<{ userId: string; sessionId: string; refreshToken: string }> {
  const t = app.get();
  const user = await t.createUser();
  const response = await t.login(user.email, user.password);
  expect(response.statusCode).toBe(200);
  const refreshToken = response.json().refresh_token as string;
  const [row] = await t.ctx.db
    .select({ sessionId: refreshTokens.sessionId })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(and(eq(sessions.userId, user.id), isNull(refreshTokens.usedAt), eq(sessions.userAgent, 'lightMyRequest')));
  return { userId: user.id, sessionId: row?.sessionId as string, refreshToken };
}

async function signedInMany(count: number) {
  const people = [];
  for (let i = 0; i < count; i++) people.push(await signedIn());
  return people;
}

async function tokensOf(sessionId: string) {
  return app.get().ctx.db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, sessionId));
}

const ok = (result: RefreshResult) => result.outcome === 'ok';

/** Runs `work` in a transaction left open (its locks held) until the returned function commits it. */
async function openTransaction(work: (tx: Executor) => Promise<void>): Promise<() => Promise<void>> {
  const worked = latch();
  const release = latch();
  const transaction = app.get().ctx.db.transaction(async (tx) => {
    await work(tx);
    worked.open();
    await release.opened;
  });
  await Promise.race([worked.opened, transaction]);
  return async () => {
    release.open();
    await transaction;
  };
}

describe('group commit of refreshes', () => {
  it('refreshes that arrive together share one statement, each rotating its own session', async () => {
    const t = app.get();
    const people = await signedInMany(8);
    statements.sizes.length = 0;
    const results = await Promise.all(people.map((p) => t.ctx.sessions.refresh(p.refreshToken)));

    expect(statements.sizes).toEqual([8]);
    results.forEach((result, i) => {
      expect(result).toMatchObject({ outcome: 'ok', user: { id: people[i]?.userId }, session: { id: people[i]?.sessionId } });
    });
    for (const [i, person] of people.entries()) {
      const rows = await tokensOf(person.sessionId);
      // The login's token, now used, and its one successor: the token this refresh answered.
      expect(rows).toHaveLength(2);
      expect(rows.filter((r) => r.usedAt !== null)).toHaveLength(1);
      const next = (results[i] as Extract<RefreshResult, { outcome: 'ok' }>).refreshToken;
      expect((await t.ctx.sessions.refresh(next)).outcome).toBe('ok');
    }
  });

  it('answers a refresh only after the statement holding it has returned', async () => {
    const person = await signedIn();
    const held = statements.holdNext();

    let answered = false;
    const response = refreshRequest(person.refreshToken).then((r) => {
      answered = true;
      return r;
    });
    await held.reached;
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect((await tokensOf(person.sessionId)).map((r) => r.usedAt)).toEqual([null]);

    held.release();
    const answer = await response;
    expect(answer.statusCode).toBe(200);
    const rows = await tokensOf(person.sessionId);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.usedAt !== null)).toHaveLength(1);
  });

  it('fails only the refreshes whose session was revoked or whose user was deleted meanwhile', async () => {
    const t = app.get();
    const people = await signedInMany(6);
    const revoked = people[1] as (typeof people)[number];
    const deleted = people[4] as (typeof people)[number];
    statements.sizes.length = 0;
    // Between the refreshes' arrival and their statement: as if another request got there first.
    statements.before = async () => {
      await t.ctx.db
        .update(sessions)
        .set({ revokedAt: clock.now(), revokedReason: 'user' })
        .where(eq(sessions.id, revoked.sessionId));
      await t.ctx.db.delete(users).where(eq(users.id, deleted.userId));
    };
    const results = await Promise.all(people.map((p) => t.ctx.sessions.refresh(p.refreshToken)));

    // The revoked session's token still names its user (for the audit log); the deleted user's tokens are gone with them.
    expect(results[1]).toEqual({ outcome: 'invalid', user: { id: revoked.userId } });
    expect(results[4]).toEqual({ outcome: 'invalid', user: null });
    const neighbours = results.filter((_, i) => i !== 1 && i !== 4);
    expect(neighbours.every(ok)).toBe(true);
    // Decided in the statement: nothing was refused, so nothing was split and retried.
    expect(statements.sizes).toEqual([6]);
    expect((await tokensOf(revoked.sessionId)).map((r) => r.usedAt)).toEqual([null]);
  });

  it('one token raced many times issues one successor: every answer carries it, and it works once', async () => {
    const t = app.get();
    const person = await signedIn();
    const answers = await Promise.all(Array.from({ length: 8 }, () => refreshRequest(person.refreshToken)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    const successors = new Set(answers.map((a) => a.json().refresh_token));
    expect(successors.size).toBe(1);
    expect(await tokensOf(person.sessionId)).toHaveLength(2);

    // Raced again, the successor gives one next token too; then, past the grace window, a replay ends the session.
    const [successor] = [...successors] as [string];
    const next = await Promise.all(Array.from({ length: 4 }, () => t.ctx.sessions.refresh(successor)));
    expect(next.every(ok)).toBe(true);
    expect(new Set(next.map((r) => (r as Extract<RefreshResult, { outcome: 'ok' }>).refreshToken)).size).toBe(1);
    expect(await tokensOf(person.sessionId)).toHaveLength(3);
    clock.advance(31);
    expect((await t.ctx.sessions.refresh(successor)).outcome).toBe('reuse-detected');
  });

  it('statements racing with one token on separate connections still issue one successor', async () => {
    const t = app.get();
    const person = await signedIn();
    // Another transaction holds the token's row, so the refreshes' statements pile up behind it and then race.
    const commit = await openTransaction(async (tx) => {
      await tx.execute(sql`SELECT 1 FROM refresh_token WHERE session_id = ${person.sessionId} FOR UPDATE`);
    });
    const racing = [];
    for (let i = 0; i < 4; i++) {
      racing.push(t.ctx.sessions.refresh(person.refreshToken));
      // Past the batching window: each refresh is a statement of its own.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await commit();
    const results = await Promise.all(racing);
    expect(statements.sizes).toEqual([1, 1, 1, 1]);
    expect(results.every(ok)).toBe(true);
    expect(new Set(results.map((r) => (r as Extract<RefreshResult, { outcome: 'ok' }>).refreshToken)).size).toBe(1);
    expect(await tokensOf(person.sessionId)).toHaveLength(2);
  });

  it('a refresh waiting on a revocation in flight reads the session as revoked, not as it was', async () => {
    const t = app.get();
    const person = await signedIn();
    // A logout elsewhere: the session's row is revoked, not yet committed, while the refresh arrives.
    const commit = await openTransaction(async (tx) => {
      await t.ctx.sessions.revoke(tx, person.userId, person.sessionId, 'logout');
    });
    const refreshed = t.ctx.sessions.refresh(person.refreshToken);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await commit();
    expect(await refreshed).toEqual({ outcome: 'invalid', user: { id: person.userId } });
    expect(await tokensOf(person.sessionId)).toHaveLength(1);
  });

  it('a replay after the grace window revokes its session even beside that session’s own refresh; other sessions rotate', async () => {
    const t = app.get();
    const victim = await signedIn();
    const bystander = await signedIn();
    const first = await t.ctx.sessions.refresh(victim.refreshToken);
    if (first.outcome !== 'ok') throw new Error('the first refresh failed');
    clock.advance(31);
    statements.sizes.length = 0;
    const [replay, current, other] = await Promise.all([
      t.ctx.sessions.refresh(victim.refreshToken),
      t.ctx.sessions.refresh(first.refreshToken),
      t.ctx.sessions.refresh(bystander.refreshToken),
    ]);
    expect(statements.sizes).toEqual([3]);
    expect(replay).toMatchObject({ outcome: 'reuse-detected', user: { id: victim.userId }, session: { id: victim.sessionId } });
    // As if the replay came first: the session is over, so its current token no longer works either.
    expect(current).toEqual({ outcome: 'invalid', user: { id: victim.userId } });
    expect(other?.outcome).toBe('ok');
    const [session] = await t.ctx.db.select().from(sessions).where(eq(sessions.id, victim.sessionId));
    expect(session).toMatchObject({ revokedReason: 'refresh_reuse' });
    expect(await tokensOf(victim.sessionId)).toHaveLength(2);
  });

  it('records the replay over HTTP and answers the contract’s refusal', async () => {
    const t = app.get();
    const person = await signedIn();
    expect((await refreshRequest(person.refreshToken)).statusCode).toBe(200);
    clock.advance(31);
    const replay = await refreshRequest(person.refreshToken);
    expect(replay.statusCode).toBe(400);
    expect(replay.json()).toEqual({ detail: 'Invalid refresh token' });
    const events = await t.ctx.db
      .select({ details: auditEvents.details })
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'refresh.reuse_detected'), inArray(auditEvents.targetId, [person.userId])));
    expect(events).toEqual([{ details: { session_id: person.sessionId } }]);
  });
});
