/**
 * `roster roles …`: the roles and who holds them, from a terminal. The operator is
 * not a user: the grant rules that bind admins do not apply, but the last active
 * superuser still keeps the role. Changes are audited without an actor.
 */
import { AuditLog, SYSTEM_ORIGIN } from '../audit/service.js';
import { RoleRuleError, RolesService } from '../roles/service.js';
import { systemClock } from '../utils/clock.js';
import { type CliContext, withContext } from './context.js';
import { OperationError } from './errors.js';
import { formatTable } from './table.js';
import { say, type Terminal } from './terminal.js';
import { findUser } from './users.js';

function rolesOf(ctx: CliContext): RolesService {
  return new RolesService(ctx.database.db, new AuditLog(ctx.database.db, systemClock));
}

/** The service's refusals are the operator's mistakes: one line, exit code 1. */
function asOperationError(error: unknown): never {
  if (error instanceof RoleRuleError) throw new OperationError(error.message);
  throw error;
}

export async function listRoles(terminal: Terminal, options: { json?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const roles = await rolesOf(ctx).list();
    if (options.json) {
      const json = roles.map((role) => ({
        name: role.name,
        description: role.description,
        permissions: role.permissions,
        built_in: role.builtIn,
        holders: role.holders,
      }));
      say(terminal, JSON.stringify(json, null, 2));
      return;
    }
    const lines = roles.map((role) => [role.name, role.builtIn ? 'yes' : 'no', String(role.holders), role.permissions.join(' ')]);
    say(terminal, formatTable(['ROLE', 'BUILT-IN', 'HOLDERS', 'PERMISSIONS'], lines));
  });
}

export async function changeRole(terminal: Terminal, action: 'grant' | 'revoke', ref: string, role: string): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const user = await findUser(ctx, ref);
    const roles = rolesOf(ctx);
    const changed = await (action === 'grant'
      ? roles.grant(null, user, role, SYSTEM_ORIGIN)
      : roles.revoke(null, user, role, SYSTEM_ORIGIN)
    ).catch(asOperationError);
    const said = {
      grant: changed ? 'now holds' : 'already holds',
      revoke: changed ? 'no longer holds' : 'does not hold',
    }[action];
    say(terminal, `${user.email} ${said} ${role}.`);
  });
}
