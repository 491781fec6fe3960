/**
 * Sends email over SMTP with nodemailer when mail is configured (SMTP_HOST and
 * EMAILS_FROM_EMAIL). Without it, `enabled` is false and sending is refused.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpSettings } from '../config.js';
import type { EmailContent } from './templates.js';

export class MailNotConfiguredError extends Error {
  constructor() {
    super('Email is not configured: set SMTP_HOST and EMAILS_FROM_EMAIL.');
    this.name = 'MailNotConfiguredError';
  }
}

export interface SendOptions {
  /** A stable Message-ID, so that a message delivered twice is recognisable. */
  messageId?: string;
}

export interface Mailer {
  readonly enabled: boolean;
  send(to: string, content: EmailContent, options?: SendOptions): Promise<void>;
  close(): void;
}

export function createMailer(smtp: SmtpSettings | null): Mailer {
  if (!smtp) {
    return {
      enabled: false,
      send: () => Promise.reject(new MailNotConfiguredError()),
      close: () => {},
    };
  }
  const transport: Transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.ssl,
    requireTLS: smtp.tls && !smtp.ssl,
    ignoreTLS: !smtp.tls && !smtp.ssl,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    enabled: true,
    async send(to, content, options = {}) {
      await transport.sendMail({
        messageId: options.messageId,
        from: { name: smtp.fromName, address: smtp.fromEmail },
        to,
        subject: content.subject,
        html: content.html,
        text: content.text,
      });
    },
    close: () => transport.close(),
  };
}
