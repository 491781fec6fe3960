/** /items: the example resource owned by users. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { caller } from '../auth/guards.js';
import { isTimestampText } from '../db/keyset.js';
import type { ItemRow } from '../db/schema.js';
import { HttpError, Messages } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { Cursor, decodeCursor, encodeCursor, NextCursor } from '../http/cursor.js';
import { errorResponses, Message, NullableString, Paging, Uuid } from '../http/schemas.js';
import type { ItemIntent, ItemsService, Viewer } from './service.js';

const Title = Type.String({ minLength: 1, maxLength: 255 });
const Description = NullableString({ maxLength: 255 });

export const ItemPublic = Type.Object(
  {
    id: Uuid,
    title: Type.String(),
    description: NullableString(),
    owner_id: Uuid,
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'ItemPublic' },
);

const ItemInList = Type.Object({
  id: Uuid,
  title: Type.String(),
  description: NullableString(),
  owner_id: Uuid,
  created_at: Type.String({ format: 'date-time' }),
  owner_email: Type.Optional(Type.String({ description: "The owner's email; only in an `items:read_all` list." })),
});

const ItemsPublic = Type.Object(
  { data: Type.Array(ItemInList), count: Type.Integer(), next_cursor: NextCursor },
  { $id: 'ItemsPublic' },
);
/** Items have one order; the cursor names it so that a users cursor is refused here. */
const ITEMS_ORDER_NAME = 'items:-created_at';
const IdParams = Type.Object({ id: Uuid });

function toItemPublic(item: ItemRow) {
  return {
    id: item.id,
    title: item.title,
    description: item.description,
    owner_id: item.ownerId,
    created_at: item.createdAt.toISOString(),
  };
}

/** The item if the viewer may touch it; 404 before 403, as the contract orders them. */
async function accessibleItem(items: ItemsService, viewer: Viewer, id: string, intent: ItemIntent): Promise<ItemRow> {
  const access = await items.access(viewer, id, intent);
  if (access.outcome === 'not-found') throw new HttpError(404, Messages.itemNotFound);
  if (access.outcome === 'forbidden') throw new HttpError(403, Messages.notEnoughPermissions);
  return access.item;
}

export const itemsRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { items, guards } = ctx;
  const itemResponse = { 200: Type.Ref(ItemPublic), ...errorResponses(401, 403, 404, 422) };
  app.addHook('onRequest', guards.requireUser);

  app.get(
    '/items/',
    {
      schema: {
        tags: ['items'],
        summary: 'List items',
        description:
          "Holders of `items:read_all` (superusers) see every item, each with its owner's `owner_email`; others see " +
          "their own; changing or deleting another user's item needs `items:write_all`. " +
          "Newest first; pass the previous page's `next_cursor` as `cursor` for the next page.",
        querystring: Type.Object({ ...Paging, cursor: Type.Optional(Cursor) }),
        response: { 200: ItemsPublic, ...errorResponses(401, 403, 422) },
      },
    },
    async (request) => {
      const { skip, limit, cursor } = request.query;
      const after = cursor ? decodeCursor(cursor, ITEMS_ORDER_NAME, { validKey: isTimestampText }) : undefined;
      const page = await items.list(caller(request), skip, limit, after);
      return {
        data: page.rows.map((row) => ({
          ...toItemPublic(row),
          ...(row.ownerEmail !== null ? { owner_email: row.ownerEmail } : {}),
        })),
        count: page.count,
        next_cursor: page.next ? encodeCursor(ITEMS_ORDER_NAME, page.next) : null,
      };
    },
  );

  app.post(
    '/items/',
    {
      schema: {
        tags: ['items'],
        summary: 'Create an item',
        body: Type.Object({ title: Title, description: Type.Optional(Description) }),
        response: itemResponse,
      },
    },
    async (request) => {
      const item = await items.create(caller(request).id, request.body.title, request.body.description ?? null);
      return toItemPublic(item);
    },
  );

  app.get(
    '/items/:id',
    { schema: { tags: ['items'], summary: 'An item', params: IdParams, response: itemResponse } },
    async (request) => toItemPublic(await accessibleItem(items, caller(request), request.params.id, 'read')),
  );

  app.put(
    '/items/:id',
    {
      schema: {
        tags: ['items'],
        summary: 'Update an item (partial)',
        params: IdParams,
        body: Type.Object({ title: Type.Optional(Title), description: Type.Optional(Description) }),
        response: itemResponse,
      },
    },
    async (request) => {
      const item = await accessibleItem(items, caller(request), request.params.id, 'write');
      const updated = await items.update(item.id, { title: request.body.title, description: request.body.description });
      if (!updated) throw new HttpError(404, Messages.itemNotFound);
      return toItemPublic(updated);
    },
  );

  app.delete(
    '/items/:id',
    {
      schema: {
        tags: ['items'],
        summary: 'Delete an item',
        params: IdParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const item = await accessibleItem(items, caller(request), request.params.id, 'write');
      await items.delete(item.id);
      return { message: Messages.itemDeleted };
    },
  );
};
