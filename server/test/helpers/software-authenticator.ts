/**
 * A passkey authenticator in software, for the API tests: ES256 key pairs from
 * node:crypto, `none` attestation, authenticator data and signatures built byte by
 * byte as the WebAuthn spec lays them out. It answers the options Roster hands out
 * the way a browser with a platform authenticator would, and lets a test bend one
 * thing at a time (origin, RP ID, counter, user verification) to see it refused.
 */
import { createHash, createSign, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** Just enough CBOR (RFC 8949) for an attestation object and a COSE key: maps, integers, byte and text strings. */
function cbor(value: unknown): Buffer {
  const head = (major: number, length: number): Buffer => {
    if (length < 24) return Buffer.from([(major << 5) | length]);
    if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
    if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
    throw new Error('too long for this encoder');
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [key, item] of value) parts.push(cbor(key), cbor(item));
    return Buffer.concat(parts);
  }
  throw new Error(`cannot encode ${typeof value}`);
}

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
const FLAG_ATTESTED_DATA = 0x40;

export interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  userHandle: string;
  counter: number;
}

/** What a test may change about one ceremony. */
export interface Bend {
  origin?: string;
  rpId?: string;
  /** The counter to sign with (default: one more than the last). */
  counter?: number;
  userVerified?: boolean;
  /** Sign with this credential (default: the one the options allow, else the newest). */
  credentialId?: string;
  /** Answer this challenge instead of the options'. */
  challenge?: string;
}

interface CreationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}
interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
}

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  constructor(
    private readonly origin: string,
    /** Synced passkeys (backup eligible and backed up), as a phone's or a password manager's. */
    private readonly synced = false,
  ) {}

  /** A new credential for `options`, answered as PublicKeyCredential.toJSON() of navigator.credentials.create(). */
  register(options: CreationOptions, bend: Bend = {}) {
    // `bend.credentialId` registers an existing credential again (as if copied to another account).
    const reused = this.credentials.find((entry) => entry.id === bend.credentialId);
    const { privateKey, publicKey } = reused ?? generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = reused ? Buffer.from(reused.id, 'base64url') : randomBytes(16);
    const credential: StoredCredential = { id: b64url(id), privateKey, publicKey, userHandle: options.user.id, counter: 0 };
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key: kty EC2 (2), alg ES256 (-7), crv P-256 (1), x, y.
    const coseKey = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    );
    const credentialLength = Buffer.from([id.length >> 8, id.length & 0xff]);
    const attested = Buffer.concat([Buffer.alloc(16) /* AAGUID: none */, credentialLength, id, coseKey]);
    const authData = this.authenticatorData(bend.rpId ?? (options.rp.id as string), FLAG_ATTESTED_DATA, bend, 0);
    const attestationObject = cbor(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', Buffer.concat([authData, attested])],
      ]),
    );
    if (!reused) this.credentials.push(credential);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: this.clientData('webauthn.create', bend.challenge ?? options.challenge, bend),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** An assertion for `options`, answered as PublicKeyCredential.toJSON() of navigator.credentials.get(). */
  authenticate(options: RequestOptions, bend: Bend = {}) {
    const allowed = new Set((options.allowCredentials ?? []).map((entry) => entry.id));
    const credential = bend.credentialId
      ? this.credentials.find((entry) => entry.id === bend.credentialId)
      : (this.credentials.findLast((entry) => allowed.size === 0 || allowed.has(entry.id)) ?? undefined);
    if (!credential) throw new Error('no credential for these options');
    const counter = bend.counter ?? credential.counter + 1;
    credential.counter = Math.max(credential.counter, counter);
    const authData = this.authenticatorData(bend.rpId ?? (options.rpId as string), 0, bend, counter);
    const clientDataJSON = this.clientData('webauthn.get', bend.challenge ?? options.challenge, bend);
    const signature = createSign('sha256')
      .update(Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]))
      .sign(credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key' as const,
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }

  private clientData(type: string, challenge: string, bend: Bend): string {
    return b64url(JSON.stringify({ type, challenge, origin: bend.origin ?? this.origin, crossOrigin: false }));
  }

  private authenticatorData(rpId: string, extraFlags: number, bend: Bend, counter: number): Buffer {
    let flags = FLAG_USER_PRESENT | extraFlags;
    if (bend.userVerified ?? true) flags |= FLAG_USER_VERIFIED;
    if (this.synced) flags |= FLAG_BACKUP_ELIGIBLE | FLAG_BACKED_UP;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count]);
  }
}
