/**
 * Sign-ins under way between the redirect to a provider and its callback.
 *
 * The state is random; the browser keeps it in an HttpOnly cookie and the
 * provider sends it back, and the callback is accepted only when the two agree
 * (a callback link planted in someone else's browser signs nobody in). The
 * database keeps only its SHA-256 with the flow's purpose, for ten minutes, and
 * the callback deletes the row it uses: a state works once, in any process. The
 * PKCE verifier and the nonce are derived from the state with SECRET_KEY, so
 * nothing stored could replay a sign-in.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { type OAuthFlowRow, oauthFlows } from '../db/schema.js';
import type { Clock } from '../utils/clock.js';
import type { FlowSecrets } from './providers.js';

export const FLOW_LIFETIME_SECONDS = 600;

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

export interface NewFlow {
  provider: string;
  /** A path on the web app, where the user lands afterwards. */
  redirectTo: string;
  /** Set when a signed-in user links the provider to their account. */
  linkUserId: string | null;
}

export class FlowStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly secretKey: string,
  ) {}

  /** Records a new flow and returns its state (for the cookie and the provider). */
  async start(flow: NewFlow): Promise<string> {
    const state = randomBytes(32).toString('base64url');
    await this.db.insert(oauthFlows).values({
      stateHash: hashState(state),
      provider: flow.provider,
      redirectTo: flow.redirectTo,
      linkUserId: flow.linkUserId,
      expiresAt: new Date(this.clock.now().getTime() + FLOW_LIFETIME_SECONDS * 1000),
    });
    return state;
  }

  /** The flow with this state, used up; `null` when unknown, already used, expired or for another provider. */
  async take(state: string, provider: string): Promise<OAuthFlowRow | null> {
    const [row] = await this.db
      .delete(oauthFlows)
      .where(eq(oauthFlows.stateHash, hashState(state)))
      .returning();
    if (!row || row.provider !== provider || row.expiresAt.getTime() <= this.clock.now().getTime()) return null;
    return row;
  }

  /** What the authorization request and its callback share, all from the state. */
  secrets(state: string, redirectUri: string): FlowSecrets {
    const derive = (purpose: string) => createHmac('sha256', this.secretKey).update(`${purpose}:${state}`).digest('base64url');
    return { redirectUri, state, nonce: derive('oauth-nonce'), codeVerifier: derive('oauth-pkce') };
  }

  /** Deletes flows that were never finished. */
  async purge(before: Date): Promise<void> {
    await this.db.delete(oauthFlows).where(lt(oauthFlows.expiresAt, before));
  }
}
