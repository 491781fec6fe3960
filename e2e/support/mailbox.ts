// The dev mailbox in the browser (the e2e server runs ENVIRONMENT=local without SMTP, so
// Roster keeps its mail and /dev/mailbox shows it).
import type { Page } from 'playwright-core';

/** Open the mailbox, show mail to `email`, open the message whose subject contains `subject`. */
export async function openMail(page: Page, email: string, subject: string) {
  await page.goto('/dev/mailbox');
  await page.getByLabel('Filter by recipient').fill(email);
  const message = page.getByRole('region', { name: 'Messages' }).getByRole('button', { name: subject });
  // Mail is written in the same transaction as the change, but refresh once if the list was older.
  if ((await message.count()) === 0) await page.getByRole('button', { name: 'Refresh' }).click();
  await message.first().click();
  return page.getByRole('region', { name: 'Message' });
}
