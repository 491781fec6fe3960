import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect } from 'vitest';
import { createSuperuser, openSignedIn } from '../support/api';
import { browserTest, useBrowser } from '../support/browser';
import { expectText, expectVisible } from '../support/expect';

useBrowser();

/** A receiver on loopback (the server runs with ENVIRONMENT=local, where private targets are allowed). */
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let receiver: http.Server;
let receiverUrl = '';

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/roster-hooks`;
});

afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

browserTest('an admin adds an endpoint, sees its secret once, sends a test ping and sees it delivered', async ({ page }) => {
  const admin = await createSuperuser();
  await openSignedIn(page, admin, '/admin');
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add endpoint' });
  await dialog.getByLabel('URL').fill(receiverUrl);
  await dialog.getByLabel('Description').fill('e2e receiver');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();

  const secretDialog = page.getByRole('dialog', { name: 'Signing secret' });
  const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^whsec_/);
  await secretDialog.getByRole('button', { name: 'Done' }).click();
  // Once: the page holds it nowhere after the dialog closes.
  const row = page.locator('tr', { hasText: receiverUrl });
  await expectText(row, 'Enabled');
  expect(await page.content()).not.toContain(secret);

  await row.getByRole('button', { name: 'Send test' }).click();
  const deliveries = page.getByRole('region', { name: 'Deliveries' });
  await expectVisible(deliveries);
  // The ping's row, not the first: another file's new user can be delivered to this endpoint meanwhile.
  await expectText(deliveries.locator('tbody tr', { hasText: 'ping' }).first(), 'delivered');

  const ping = received.find((request) => request.body.includes('"ping"'));
  expect(ping).toBeDefined();
  const verified = new Webhook(secret).verify(ping?.body ?? '', {
    'webhook-id': String(ping?.headers['webhook-id']),
    'webhook-timestamp': String(ping?.headers['webhook-timestamp']),
    'webhook-signature': String(ping?.headers['webhook-signature']),
  });
  expect(verified).toMatchObject({ type: 'ping' });

  // Removed again, so the other files' user events are not sent to a receiver that is gone.
  await row.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete endpoint' }).getByRole('button', { name: 'Delete' }).click();
  await expectText(page.locator('main'), 'No endpoints');

  // The audit log tells the endpoint's story in sentences, and its filter has the webhook events.
  await page.goto('/admin/audit');
  const event = (type: string) => page.locator(`tr[data-type="${type}"]`, { hasText: receiverUrl });
  await page.getByLabel('Event').selectOption('webhook.endpoint_created');
  await expectText(event('webhook.endpoint_created'), `added the webhook endpoint ${receiverUrl}`);
  await page.getByLabel('Event').selectOption('webhook.endpoint_deleted');
  await expectText(event('webhook.endpoint_deleted'), `deleted the webhook endpoint ${receiverUrl}`);
});
