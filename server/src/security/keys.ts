/**
 * What counters are keyed by. Accounts are hashed: the counter store then holds no
 * email addresses (it may be a shared Redis), and a key has a fixed length however
 * long a submitted username is. Client addresses are grouped the way an attacker
 * gets them: one IPv4 address, or one IPv6 /64 (a single customer's usual prefix).
 */
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { normalizeEmail } from '../users/email-address.js';

/** The account a username or email names, as login compares it: by the address's normal form. */
export function accountKey(username: string): string {
  return createHash('sha256').update(normalizeEmail(username)).digest('base64url');
}

/** The client bucket of an address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function clientKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip.slice(0, 64) || 'unknown';
  let address = ipaddr.parse(ip);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((part) => part.toString(16)).join(':')}::/64`;
}

/**
 * TRUST_PROXY as Fastify takes it. proxy-addr walks X-Forwarded-For from the right
 * (the peer first, then the address each proxy appended) and stops at the first
 * hop it does not trust. Fastify's own `true` trusts every hop and so takes the
 * leftmost entry, which the client writes itself: here `true` means one proxy,
 * a count means that many, and a list trusts exactly those addresses and CIDRs.
 */
export function fastifyTrustProxy(
  setting: boolean | number | string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (setting === false) return false;
  if (Array.isArray(setting)) return setting;
  const hops = setting === true ? 1 : setting;
  return (_address, hop) => hop < hops;
}
