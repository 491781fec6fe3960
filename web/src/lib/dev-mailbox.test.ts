import { describe, expect, it, vi } from 'vitest';

async function fresh() {
  vi.resetModules();
  return import('./dev-mailbox');
}

const answer = (value?: string) => ({ headers: new Headers(value === undefined ? {} : { 'X-Roster-Dev-Mailbox': value }) });

describe('dev mailbox link', () => {
  it('is known once an API answer names it, and not before', async () => {
    const mailbox = await fresh();
    expect(mailbox.devMailboxPath()).toBeNull();
    mailbox.noteDevMailbox(answer());
    expect(mailbox.devMailboxPath()).toBeNull();
    mailbox.noteDevMailbox(answer('/dev/mailbox'));
    expect(mailbox.devMailboxPath()).toBe('/dev/mailbox');
    mailbox.noteDevMailbox(answer()); // an answer without it (a proxy's error page) does not forget it
    expect(mailbox.devMailboxPath()).toBe('/dev/mailbox');
  });

  it('takes only a path on this site', async () => {
    const mailbox = await fresh();
    for (const value of ['https://evil.example/', '//evil.example/', 'javascript:alert(1)', '']) {
      mailbox.noteDevMailbox(answer(value));
      expect(mailbox.devMailboxPath(), value).toBeNull();
    }
  });
});
