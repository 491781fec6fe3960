/**
 * PostgreSQL LISTEN/NOTIFY, for caches that must hear about changes made by any
 * process on the database. Triggers (migration 0002) send a notification in the
 * same transaction as the change, so it is delivered exactly when the change
 * commits. A listener that is not connected may have missed notifications:
 * `live` is false then, and `onReset` runs whenever the listener (re)connects
 * or drops, so the cache forgets everything rather than trust what it holds.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Listener {
  /** True while notifications are known to arrive; a cache must not serve from memory otherwise. */
  readonly live: boolean;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotify(payload: string): void;
  /** Notifications may have been missed: forget everything. */
  onReset(): void;
}

/** Channel names are identifiers in LISTEN; only plain ones are accepted. */
function checkChannel(channel: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name: ${channel}`);
}

/** PGlite is one connection in this process; nothing can be missed while it is open. */
export async function listenPglite(client: PGlite, channel: string, handlers: ListenHandlers): Promise<Listener> {
  checkChannel(channel);
  const unlisten = await client.listen(channel, handlers.onNotify);
  let live = true;
  return {
    get live() {
      return live;
    },
    async close() {
      live = false;
      await unlisten();
    },
  };
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * A dedicated connection (not one of the pool's: a pooled client is handed to
 * queries and released) that LISTENs, and reconnects with backoff when it drops.
 */
export async function listenPostgres(url: string, channel: string, handlers: ListenHandlers): Promise<Listener> {
  checkChannel(channel);
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let retryTimer: NodeJS.Timeout | null = null;

  const reconnectLater = () => {
    if (closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect().catch(reconnectLater);
    }, retryMs);
    retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
  };

  const lost = (which: pg.Client) => {
    if (client !== which) return;
    client = null;
    handlers.onReset();
    which.end().catch(() => {});
    reconnectLater();
  };

  /** Connects and LISTENs, or throws (leaving nothing behind). */
  const connect = async () => {
    // Keep-alive probes notice a peer that vanished without closing the connection.
    const candidate = new pg.Client({ connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    candidate.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotify(message.payload ?? '');
    });
    candidate.on('error', () => lost(candidate));
    candidate.on('end', () => lost(candidate));
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${channel}`);
    } catch (error) {
      candidate.end().catch(() => {});
      throw error;
    }
    if (closed) {
      await candidate.end().catch(() => {});
      return;
    }
    client = candidate;
    retryMs = RETRY_MIN_MS;
    // Whatever changed while no one listened is unknown.
    handlers.onReset();
  };

  await connect();
  return {
    get live() {
      return client !== null;
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = null;
      await current?.end().catch(() => {});
    },
  };
}
