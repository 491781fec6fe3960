/** /webhooks: endpoints, their secrets and deliveries, for superusers. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HttpError } from '../errors.js';
import type { RoutePlugin } from '../http/context.js';
import { requestOrigin } from '../http/origin.js';
import { errorResponses, Message, Paging, Uuid } from '../http/schemas.js';
import { TargetRefusedError } from './endpoints.js';
import { WEBHOOK_EVENT_TYPES } from './event-types.js';
import { toDeliveryPublic, toEndpointPublic } from './public.js';

const MAX_URL_LENGTH = 2048;
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const EventType = Type.Union(WEBHOOK_EVENT_TYPES.map((type) => Type.Literal(type)));
/** A list of types, or `null` for every type (including those added later). */
const EventTypes = Type.Union([Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length }), Type.Null()]);
const Url = Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, transform: ['trim'] });
const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);

const WebhookEndpointPublic = Type.Object(
  {
    id: Uuid,
    url: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    event_types: Type.Union([Type.Array(Type.String()), Type.Null()]),
    enabled: Type.Boolean(),
    /** Why Roster disabled it: `gone` (410) or `failing` (5 days of failures); `null` otherwise. */
    disabled_reason: Type.Union([Type.Literal('gone'), Type.Literal('failing'), Type.Null()]),
    failing_since: NullableDateTime,
    /** While set, the previous secret still signs beside the current one. */
    previous_secret_expires_at: NullableDateTime,
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: 'WebhookEndpointPublic' },
);

const WebhookEndpointWithSecret = Type.Object(
  { ...WebhookEndpointPublic.properties, secret: Type.String({ description: 'Shown once: store it now.' }) },
  { $id: 'WebhookEndpointWithSecret' },
);

const WebhookDeliveryPublic = Type.Object(
  {
    id: Uuid,
    /** The webhook-id header, the same for every attempt. */
    message_id: Type.String(),
    event_type: Type.String(),
    status: Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    attempts: Type.Integer(),
    last_status_code: Type.Union([Type.Integer(), Type.Null()]),
    last_error: Type.Union([Type.String(), Type.Null()]),
    last_attempt_at: NullableDateTime,
    /** `null` unless pending. */
    next_attempt_at: NullableDateTime,
    delivered_at: NullableDateTime,
    created_at: DateTime,
  },
  { $id: 'WebhookDeliveryPublic' },
);

const EndpointParams = Type.Object({ webhook_id: Uuid });
const DeliveryParams = Type.Object({ webhook_id: Uuid, delivery_id: Uuid });

const NOT_FOUND = 'Webhook endpoint not found';

function refusedTarget(error: unknown): never {
  if (error instanceof TargetRefusedError) throw new HttpError(400, error.message);
  throw error;
}

