/**
 * `roster webhooks …`: list, add, remove and rotate webhook endpoints from a
 * terminal, through the same service as the API. The running service's workers
 * deliver; the CLI never sends a request.
 */

import { SYSTEM_ORIGIN } from '../audit/service.js';
import { systemClock } from '../utils/clock.js';
import { type ChangedBy, TargetRefusedError } from '../webhooks/endpoints.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhooks/event-types.js';
import { toEndpointPublic } from '../webhooks/public.js';
import { isClearSecret } from '../webhooks/sealed-secrets.js';
import { type CliContext, withContext } from './context.js';
import { OperationError, UsageError } from './errors.js';
import { formatTable } from './table.js';
import { confirm, note, say, type Terminal } from './terminal.js';

/** The CLI's changes are audited with no actor, `via: "cli"`, as its user changes are. */
const BY_CLI: ChangedBy = { origin: SYSTEM_ORIGIN, via: 'cli' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findEndpoint(ctx: CliContext, id: string) {
  const endpoint = UUID.test(id.trim()) ? await ctx.webhooks.get(id.trim().toLowerCase()) : null;
  if (!endpoint) throw new OperationError(`no webhook endpoint ${JSON.stringify(id)}`);
  return endpoint;
}

/**
 * `add` and `rotate` seal a new secret with a key from SECRET_KEY: it must be the service's, or
 * the service could never sign with it. Refused when it is unset (outside local), or when it
 * opens none of the secrets already stored.
 */
async function checkSealingKey(ctx: CliContext): Promise<void> {
  if (!ctx.config.secretKey) {
    throw new UsageError(
      "SECRET_KEY is not set: the signing secret is sealed with a key from it; run with the service's SECRET_KEY.",
    );
  }
  const { rows } = await ctx.webhooks.list(0, 1000);
  const sealed = rows.filter((row) => !isClearSecret(row.secret));
  if (sealed.length > 0 && !sealed.some((row) => ctx.webhookSecrets.opens(row.secret, row.id))) {
    throw new UsageError(
      "this SECRET_KEY opens none of the stored signing secrets: run with the service's SECRET_KEY " +
        "(if the service's key changed, rotate the secrets with the API or the web app).",
    );
  }
}

export async function listWebhooks(terminal: Terminal, options: { json?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const { rows } = await ctx.webhooks.list(0, 1000);
    if (options.json) {
      const now = systemClock.now();
      const shown = rows.map((row) => toEndpointPublic(row, now));
      say(terminal, JSON.stringify(shown, null, 2));
      return;
    }
    if (rows.length === 0) {
      note(terminal, 'No webhook endpoints; add one with: roster webhooks add <url>');
      return;
    }
    const lines = rows.map((row) => [
      row.id,
      row.url,
      row.enabled ? 'yes' : `no${row.disabledReason ? ` (${row.disabledReason})` : ''}`,
      row.eventTypes?.join(',') ?? 'all',
      row.description ?? '',
    ]);
    say(terminal, formatTable(['ID', 'URL', 'ENABLED', 'EVENTS', 'DESCRIPTION'], lines));
  });
}

export interface AddOptions {
  events?: string;
  description?: string;
}

/** `--events user.created,user.deleted`; none means every type. */
function eventTypes(text: string | undefined): WebhookEventType[] | null {
  if (text === undefined) return null;
  const types = [
    ...new Set(
      text
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean),
    ),
  ];
  const unknown = types.filter((type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0 || types.length === 0) {
    throw new UsageError(`unknown event type ${unknown.join(', ') || '(none)'}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  }
  return types as WebhookEventType[];
}

export async function addWebhook(terminal: Terminal, url: string, options: AddOptions): Promise<void> {
  const types = eventTypes(options.events);
  if (options.description !== undefined && options.description.length > 500) {
    throw new UsageError('the description is longer than 500 characters');
  }
  await withContext(terminal, async (ctx) => {
    await checkSealingKey(ctx);
    const { endpoint, secret } = await ctx.webhooks
      .create({ url: url.trim(), description: options.description ?? null, eventTypes: types }, BY_CLI)
      .catch((error: unknown) => {
        if (error instanceof TargetRefusedError) throw new UsageError(error.message);
        throw error;
      });
    say(terminal, `Added ${endpoint.url} (id ${endpoint.id}).`);
    say(terminal, `Signing secret (shown only now): ${secret}`);
  });
}

export async function removeWebhook(terminal: Terminal, id: string, options: { yes?: boolean }): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const endpoint = await findEndpoint(ctx, id);
    if (!options.yes && !(await confirm(terminal, `Remove ${endpoint.url} and its deliveries?`))) {
      throw new OperationError('not removed');
    }
    await ctx.webhooks.delete(endpoint.id, BY_CLI);
    say(terminal, `Removed ${endpoint.url}.`);
  });
}

export async function rotateWebhookSecret(terminal: Terminal, id: string): Promise<void> {
  await withContext(terminal, async (ctx) => {
    const endpoint = await findEndpoint(ctx, id);
    await checkSealingKey(ctx);
    const rotated = await ctx.webhooks.rotateSecret(endpoint.id, BY_CLI);
    if (!rotated) throw new OperationError(`no webhook endpoint ${JSON.stringify(id)}`);
    say(terminal, `New signing secret for ${endpoint.url} (shown only now): ${rotated.secret}`);
    say(
      terminal,
      rotated.previousExpiresAt
        ? `The old secret also signs until ${rotated.previousExpiresAt.toISOString()}.`
        : 'The old secret could not be decrypted with this SECRET_KEY: it no longer signs.',
    );
  });
}
