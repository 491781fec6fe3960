/**
 * `roster orgs …`: organizations from a terminal, through OrganizationsService so the
 * CLI keeps the API's rules (unique slugs, audit records with no actor).
 */
import { AuditLog, SYSTEM_ORIGIN } from '../audit/service.js';
import { ORG_ROLES, type OrgRole } from '../db/schema.js';
import { OrgRefusal } from '../orgs/errors.js';
import { OrganizationsService } from '../orgs/service.js';
import { systemClock } from '../utils/clock.js';
import { type CliContext, withContext } from './context.js';
import { OperationError, UsageError } from './errors.js';
import { formatTable } from './table.js';
import { note, say, type Terminal } from './terminal.js';
import { findUser } from './users.js';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

function organizations(ctx: CliContext): OrganizationsService {
  const db = ctx.database.db;
  return new OrganizationsService(db, new AuditLog(db, systemClock), systemClock, 'anyone');
}

async function findOrg(service: OrganizationsService, ref: string) {
  const org = await service.getBySlugOrId(ref.trim());
  if (!org) throw new OperationError(`no organization ${JSON.stringify(ref.trim())}`);
  return org;
}

export async function listOrgs(terminal: Terminal, options: { search?: string; limit: number; json?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const page = await organizations(ctx).search(
      { scope: 'all', q: options.search?.trim() || undefined, limit: options.limit },
      null,
    );
    const rows = page.rows.map(({ org }) => ({
      id: org.id,
      name: org.name,
      slug: org.slug,
      created_at: org.createdAt.toISOString(),
    }));
    if (options.json) say(terminal, JSON.stringify(rows, null, 2));
    else
      say(
        terminal,
        formatTable(
          ['SLUG', 'NAME', 'CREATED', 'ID'],
          rows.map((r) => [r.slug, r.name, r.created_at.slice(0, 19).replace('T', ' '), r.id]),
        ),
      );
    if (page.count > rows.length) note(terminal, `Showing ${rows.length} of ${page.count} organizations; --limit shows more.`);
  });
}

export async function createOrg(terminal: Terminal, options: { name: string; slug: string; owner: string }): Promise<void> {
  const name = options.name.trim();
  if (!name || [...name].length > 255) throw new UsageError('the name must be 1 to 255 characters');
  if (!SLUG.test(options.slug)) {
    throw new UsageError(
      `${JSON.stringify(options.slug)} is not a slug: lower-case letters, digits and inner hyphens, at most 64`,
    );
  }
  await withContext(terminal, async (ctx) => {
    const owner = await findUser(ctx, options.owner);
    const org = await organizations(ctx)
      .createWithOwner(owner.id, { name, slug: options.slug }, SYSTEM_ORIGIN)
      .catch(asOperationError);
    say(terminal, `Created ${org.name} (${org.slug}, id ${org.id}) with ${owner.email} as its owner.`);
  });
}

export async function addMember(terminal: Terminal, orgRef: string, userRef: string, options: { role: string }): Promise<void> {
  if (!ORG_ROLES.includes(options.role as OrgRole)) throw new UsageError(`--role must be one of ${ORG_ROLES.join(', ')}`);
  const role = options.role as OrgRole;
  await withContext(terminal, async (ctx) => {
    const service = organizations(ctx);
    const org = await findOrg(service, orgRef);
    const user = await findUser(ctx, userRef);
    const added = await ctx.database.db.transaction((tx) => service.addMember(tx, org.id, user.id, role, SYSTEM_ORIGIN, 'cli'));
    if (!added) {
      const current = await service.memberRole(ctx.database.db, org.id, user.id);
      throw new OperationError(
        `${user.email} is already a member of ${org.slug} (${current}); change roles in the web app or the API`,
      );
    }
    say(terminal, `Added ${user.email} to ${org.slug} as ${role}.`);
  });
}

function asOperationError(error: unknown): never {
  if (error instanceof OrgRefusal) throw new OperationError(error.detail.toLowerCase());
  throw error;
}
