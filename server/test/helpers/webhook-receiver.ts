/**
 * A webhook receiver on loopback that verifies every request with the
 * `standardwebhooks` package, as a real receiver would, and answers as the test says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  type: string;
  data: Record<string, unknown>;
  /** The secrets (of `receiver.secrets` when it arrived) whose signature verified. */
  verifiedWith: string[];
}

export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Secrets to verify with; set after creating the endpoint. */
  secrets: string[];
  /** How to answer the n-th request (0-based); 204 by default. */
  answer: (request: ReceivedWebhook, index: number) => Answer;
  /** The receiver's clock for the signature's 5-minute tolerance (the test's clock). */
  now: () => Date;
  /** Resolves once `count` requests have arrived (in total). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Requests held by a `hang` answer are let go with this status. */
  release(status?: number): void;
  stop(): Promise<void>;
}

/** Runs `work` with Date.now() at `at`: the library checks the timestamp against it. */
function atTime<T>(at: Date, work: () => T): T {
  const real = Date.now;
  Date.now = () => at.getTime();
  try {
    return work();
  } finally {
    Date.now = real;
  }
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const held: http.ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    secrets: [],
    answer: () => ({ status: 204 }),
    now: () => new Date(),
    async waitFor(count, timeoutMs = 10_000) {
      if (receiver.received.length >= count) return receiver.received;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} webhooks, got ${receiver.received.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
      return receiver.received;
    },
    release(status = 200) {
      for (const res of held.splice(0)) res.writeHead(status).end();
    },
    stop: () =>
      new Promise((resolve) => {
        receiver.release(503);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      const verifiedWith = receiver.secrets.filter((secret) => {
        try {
          atTime(receiver.now(), () => new Webhook(secret).verify(body, headers));
          return true;
        } catch {
          return false;
        }
      });
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      const webhook: ReceivedWebhook = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        type: parsed.type,
        data: parsed.data,
        verifiedWith,
      };
      const answer = receiver.answer(webhook, receiver.received.length);
      receiver.received.push(webhook);
      for (const waiter of waiters.filter((w) => receiver.received.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      if (answer === 'hang') held.push(res);
      else res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
  return receiver;
}
