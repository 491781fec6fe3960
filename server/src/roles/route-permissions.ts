/**
 * Route permissions, declared once in each admin route's config:
 *
 *   app.get('/users/', { config: { permission: 'users:read' }, schema: … }, handler)
 *
 * `installRoutePermissions` turns the declaration into the route's guard (the first
 * onRequest hook, so authorization is decided before the body is read) and into
 * `x-permission` in the OpenAPI document, and records every route with what it
 * requires, so a test can find an admin route that declares nothing.
 */
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { Guards } from '../auth/guards.js';
import type { Requirement } from './catalogue.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission (or `superuser`) the route requires; see roles/catalogue.ts. */
    permission?: Requirement;
    /** A path parameter: a caller whose own id it is passes without the permission. */
    permissionOrSelf?: string;
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  /** `null`: the route declares no permission (public, or open to every signed-in user). */
  permission: Requirement | null;
}

export function installRoutePermissions(app: FastifyInstance, guards: Guards): RouteAccess[] {
  const routes: RouteAccess[] = [];
  const installed = new WeakSet<object>();
  app.addHook('onRoute', (route) => {
    const permission = route.config?.permission ?? null;
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, permission });
    if (!permission) return;
    const hooks = [route.onRequest ?? []].flat() as onRequestHookHandler[];
    // A HEAD route is made from its GET route's options, guard included.
    if (hooks.some((hook) => installed.has(hook))) return;
    const guard = guards.requirePermission(permission, route.config?.permissionOrSelf) as onRequestHookHandler;
    installed.add(guard);
    route.onRequest = [guard, ...hooks];
    route.schema = { ...route.schema, 'x-permission': permission } as typeof route.schema;
  });
  return routes;
}
