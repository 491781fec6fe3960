/** The roles' refusals as HTTP answers, for the routes (services never see HTTP). */
import type { UserRow } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { type Access, mayManage } from './access.js';
import { LastSuperuserError } from './last-superuser.js';
import { RoleMessages, RoleRuleError, type RoleRuleReason, type RolesService } from './service.js';

const STATUS: Record<RoleRuleReason, number> = {
  'user-not-found': 404,
  'role-not-found': 404,
  'unknown-role': 400,
  'name-taken': 409,
  'built-in': 409,
  'target-outranks': 403,
  'permission-not-held': 403,
  'last-superuser': 409,
};

/** For `.catch(…)`: a refusal of the role rules as its HttpError; anything else unchanged. */
export function asRoleRefusal(error: unknown): never {
  if (error instanceof RoleRuleError) throw new HttpError(STATUS[error.reason], error.message);
  if (error instanceof LastSuperuserError) throw new HttpError(409, RoleMessages.lastSuperuser);
  throw error;
}

/** 403 unless `actor` may act on `target`'s account (see mayManage). */
export async function requireManageable(roles: RolesService, actor: Access, target: UserRow): Promise<void> {
  if (!mayManage(actor, await roles.accessOf(target))) throw new HttpError(403, RoleMessages.targetOutranks);
}
