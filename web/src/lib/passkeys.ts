// Passkeys in the browser: the WebAuthn calls (by @simplewebauthn/browser) around the API's
// ceremonies. The server's options go to the browser as they are; its answer goes back as it is.
import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
  WebAuthnAbortService,
  WebAuthnError,
} from '@simplewebauthn/browser';
import { api, unwrap } from '../api/client';
import { describeDevice } from './device';

export { browserSupportsWebAuthn as passkeysSupported };

/** A name for a new passkey: where it was made ("Chrome on Linux"), which the user may change. */
export function defaultPasskeyName(userAgent: string = navigator.userAgent): string {
  return describeDevice(userAgent).slice(0, 64);
}

/** Whether the user closed or declined the browser's passkey prompt (nothing to report). */
export function wasCancelled(error: unknown): boolean {
  const name = error instanceof WebAuthnError ? (error.cause as Error | undefined)?.name : (error as Error | undefined)?.name;
  return (
    name === 'NotAllowedError' ||
    name === 'AbortError' ||
    (error instanceof WebAuthnError && error.code === 'ERROR_CEREMONY_ABORTED')
  );
}

/** Words for a browser-side failure; API refusals keep their own message. */
export function passkeyProblem(error: unknown): Error {
  if (wasCancelled(error)) return new Error('The passkey prompt was closed before it finished. Try again.');
  if (error instanceof WebAuthnError && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return new Error('This device already has a passkey for your account.');
  }
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Adds a passkey: the password confirms it (with MFA on, also a code or, `stepUpWithPasskey`, one of
 * the user's passkeys), the browser makes it, the server stores it.
 */
export async function addPasskey(
  currentPassword: string,
  name = defaultPasskeyName(),
  secondFactor: { code?: string; stepUpWithPasskey?: boolean } = {},
) {
  const passkey = secondFactor.stepUpWithPasskey
    ? await secondFactorAssertion(unwrap(api.POST('/api/v1/users/me/passkeys/step-up-options')))
    : undefined;
  const options = await unwrap(
    api.POST('/api/v1/users/me/passkeys/registration-options', {
      body: { current_password: currentPassword, code: secondFactor.code || undefined, passkey },
    }),
  );
  let response: Awaited<ReturnType<typeof startRegistration>>;
  try {
    response = await startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON });
  } catch (error) {
    throw passkeyProblem(error);
  }
  return unwrap(api.POST('/api/v1/users/me/passkeys', { body: { name, response: response as never } }));
}

/**
 * A passkey's answer for a sign-in without an email: the browser's own prompt, or (`autofill`) the
 * passkeys it lists under the email field until one is picked. Resolves with what /login/passkey takes.
 */
export async function passkeyAssertion(autofill = false) {
  const { challenge_id, ...options } = await unwrap(api.POST('/api/v1/login/passkey/options'));
  const response = await startAuthentication({
    optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
    useBrowserAutofill: autofill,
  });
  return { challenge_id, response: response as never };
}

/** A passkey's answer to request options for the user's own passkeys (a second step, a step-up). */
export async function secondFactorAssertion(options: Promise<unknown>) {
  const optionsJSON = (await options) as PublicKeyCredentialRequestOptionsJSON;
  try {
    return (await startAuthentication({ optionsJSON })) as never;
  } catch (error) {
    throw passkeyProblem(error);
  }
}

/** Whether the browser can list passkeys in the email field's autofill (conditional mediation). */
export async function autofillSupported(): Promise<boolean> {
  return browserSupportsWebAuthn() && (await browserSupportsWebAuthnAutofill());
}

/** Ends a pending autofill request (leaving the page, or before an explicit prompt). */
export function cancelPasskeyRequest(): void {
  WebAuthnAbortService.cancelCeremony();
}
