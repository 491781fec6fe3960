/** A user with TOTP on, enrolled through the API as a person would, for the MFA suites. */
import { totpCodeAt } from '../../src/mfa/totp.js';
import type { ManualClock } from '../../src/utils/clock.js';
import type { TestApp } from './app.js';

export async function enrolledUser(t: TestApp, clock: ManualClock) {
  const user = await t.createUser();
  const started = await t.request({
    method: 'POST',
    url: '/api/v1/users/me/mfa/totp',
    headers: user.auth,
    payload: { current_password: user.password },
  });
  if (started.statusCode !== 200) throw new Error(`enrolment refused: ${started.body}`);
  const secret: string = started.json().secret;
  const confirmed = await t.request({
    method: 'POST',
    url: '/api/v1/users/me/mfa/totp/confirm',
    headers: user.auth,
    payload: { code: totpCodeAt(secret, clock.now().getTime()) },
  });
  if (confirmed.statusCode !== 200) throw new Error(`confirmation refused: ${confirmed.body}`);
  // Two steps on: the confirmation's step is behind even the one-step drift window, so no code of a test is a replay.
  clock.advance(60);
  return { ...user, secret, recoveryCodes: confirmed.json().recovery_codes as string[] };
}
