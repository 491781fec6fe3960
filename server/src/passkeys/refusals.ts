/** A refused passkey ceremony as its HTTP answer, for every route that runs one. */
import { HttpError, Messages } from '../errors.js';
import { type PasskeyRefusalReason, PasskeyRefused } from './service.js';

const REFUSALS: Record<PasskeyRefusalReason, [number, string]> = {
  challenge: [400, Messages.passkeyChallenge],
  unknown_credential: [400, Messages.passkeyUnknown],
  not_verified: [400, Messages.passkeyNotVerified],
  clone_suspected: [400, Messages.passkeyCloneSuspected],
  limit: [400, Messages.passkeyLimit],
  duplicate: [409, Messages.passkeyDuplicate],
};

/** A refused ceremony as its answer; anything else unchanged. */
export function asHttpRefusal(error: unknown): never {
  if (error instanceof PasskeyRefused) {
    const [status, detail] = REFUSALS[error.reason];
    throw new HttpError(status, detail);
  }
  throw error;
}
