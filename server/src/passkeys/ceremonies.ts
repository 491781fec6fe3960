/**
 * The WebAuthn ceremonies, done by @simplewebauthn/server for Roster's relying
 * party: what the browser is asked for (options) and whether its answer holds
 * (origin, RP ID, challenge, signature, user presence and verification). Roster's
 * own rules (which challenge, whose credential, the counter) live in service.ts.
 */
import type {
  AuthenticationResponseJSON,
  CredentialDeviceType,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { WebAuthnSettings } from '../config.js';
import type { PasskeyRow } from '../db/schema.js';
import { CHALLENGE_SECONDS } from './challenges.js';

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

/**
 * The library, loaded by the first ceremony: with its ASN.1 and COSE stack it took a quarter
 * of a second to import, a tenth of every start, for requests most processes seldom see.
 */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => {
  library ??= import('@simplewebauthn/server');
  return library;
};

/** A credential as the registration proved it, ready to store. */
export interface NewCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: CredentialDeviceType;
  backedUp: boolean;
  aaguid: string;
}

/** What a verified assertion tells about the authenticator now. */
export interface Assertion {
  counter: number;
  backedUp: boolean;
  deviceType: CredentialDeviceType;
}

/** A ceremony the library refused: its message names the check that failed (never a secret). */
export class CeremonyError extends Error {}

/** The WebAuthn user handle: the account's id. It is no secret and says nothing about the person. */
export const userHandleOf = (userId: string) => Buffer.from(userId, 'utf8').toString('base64url');

/** The challenge a response answers, as the browser signed it in clientDataJSON; `null` if unreadable. */
export function challengeOf(response: { response?: { clientDataJSON?: unknown } }): string | null {
  const encoded = response.response?.clientDataJSON;
  if (typeof encoded !== 'string') return null;
  try {
    const clientData: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    const challenge = (clientData as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 256 ? challenge : null;
  } catch {
    return null;
  }
}

export class RelyingParty {
  constructor(private readonly settings: WebAuthnSettings) {}

  /**
   * Creation options: a discoverable credential (so it can sign in without an email),
   * user verification preferred, no attestation, the user's own credentials excluded
   * (the browser then refuses to register the same authenticator twice).
   */
  async creationOptions(
    user: { id: string; email: string; fullName: string | null },
    existing: Pick<PasskeyRow, 'credentialId' | 'transports'>[],
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const { generateRegistrationOptions } = await webauthn();
    return generateRegistrationOptions({
      rpName: this.settings.rpName,
      rpID: this.settings.rpId,
      userName: user.email,
      userID: Buffer.from(user.id, 'utf8'),
      userDisplayName: user.fullName?.trim() || user.email,
      timeout: CHALLENGE_SECONDS * 1000,
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({ id: row.credentialId, transports: row.transports })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    });
  }

  /** Request options; an empty `allow` lets the browser offer any of its passkeys for this site. */
  async requestOptions(allow: Pick<PasskeyRow, 'credentialId' | 'transports'>[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const { generateAuthenticationOptions } = await webauthn();
    return generateAuthenticationOptions({
      rpID: this.settings.rpId,
      allowCredentials: allow.map((row) => ({ id: row.credentialId, transports: row.transports })),
      userVerification: 'required',
      timeout: CHALLENGE_SECONDS * 1000,
    });
  }

  async verifyRegistration(response: RegistrationResponseJSON, challenge: string): Promise<NewCredential> {
    const { verifyRegistrationResponse } = await webauthn();
    const result = await refusedAsCeremonyError(() =>
      verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.settings.origins,
        expectedRPID: this.settings.rpId,
        requireUserVerification: false,
      }),
    );
    if (!result.verified) throw new CeremonyError('registration not verified');
    const info = result.registrationInfo;
    return {
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: (response.response.transports ?? []).slice(0, 8),
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      aaguid: info.aaguid,
    };
  }

  /**
   * Checks an assertion by `passkey`, user verification required. The counter is
   * not judged here: the caller compares it once the signature is known to be genuine,
   * so a clone is told apart from a forgery.
   */
  async verifyAssertion(response: AuthenticationResponseJSON, challenge: string, passkey: PasskeyRow): Promise<Assertion> {
    const { verifyAuthenticationResponse } = await webauthn();
    const result = await refusedAsCeremonyError(() =>
      verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.settings.origins,
        expectedRPID: this.settings.rpId,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: 0,
          transports: passkey.transports,
        },
        requireUserVerification: true,
      }),
    );
    if (!result.verified) throw new CeremonyError('signature not verified');
    const info = result.authenticationInfo;
    return { counter: info.newCounter, backedUp: info.credentialBackedUp, deviceType: info.credentialDeviceType };
  }
}

async function refusedAsCeremonyError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new CeremonyError(error instanceof Error ? error.message.slice(0, 200) : 'verification failed');
  }
}
