// Organizations in the browser (issue 18): create one, invite a colleague, who opens the mail
// in the dev mailbox, signs up from its link with the address filled in and lands as a member
// (the sign-up carries the invitation's token and accepts it);
// the owner then promotes them to admin, and the colleague's page follows.
import { expect } from 'vitest';
import { createUser, openSignedIn, uniqueEmail, uniqueTag } from '../support/api';
import { baseURL, browserTest, useBrowser } from '../support/browser';
import { expectPath, expectText, expectVisible, toast } from '../support/expect';
import { openMail } from '../support/mailbox';

useBrowser();

browserTest(
  'create an organization, invite a colleague who signs up from the mail, promote them to admin',
  async ({ page, context }) => {
    const owner = await createUser({ prefix: 'owner', is_verified: true });
    const name = `Acme ${uniqueTag()}`;
    await openSignedIn(page, owner, '/orgs');
    await page.getByLabel('Name').fill(name);
    await page.getByRole('button', { name: 'Create organization' }).click();
    await expectText(page.getByRole('heading', { level: 1 }), name);
    await expectText(page.locator('main'), 'you are an owner');

    const colleagueEmail = uniqueEmail('colleague');
    await page.getByRole('button', { name: 'Invite people' }).click();
    const dialog = page.getByRole('dialog', { name: 'Invite someone' });
    await dialog.getByLabel('Email').fill(colleagueEmail);
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    await expectText(toast(page, 'success'), `Invitation sent to ${colleagueEmail}`);
    await expectText(page.getByRole('table', { name: 'Pending invitations' }), colleagueEmail);
    const orgPath = new URL(page.url()).pathname;

    // The colleague, in a browser of their own.
    const browser = context.browser();
    if (!browser) throw new Error('no browser');
    const theirs = await browser.newContext({
      baseURL: baseURL(),
      viewport: { width: 1280, height: 860 },
      reducedMotion: 'reduce',
    });
    theirs.setDefaultTimeout(10_000);
    try {
      const colleague = await theirs.newPage();
      const mail = await openMail(colleague, colleagueEmail, `Join ${name}`);
      await mail
        .getByRole('region', { name: 'Links in this email' })
        .getByRole('link', { name: /invitation\?token=/ })
        .click();
      await expectPath(colleague, '/invitation');
      await expectText(colleague.getByRole('heading', { level: 1 }), `Join ${name}`);
      await colleague.getByRole('link', { name: 'Create your account to accept' }).click();

      await expectPath(colleague, '/signup');
      expect(await colleague.getByLabel('Email').inputValue()).toBe(colleagueEmail);
      await colleague.getByLabel('Password', { exact: true }).fill('joining-acme-today');
      await colleague.getByLabel('Confirm password').fill('joining-acme-today');
      await colleague.getByRole('button', { name: 'Sign up' }).click();

      // Signing up from the link accepted the invitation: straight into the organization.
      await expectPath(colleague, orgPath);
      await expectText(toast(colleague, 'success'), `Welcome to ${name}!`);
      await expectText(colleague.getByRole('heading', { level: 1 }), name);
      await expectText(colleague.locator('main'), 'you are a member');
      // The header's switcher now acts for the organization.
      await expectText(colleague.getByLabel('Active organization').locator('option:checked'), name);
      await expectVisible(colleague.getByRole('button', { name: 'Leave organization' }));
      expect(await colleague.getByRole('button', { name: 'Invite people' }).count()).toBe(0);

      // The owner promotes them.
      await page.reload();
      await page.getByLabel(`Role of ${colleagueEmail}`).selectOption('admin');
      await expectText(toast(page, 'success'), `${colleagueEmail} is now an admin`);

      // The colleague's token still claims "member": the next request refreshes it, and the page follows.
      await colleague.reload();
      await expectText(colleague.locator('main'), 'you are an admin');
      await expectVisible(colleague.getByRole('button', { name: 'Invite people' }));
    } finally {
      await theirs.close();
    }
  },
  { timeout: 120_000 },
);
