/**
 * A sign-in (or a link) with a provider, from start to finish, without HTTP:
 * `start` records the flow and gives the provider's address; `finish` takes the
 * callback, checks the flow, asks the provider who signed in, applies the linking
 * rules (service.ts) and finally asks the login door (`LoginService.admit`) whether
 * that user may have a session now. Every outcome is a short code the web app
 * explains on its /login/callback page.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AuditSampler } from '../audit/sampler.js';
import type { AuditLog, RequestOrigin } from '../audit/service.js';
import type { Database } from '../db/client.js';
import type { LoginService, SessionGrant } from '../login/service.js';
import type { UsersService } from '../users/service.js';
import { sameText } from '../utils/same-text.js';
import type { FlowStore } from './flows.js';
import {
  createProvider,
  type ProviderProfile,
  ProviderRefusedError,
  ProviderUnavailableError,
  type SignInProvider,
} from './providers.js';
import type { IdentitiesService } from './service.js';
import type { OAuthSettings } from './settings.js';

/** What the web app's /login/callback page is told when a sign-in does not end in a session. */
export type FailureCode =
  | 'provider_refused'
  | 'provider_unavailable'
  | 'provider_error'
  | 'state_mismatch'
  | 'email_conflict'
  | 'signup_disabled'
  | 'no_email'
  | 'inactive'
  | 'unverified'
  | 'identity_taken'
  | 'already_linked';

export type Finish =
  | { kind: 'signed-in'; grant: SessionGrant; redirectTo: string }
  /**
   * The user has a second factor (or MFA_REQUIRED asks for one): no session yet. The web app's
   * MFA step takes it from here with `mfaToken` (POST /login/mfa, or /login/mfa/enroll for `setup`).
   */
  | { kind: 'second-factor'; mfaToken: string; methods: string[] | null; redirectTo: string }
  | { kind: 'linked'; provider: string; redirectTo: string }
  | { kind: 'failed'; code: FailureCode; redirectTo: string };

/** Where a user lands when the flow named nowhere (and after a failure that lost the flow). */
const DEFAULT_REDIRECT = '/';
const MAX_SUBJECT = 255;

export class ProviderSignIn {
  private readonly providers: Map<string, SignInProvider>;

  constructor(
    private readonly settings: OAuthSettings,
    private readonly deps: {
      db: Database;
      flows: FlowStore;
      identities: IdentitiesService;
      login: LoginService;
      users: UsersService;
      audit: AuditLog;
      auditSampler: AuditSampler;
      /** The public API prefix, for redirect URIs. */
      apiPrefix: string;
    },
  ) {
    this.providers = new Map(settings.providers.map((entry) => [entry.name, createProvider(entry)]));
  }

  /** For the login page's buttons, in the order of OAUTH_PROVIDERS. */
  list(): { name: string; display_name: string }[] {
    return [...this.providers.values()].map((provider) => ({ name: provider.name, display_name: provider.displayName }));
  }

  has(name: string): boolean {
    return this.providers.has(name);
  }

  /** The redirect URI to register with the provider. */
  redirectUri(name: string): string {
    return `${this.settings.publicUrl}${this.deps.apiPrefix}/login/oauth/${name}/callback`;
  }

  /**
   * Fetches every provider's metadata once, at start-up. A provider that cannot be
   * reached is reported and tried again at its next sign-in: it never stops Roster.
   */
  async prepareAll(log: FastifyBaseLogger): Promise<void> {
    await Promise.all(
      [...this.providers.values()].map(async (provider) => {
        log.info(`sign-in provider ${provider.name}: register the redirect URI ${this.redirectUri(provider.name)}`);
        try {
          await provider.prepare();
        } catch (error) {
          log.warn(
            `sign-in provider ${provider.name} is unreachable (${error instanceof Error ? error.message : String(error)}); ` +
              'it will be tried again at the next sign-in',
          );
        }
      }),
    );
  }

  /** Deletes the flows that expired before `before` without a callback. */
  purgeFlows(before: Date): Promise<void> {
    return this.deps.flows.purge(before);
  }

