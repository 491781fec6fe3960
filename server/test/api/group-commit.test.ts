/**
 * Group commit of sign-ins (issue 17, part 1): concurrent sign-ins share one statement;
 * a sign-in whose user was deleted meanwhile fails alone, with the route's answer, and
 * its neighbours still sign in; nothing is answered before its rows are committed.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, sessions, type UserRow, users } from '../../src/db/schema.js';
import type { Admission } from '../../src/login/service.js';
import { useTestApp } from '../helpers/app.js';
import { statementLog } from '../helpers/statement-log.js';

const statements = statementLog();
const app = useTestApp({ onSignInStatement: statements.onStatement });

const PROOF = { method: 'password', amr: ['pwd'] };
const ORIGIN = { actorId: null, ip: '127.0.0.1', userAgent: 'group-commit test' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function userRows(count: number): Promise<UserRow[]> {
  const t = app.get();
  const rows: UserRow[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = await t.createUser();
    const [row] = await t.ctx.db.select().from(users).where(eq(users.id, id));
    rows.push(row as UserRow);
  }
  return rows;
}

/** The sessions signed in since the test began for these users (createUser opens one each). */
async function sessionIds(userIds: string[], except: Set<string>): Promise<string[]> {
  const rows = await app.get().ctx.db.select({ id: sessions.id }).from(sessions).where(inArray(sessions.userId, userIds));
  return rows.map((r) => r.id).filter((id) => !except.has(id));
}

async function existingSessions(userIds: string[]): Promise<Set<string>> {
  return new Set(await sessionIds(userIds, new Set()));
}

const signedIn = (a: Admission) => (a.outcome === 'signed-in' ? a.grant.sessionId : null);

describe('group commit of sign-ins', () => {
  it('writes sign-ins that reach the door together in one statement, each with its session and audit event', async () => {
    const t = app.get();
    const people = await userRows(8);
    const before = await existingSessions(people.map((u) => u.id));
    const admissions = await Promise.all(people.map((user) => t.ctx.login.admit(user, PROOF, ORIGIN)));

    expect(statements.sizes).toEqual([8]);
    const granted = admissions.map(signedIn);
    expect(granted.every((id) => id !== null)).toBe(true);
    expect(new Set(granted).size).toBe(8);
    expect(
      (
        await sessionIds(
          people.map((u) => u.id),
          before,
        )
      ).sort(),
    ).toEqual([...(granted as string[])].sort());
    const events = await t.ctx.db
      .select({ targetId: auditEvents.targetId })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.type, 'login.succeeded'),
          inArray(
            auditEvents.targetId,
            people.map((u) => u.id),
          ),
        ),
      );
    expect(events.map((e) => e.targetId).sort()).toEqual(people.map((u) => u.id).sort());
  });

  it('fails only the sign-in whose user was deleted meanwhile; its neighbours commit without it', async () => {
    const t = app.get();
    const people = await userRows(6);
    const gone = people[2] as UserRow;
    const before = await existingSessions(people.map((u) => u.id));
    await t.ctx.db.delete(users).where(eq(users.id, gone.id));

    const admissions = await Promise.all(people.map((user) => t.ctx.login.admit(user, PROOF, ORIGIN)));

    expect(admissions[2]).toMatchObject({ outcome: 'refused', refusal: { reason: 'user_gone' } });
    const neighbours = admissions.filter((_, i) => i !== 2);
    expect(neighbours.every((a) => a.outcome === 'signed-in')).toBe(true);
    // The first statement held all six; the refused one was split until it stood alone.
    expect(statements.sizes[0]).toBe(6);
    expect(statements.sizes.length).toBeGreaterThan(1);
    expect(statements.sizes).toContain(1);
    const written = await sessionIds(
      people.map((u) => u.id),
      before,
    );
    expect(written.sort()).toEqual(neighbours.map(signedIn).sort());
  });

  it("answers a password sign-in whose user is deleted before its write with the route's refusal", async () => {
    const t = app.get();
    const user = await t.createUser();
    statements.before = async () => {
      await t.ctx.db.delete(users).where(eq(users.id, user.id));
    };
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/login/access-token',
      headers: form,
      payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ detail: 'Incorrect email or password' });
    expect(statements.sizes).toEqual([1]);
  });

  it('answers a sign-in only after the statement holding its rows has committed', async () => {
    const t = app.get();
    const user = await t.createUser();
    const before = await existingSessions([user.id]);
    const held = statements.holdNext();

    let answered = false;
    const response = t
      .request({
        method: 'POST',
        url: '/api/v1/login/access-token',
        headers: form,
        payload: new URLSearchParams({ username: user.email, password: user.password }).toString(),
      })
      .then((r) => {
        answered = true;
        return r;
      });
    await held.reached;
    // Give the request every chance to be answered early: several turns of the event loop.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect(await sessionIds([user.id], before)).toEqual([]);

    held.release();
    const answer = await response;
    expect(answer.statusCode).toBe(200);
    // Read on the handle (on PostgreSQL, another pooled connection): only committed rows are visible there.
    expect(await sessionIds([user.id], before)).toHaveLength(1);
  });
});
