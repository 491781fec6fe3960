/**
 * Start-up's report of the accounts that share an address (see migration 0008):
 * one warning per address, so an operator sees them without being stopped by them.
 */
import type { Logger } from 'pino';
import type { UsersService } from './service.js';

export async function reportEmailDuplicates(users: UsersService, logger: Logger): Promise<number> {
  const groups = await users.emailDuplicates();
  for (const group of groups) {
    logger.warn(
      { normalizedEmail: group.normalized, users: group.accounts.map((user) => ({ id: user.id, email: user.email })) },
      `${group.accounts.length} accounts share the email address ${group.normalized}; only the first signs in with it ` +
        '(roster users duplicates lists them)',
    );
  }
  return groups.length;
}
