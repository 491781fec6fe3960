// Mail flows through the dev mailbox (the e2e server runs ENVIRONMENT=local without SMTP,
// so Roster keeps its mail and /dev/mailbox shows it).
import { expect } from 'vitest';
import { canSignIn, createUser, getUser, openSignedIn, uniqueEmail } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, toast } from '../support/expect';
import { openMail } from '../support/mailbox';

useBrowser();

browserTest('sign up, open the verification mail in the dev mailbox, follow its link: verified', async ({ page }) => {
  const email = uniqueEmail('verify');
  await page.goto('/signup');
  await page.getByLabel('Full name (optional)').fill('Vera Fied');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill('verify-me-please');
  await page.getByLabel('Confirm password').fill('verify-me-please');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expectText(page.getByRole('region', { name: 'Email verification' }), email);

  const mail = await openMail(page, email, 'Verify your email');
  await expectText(mail, `To ${email}`);
  // The HTML body is shown too, sandboxed.
  await expectVisible(mail.locator('iframe'));
  await mail
    .getByRole('region', { name: 'Links in this email' })
    .getByRole('link', { name: /verify-email\?token=/ })
    .click();

  await expectPath(page, '/verify-email');
  await expectText(page.getByRole('status'), 'Thank you!');
  await page.getByRole('link', { name: 'Go to the dashboard' }).click();
  await expectText(page.locator('main'), 'Email verified');
  expect(await page.getByRole('region', { name: 'Email verification' }).count()).toBe(0);
});

browserTest('a verification link that is wrong or used is refused with the API message', async ({ page }) => {
  await page.goto('/verify-email?token=not-a-token');
  await expectText(page.getByRole('alert'), 'Invalid token');
  await page.goto('/verify-email');
  await expectText(page.getByRole('alert'), 'has no token');
});

browserTest('asking for a new verification link: sent, then "wait a minute" in the API’s words', async ({ page }) => {
  const user = await createUser(); // the private route sends no verification mail
  await openSignedIn(page, user, '/');
  const banner = page.getByRole('region', { name: 'Email verification' });
  await banner.getByRole('button', { name: 'Send a new link' }).click();
  await expectText(toast(page, 'success'), 'Verification email sent.');
  await banner.getByRole('button', { name: 'Send a new link' }).click();
  await expectText(toast(page, 'error'), 'please wait before asking again');

  const mail = await openMail(page, user.email, 'Verify your email');
  await mail.getByRole('region', { name: 'Links in this email' }).getByRole('link').first().click();
  await expectText(page.getByRole('status'), 'Thank you!');
  expect((await getUser(user.id)).is_verified).toBe(true);
});

browserTest('forgot password, end to end: the link from the mailbox resets it', async ({ page }) => {
  const user = await createUser();
  await page.goto('/recover-password');
  await page.getByLabel('Email').fill(user.email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Check your email');

  const mail = await openMail(page, user.email, 'Password recovery');
  await mail
    .getByRole('region', { name: 'Links in this email' })
    .getByRole('link', { name: /reset-password\?token=/ })
    .click();
  await expectPath(page, '/reset-password');
  await page.getByLabel('New password', { exact: true }).fill('from-the-mailbox');
  await page.getByLabel('Confirm new password').fill('from-the-mailbox');
  await page.getByRole('button', { name: 'Reset password' }).click();
  await expectPath(page, '/login');
  expect(await canSignIn(user.email, 'from-the-mailbox')).toBe(true);
});
