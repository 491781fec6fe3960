/** GET /audit-events: the security log, for holders of audit:read. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { errorResponses, Uuid } from '../http/schemas.js';
import { queryTimestamp } from '../http/timestamps.js';
import { AUDIT_EVENT_TYPES, decodeAuditCursor, encodeAuditCursor } from './service.js';

const AuditEventPublic = Type.Object(
  {
    id: Uuid,
    at: Type.String({ format: 'date-time' }),
    type: Type.String(),
    actor_id: Type.Union([Uuid, Type.Null()]),
    target_id: Type.Union([Uuid, Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEventPublic' },
);

export const auditRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(AuditEventPublic);

  app.get(
    '/audit-events',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Security events, newest first',
        description:
          '`user_id` matches the actor or the target; `type` one event type; `since`/`until` bound the time. ' +
          'Pass `next_cursor` back as `cursor` for the next page.',
        querystring: Type.Object({
          user_id: Type.Optional(Uuid),
          type: Type.Optional(Type.Union(AUDIT_EVENT_TYPES.map((t) => Type.Literal(t)))),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          until: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(Type.Ref(AuditEventPublic)),
            next_cursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(401, 403, 422),
        },
      },
    },
    async (request) => {
      const query = request.query;
      const cursor = query.cursor ? decodeAuditCursor(query.cursor) : undefined;
      if (cursor === null) throw new ValidationError([{ loc: ['query', 'cursor'], msg: 'Invalid cursor', type: 'value_error' }]);
      const rows = await ctx.audit.list({
        userId: query.user_id?.toLowerCase(),
        type: query.type,
        since: query.since ? queryTimestamp(query.since, 'since') : undefined,
        until: query.until ? queryTimestamp(query.until, 'until') : undefined,
        limit: query.limit,
        cursor,
      });
      const last = rows.at(-1);
      return {
        data: rows.map((row) => ({
          id: row.id,
          at: row.at.toISOString(),
          type: row.type,
          actor_id: row.actorId,
          target_id: row.targetId,
          ip: row.ip,
          user_agent: row.userAgent,
          details: row.details,
        })),
        next_cursor: last && rows.length === query.limit ? encodeAuditCursor(last) : null,
      };
    },
  );
};
