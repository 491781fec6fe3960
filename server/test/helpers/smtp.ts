/**
 * A real SMTP server on loopback (the smtp-server package) that keeps every
 * message it receives, parsed, for tests to read.
 */
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  html: string;
  text: string;
  messageId: string | undefined;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  /** Resolves when `count` messages have arrived in total (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Resolves with the first `count` messages to `address` (or rejects after `timeoutMs`). */
  waitForMailTo(address: string, count?: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Settings for Roster to send here. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            text: parsed.text ?? '',
            messageId: parsed.messageId,
            parsed,
          });
          for (const wake of waiters.splice(0)) wake();
          callback();
        })
        .catch(callback);
    },
  });
  /** Waits for `done()` to hold, waking on each received mail. */
  async function until(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(describe());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const actualPort = (server.server.address() as AddressInfo).port;
  return {
    port: actualPort,
    received,
    async waitFor(count, timeoutMs = 10_000) {
      await until(
        () => received.length >= count,
        timeoutMs,
        () => `expected ${count} mails, got ${received.length}`,
      );
      return received;
    },
    async waitForMailTo(address, count = 1, timeoutMs = 10_000) {
      const matching = () => received.filter((mail) => mail.to.some((to) => to.toLowerCase() === address.toLowerCase()));
      await until(
        () => matching().length >= count,
        timeoutMs,
        () => `expected ${count} mails to ${address}, got ${matching().length}`,
      );
      return matching().slice(0, count);
    },
    env: () => ({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(actualPort),
      SMTP_TLS: 'false',
      SMTP_SSL: 'false',
      EMAILS_FROM_EMAIL: 'noreply@roster.test',
    }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of the first `{FRONTEND_HOST}{path}?token=…` link in a mail's HTML (checked against its text part too). */
export function tokenFromMail(
  mail: { html: string; text: string } | undefined,
  path: '/reset-password' | '/verify-email',
): string {
  if (!mail) throw new Error('no mail');
  const pattern = new RegExp(`href="(https?://[^"]+${path}\\?token=[^"]+)"`);
  const link = pattern.exec(mail.html)?.[1];
  if (!link) throw new Error(`no ${path} link in mail`);
  const url = new URL(link.replaceAll('&amp;', '&'));
  if (!mail.text.includes(url.toString())) throw new Error('the plain-text part lacks the link');
  return url.searchParams.get('token') as string;
}
