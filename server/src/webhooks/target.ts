/**
 * Sends one webhook request, and decides where it may go. Outside development a
 * target must be https and every address its name resolves to must be public:
 * the check runs at delivery time, inside the connection's own DNS lookup, so
 * the address connected to is the address checked (a name cannot resolve to a
 * public address for the check and a private one for the connection). Redirects
 * are never followed.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface TargetRules {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: http, loopback and private addresses allowed (development, tests). */
  allowPrivate: boolean;
}

/** Why a URL may not be a webhook target, or `null` when it may (as far as can be told before resolving it). */
export function targetProblem(text: string, rules: TargetRules): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'The URL is not valid';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The URL must be http or https';
  if (url.username || url.password) return 'The URL must not hold credentials';
  if (rules.allowPrivate) return null;
  if (url.protocol !== 'https:') return 'The URL must be https (WEBHOOK_ALLOW_PRIVATE_TARGETS is off)';
  const host = bareHost(url.hostname);
  if (host === 'localhost' || host.endsWith('.localhost')) return 'The URL must point to a public address';
  if (ipaddr.isValid(host) && !isPublicAddress(host)) return 'The URL must point to a public address';
  return null;
}

/** Public unicast only: not loopback, private, link-local, unique-local, CGNAT, multicast, reserved… */
export function isPublicAddress(address: string): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

function bareHost(hostname: string): string {
  const lower = hostname.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

export class TargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** Resolves like the default lookup, but fails when any resolved address is not public. */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 4);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) {
      return callback(new TargetRefused(`${hostname} resolves to a non-public address (${refused.address})`), '', 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(new TargetRefused(`${hostname} has no address`), '', 4);
    callback(null, first.address, first.family);
  });
};

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type SendOutcome =
  | { kind: 'response'; status: number; retryAfter: string | null }
  /** No response: refused target, DNS, connection or timeout. */
  | { kind: 'error'; message: string };

/** POSTs the request; never throws. */
export function sendWebhook(request: WebhookRequest, rules: TargetRules): Promise<SendOutcome> {
  const problem = targetProblem(request.url, rules);
  if (problem) return Promise.resolve({ kind: 'error', message: problem });
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        // A fresh connection per request: no pooled socket outlives the address check.
        agent: false,
        ...(rules.allowPrivate ? {} : { lookup: publicOnlyLookup }),
      },
      (res) => {
        const retryAfter = res.headers['retry-after'];
        settle({ kind: 'response', status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
        // The body is not read: drop it and the connection.
        res.destroy();
      },
    );
    const timer = setTimeout(() => {
      settle({ kind: 'error', message: `no response within ${request.timeoutMs / 1000} s` });
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (error) => settle({ kind: 'error', message: error.message }));
    req.end(request.body);
  });
}
