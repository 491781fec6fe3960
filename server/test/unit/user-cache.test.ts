import { describe, expect, it } from 'vitest';
import { UserCache } from '../../src/auth/user-cache.js';
import type { DbHandle } from '../../src/db/client.js';
import type { ListenHandlers } from '../../src/db/notifications.js';
import type { UserRow } from '../../src/db/schema.js';

const ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';

function row(fullName: string): UserRow {
  return {
    id: ID,
    email: 'a@example.com',
    emailNormalized: 'a@example.com',
    emailDuplicateRank: 0,
    hashedPassword: 'x',
    fullName,
    isActive: true,
    isSuperuser: false,
    isVerified: false,
    mfaEnabled: false,
    createdAt: new Date(),
  };
}

/** A store whose reads can be held open, and a listener the test drives by hand. */
function harness() {
  let current = row('v1');
  let reads = 0;
  let hold: Promise<void> | null = null;
  let handlers: ListenHandlers | null = null;
  let live = true;
  const cache = new UserCache(async () => {
    reads++;
    const value = current;
    if (hold) await hold;
    return value;
  });
  const database = {
    listen: async (_channel: string, h: ListenHandlers) => {
      handlers = h;
      return {
        get live() {
          return live;
        },
        close: async () => {},
      };
    },
  } as unknown as DbHandle;
  return {
    cache,
    database,
    reads: () => reads,
    set: (name: string) => (current = row(name)),
    holdReads: () => {
      let release = () => {};
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
    notify: (payload: string) => handlers?.onNotify(payload),
    reset: () => handlers?.onReset(),
    setLive: (value: boolean) => (live = value),
  };
}

describe('UserCache', () => {
  it('reads the store every time until it listens', async () => {
    const h = harness();
    await h.cache.get(ID);
    await h.cache.get(ID);
    expect(h.reads()).toBe(2);
  });

  it('serves from memory while listening, and re-reads after a notification for the row or for all', async () => {
    const h = harness();
    await h.cache.start(h.database);
    expect((await h.cache.get(ID))?.fullName).toBe('v1');
    h.set('v2');
    expect((await h.cache.get(ID))?.fullName).toBe('v1');
    expect(h.reads()).toBe(1);
    h.notify(ID);
    expect((await h.cache.get(ID))?.fullName).toBe('v2');
    h.set('v3');
    h.notify('*');
    expect((await h.cache.get(ID))?.fullName).toBe('v3');
    h.set('v4');
    h.cache.invalidate(ID.toUpperCase());
    expect((await h.cache.get(ID))?.fullName).toBe('v4');
  });

  it('does not store a row read before an invalidation that happened while it was read', async () => {
    const h = harness();
    await h.cache.start(h.database);
    const release = h.holdReads();
    const inFlight = h.cache.get(ID);
    h.set('v2');
    h.notify(ID);
    release();
    expect((await inFlight)?.fullName).toBe('v1');
    expect((await h.cache.get(ID))?.fullName).toBe('v2');
  });

  it('forgets everything when the listener resets, and bypasses memory while it is down', async () => {
    const h = harness();
    await h.cache.start(h.database);
    await h.cache.get(ID);
    h.setLive(false);
    h.reset();
    expect(h.cache.size).toBe(0);
    h.set('v2');
    expect((await h.cache.get(ID))?.fullName).toBe('v2');
    h.set('v3');
    expect((await h.cache.get(ID))?.fullName).toBe('v3');
    expect(h.cache.size).toBe(0);
    h.setLive(true);
    await h.cache.get(ID);
    h.set('v4');
    expect((await h.cache.get(ID))?.fullName).toBe('v3');
  });

  it('stops serving from memory once stopped', async () => {
    const h = harness();
    await h.cache.start(h.database);
    await h.cache.get(ID);
    await h.cache.stop();
    h.set('v2');
    expect((await h.cache.get(ID))?.fullName).toBe('v2');
  });
});