export const webhooksRoutes: RoutePlugin = async (plain, { ctx }) => {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { webhooks, clock } = ctx;
  for (const schema of [WebhookEndpointPublic, WebhookEndpointWithSecret, WebhookDeliveryPublic]) app.addSchema(schema);
  const endpointResponse = { 200: Type.Ref(WebhookEndpointPublic), ...errorResponses(401, 403, 404, 422) };
  const secretResponse = { 200: Type.Ref(WebhookEndpointWithSecret), ...errorResponses(400, 401, 403, 404, 422) };
  const found = <T>(value: T | null): T => {
    if (!value) throw new HttpError(404, NOT_FOUND);
    return value;
  };
  const tags = ['webhooks'];

  app.post(
    '/webhooks',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Register a webhook endpoint',
        description:
          'Events are POSTed to `url`, signed to the Standard Webhooks spec with the returned `secret` (shown only now). ' +
          '`event_types`: a list, or `null` (the default) for every type. Outside development the URL must be https ' +
          'and resolve to public addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS).',
        body: Type.Object({
          url: Url,
          description: Type.Optional(Description),
          event_types: Type.Optional(EventTypes),
          enabled: Type.Boolean({ default: true }),
        }),
        response: secretResponse,
      },
    },
    async (request) => {
      const body = request.body;
      const { endpoint, secret } = await webhooks
        .create(
          { url: body.url, description: body.description, eventTypes: body.event_types, enabled: body.enabled },
          { origin: requestOrigin(request) },
        )
        .catch(refusedTarget);
      return { ...toEndpointPublic(endpoint, clock.now()), secret };
    },
  );

  app.get(
    '/webhooks',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Webhook endpoints, newest first',
        querystring: Type.Object(Paging),
        response: {
          200: Type.Object({ data: Type.Array(Type.Ref(WebhookEndpointPublic)), count: Type.Integer() }),
          ...errorResponses(401, 403, 422),
        },
      },
    },
    async (request) => {
      const page = await webhooks.list(request.query.skip, request.query.limit);
      const now = clock.now();
      return { data: page.rows.map((row) => toEndpointPublic(row, now)), count: page.count };
    },
  );

  app.get(
    '/webhooks/:webhook_id',
    {
      config: { permission: 'webhooks:manage' },
      schema: { tags, summary: 'A webhook endpoint', params: EndpointParams, response: endpointResponse },
    },
    async (request) => toEndpointPublic(found(await webhooks.get(request.params.webhook_id.toLowerCase())), clock.now()),
  );

  app.patch(
    '/webhooks/:webhook_id',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Change a webhook endpoint',
        description: 'Enabling an endpoint that Roster disabled clears the reason; its undelivered events are then sent.',
        params: EndpointParams,
        body: Type.Object({
          url: Type.Optional(Url),
          description: Type.Optional(Description),
          event_types: Type.Optional(EventTypes),
          enabled: Type.Optional(Type.Boolean()),
        }),
        response: { ...endpointResponse, ...errorResponses(400) },
      },
    },
    async (request) => {
      const body = request.body;
      const updated = await webhooks
        .update(
          request.params.webhook_id.toLowerCase(),
          { url: body.url, description: body.description, eventTypes: body.event_types, enabled: body.enabled },
          { origin: requestOrigin(request) },
        )
        .catch(refusedTarget);
      return toEndpointPublic(found(updated), clock.now());
    },
  );

  app.delete(
    '/webhooks/:webhook_id',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Delete a webhook endpoint and its deliveries',
        params: EndpointParams,
        response: { 200: Type.Ref(Message), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      found(await webhooks.delete(request.params.webhook_id.toLowerCase(), { origin: requestOrigin(request) }));
      return { message: 'Webhook endpoint deleted' };
    },
  );

  app.post(
    '/webhooks/:webhook_id/rotate-secret',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Issue a new signing secret',
        description:
          'Returns the new secret (shown only now). For 24 hours every request carries two signatures, one with each ' +
          'secret, so receivers can switch without missing a message. An old secret that the current `SECRET_KEY` cannot ' +
          'decrypt (sealed under an earlier key) is dropped instead: from then on only the new secret signs.',
        params: EndpointParams,
        response: secretResponse,
      },
    },
    async (request) => {
      const id = request.params.webhook_id.toLowerCase();
      const rotated = found(await webhooks.rotateSecret(id, { origin: requestOrigin(request) }));
      return { ...toEndpointPublic(found(await webhooks.get(id)), clock.now()), secret: rotated.secret };
    },
  );

  app.post(
    '/webhooks/:webhook_id/test',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Send a ping event to the endpoint',
        description: 'Queued like any event and delivered in the background; follow it in the deliveries.',
        params: EndpointParams,
        response: { 200: Type.Ref(WebhookDeliveryPublic), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => toDeliveryPublic(found(await webhooks.ping(request.params.webhook_id.toLowerCase()))),
  );

  app.get(
    '/webhooks/:webhook_id/deliveries',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: "An endpoint's deliveries, newest first ",
        params: EndpointParams,
        querystring: Type.Object({
          ...Paging,
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')])),
        }),
        response: {
          200: Type.Object({ data: Type.Array(Type.Ref(WebhookDeliveryPublic)), count: Type.Integer() }),
          ...errorResponses(401, 403, 404, 422),
        },
      },
    },
    async (request) => {
      const id = request.params.webhook_id.toLowerCase();
      found(await webhooks.get(id));
      const page = await webhooks.deliveries(id, request.query);
      return { data: page.rows.map(toDeliveryPublic), count: page.count };
    },
  );

  app.post(
    '/webhooks/:webhook_id/deliveries/:delivery_id/retry',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags,
        summary: 'Send a delivery again now',
        description: 'Same webhook-id and body. A failed or delivered one gets one more attempt; a pending one goes now.',
        params: DeliveryParams,
        response: { 200: Type.Ref(WebhookDeliveryPublic), ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { webhook_id, delivery_id } = request.params;
      const row = await webhooks.retry(webhook_id.toLowerCase(), delivery_id.toLowerCase());
      if (!row) throw new HttpError(404, 'Delivery not found');
      return toDeliveryPublic(row);
    },
  );
};
