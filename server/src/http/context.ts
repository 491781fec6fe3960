/**
 * What route modules receive: the services and settings, built once per app.
 * Routes never build SQL; services never see a request.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Guards } from '../auth/guards.js';
import type { TokenService } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Mailer } from '../email/mailer.js';
import type { ItemsService } from '../items/service.js';
import type { UsersService } from '../users/service.js';

export interface AppContext {
  config: Config;
  users: UsersService;
  items: ItemsService;
  tokens: TokenService;
  guards: Guards;
  mailer: Mailer;
}

export type RoutePlugin = FastifyPluginAsync<{ ctx: AppContext }>;
