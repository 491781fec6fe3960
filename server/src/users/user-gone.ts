/**
 * The user a write refers to was deleted meanwhile, by another request or
 * process, between the request's checks and its write: the foreign key refused
 * the write. The API answers it as the guard answers a token whose user is gone
 * (404 User not found) unless a route says otherwise; never as a 500.
 */
import { FOREIGN_KEY_VIOLATION, sqlState } from '../db/client.js';

export class UserGoneError extends Error {
  constructor() {
    super('the user was deleted meanwhile');
    this.name = 'UserGoneError';
  }
}

/** Did a foreign key refuse the write (its user, or a row of the user's, is gone)? */
export function isUserGone(error: unknown): boolean {
  return error instanceof UserGoneError || sqlState(error) === FOREIGN_KEY_VIOLATION;
}

/** A foreign-key refusal as UserGoneError; any other error as it is. For `catch (e) { throw userGone(e) }`. */
export function userGone(error: unknown): unknown {
  return isUserGone(error) ? new UserGoneError() : error;
}