  /** Records the flow; returns its state (for the browser's cookie) and the provider's address. */
  async start(
    name: string,
    redirectTo: string,
    linkUserId: string | null,
  ): Promise<{ state: string; url: URL } | { failed: 'provider_unavailable' }> {
    const provider = this.providers.get(name) as SignInProvider;
    const state = await this.deps.flows.start({ provider: name, redirectTo, linkUserId });
    try {
      return { state, url: await provider.authorizationUrl(this.deps.flows.secrets(state, this.redirectUri(name))) };
    } catch (error) {
      if (error instanceof ProviderUnavailableError) return { failed: 'provider_unavailable' };
      throw error;
    }
  }

  /**
   * The callback. `cookieState` is what the browser kept; the query is what the
   * provider sent. The flow is used up only when the two agree.
   */
  async finish(
    name: string,
    query: URLSearchParams,
    cookieState: string | undefined,
    origin: RequestOrigin,
    log: FastifyBaseLogger,
    /** The browser's remembered-device cookie: a remembered browser skips the second step, as with a password. */
    rememberedDevice: string | null = null,
  ): Promise<Finish> {
    const provider = this.providers.get(name) as SignInProvider;
    const method = `oauth:${name}`;
    const state = query.get('state') ?? '';
    const flow = state && cookieState && sameText(state, cookieState) ? await this.deps.flows.take(state, name) : null;
    if (!flow) {
      await this.failed(origin, method, 'state_mismatch', null, true);
      return { kind: 'failed', code: 'state_mismatch', redirectTo: DEFAULT_REDIRECT };
    }
    const fail = async (code: FailureCode, targetId: string | null = flow.linkUserId): Promise<Finish> => {
      await this.failed(origin, method, code, targetId);
      return { kind: 'failed', code, redirectTo: flow.redirectTo };
    };

    let profile: ProviderProfile;
    try {
      profile = await provider.complete(query, this.deps.flows.secrets(state, this.redirectUri(name)));
    } catch (error) {
      if (error instanceof ProviderRefusedError) return fail('provider_refused');
      if (error instanceof ProviderUnavailableError) return fail('provider_unavailable');
      // A failed check (issuer, signature, nonce, PKCE…) or an unexpected answer: the reason goes to the log only.
      log.warn({ provider: name, reason: error instanceof Error ? error.message : String(error) }, 'provider sign-in failed');
      return fail('provider_error');
    }
    if (profile.subject === '' || profile.subject.length > MAX_SUBJECT) return fail('provider_error');

    if (flow.linkUserId) {
      const user = await this.deps.users.getById(flow.linkUserId);
      if (!user) return fail('state_mismatch');
      const linked = await this.deps.identities.link(user, name, profile, { ...origin, actorId: user.id });
      if (linked.kind === 'refused') return fail(linked.code, user.id);
      return { kind: 'linked', provider: name, redirectTo: flow.redirectTo };
    }

    const resolution = await this.deps.identities.resolve(name, profile, origin);
    if (resolution.kind === 'refused') return fail(resolution.code, resolution.targetId);
    const admission = await this.deps.login.admit(resolution.user, { method, amr: ['fed'] }, origin, { rememberedDevice });
    if (admission.outcome === 'second-factor-required' || admission.outcome === 'setup-required') {
      await this.deps.identities.touch(resolution.identityId, profile.email);
      const methods = admission.outcome === 'second-factor-required' ? admission.methods : null;
      return { kind: 'second-factor', mfaToken: admission.mfaToken, methods, redirectTo: flow.redirectTo };
    }
    if (admission.outcome === 'refused') {
      // The door recorded why; the page says it in words.
      const reason = admission.refusal.reason;
      const code: FailureCode = reason === 'inactive' ? 'inactive' : reason === 'unverified' ? 'unverified' : 'state_mismatch';
      return { kind: 'failed', code, redirectTo: flow.redirectTo };
    }
    await this.deps.identities.touch(resolution.identityId, profile.email);
    return { kind: 'signed-in', grant: admission.grant, redirectTo: flow.redirectTo };
  }

  /** `login.failed` with the reason; a bad state is something anyone can send in bulk, so it is sampled. */
  private async failed(origin: RequestOrigin, method: string, code: FailureCode, targetId: string | null, sampled = false) {
    if (sampled && !(await this.deps.auditSampler.allow('login.failed.oauth_state'))) return;
    await this.deps.audit.record(this.deps.db, origin, {
      type: 'login.failed',
      targetId,
      details: { reason: code, method },
    });
  }
}
