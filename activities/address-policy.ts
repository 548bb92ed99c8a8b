/**
 * Where a callback may go. A callback URL comes from a producer's envelope, so without a
 * policy any producer could make a worker POST into its private network (SSRF). The policy
 * checks the scheme, an optional host allowlist and every address the host resolves to, and
 * the caller then connects only to the addresses checked here, so a DNS answer that changes
 * between check and connect (rebinding) cannot redirect it.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_CODES } from '../protocol/error-codes.ts';

// Special-purpose ranges from the IANA IPv4 and IPv6 registries that are not reachable on
// the public internet, each with the name a refusal gives it.
const IPV4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved for IETF protocol assignments'],
  ['192.0.2.0', 24, 'reserved for documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'reserved for benchmarking'],
  ['198.51.100.0', 24, 'reserved for documentation'],
  ['203.0.113.0', 24, 'reserved for documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (or broadcast)'],
];

const IPV6_RANGES: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard-only'],
  ['2001::', 32, 'Teredo'],
  ['2001:db8::', 32, 'reserved for documentation'],
  ['2001::', 23, 'reserved for IETF protocol assignments'],
  ['3fff::', 20, 'reserved for documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

// Prefixes whose low bits carry an IPv4 address that is what the packet really reaches.
const IPV4_CARRIERS: [string, number, bigint, string][] = [
  ['::ffff:0:0', 96, 0n, 'IPv4-mapped'],
  ['64:ff9b::', 96, 0n, 'NAT64'],
  ['2002::', 16, 80n, '6to4'],
];

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6Bits(address: string): bigint {
  let text = address.split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const v4 = ipv4Bits(dotted);
    const low = `${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    text = text.slice(0, -dotted.length) + low;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  return groups.reduce((bits, group) => (bits << 16n) | BigInt(`0x${group}`), 0n);
}

function inRange(bits: bigint, width: bigint, base: bigint, prefix: number): boolean {
  const shift = width - BigInt(prefix);
  return bits >> shift === base >> shift;
}

function ipv4Kind(bits: bigint): string | undefined {
  const range = IPV4_RANGES.find(([base, prefix]) => inRange(bits, 32n, ipv4Bits(base), prefix));
  return range?.[2];
}

/**
 * Why an address is not public (`loopback`, `private`, `IPv4-mapped loopback`, ...), or
 * undefined for a public one. IPv6 outside global unicast (2000::/3) is never public.
 */
export function nonPublicKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return ipv4Kind(ipv4Bits(address));
  if (family !== 6) return 'not an IP address';

  const bits = ipv6Bits(address);
  for (const [base, prefix, shift, name] of IPV4_CARRIERS) {
    if (!inRange(bits, 128n, ipv6Bits(base), prefix)) continue;
    const kind = ipv4Kind((bits >> shift) & 0xffffffffn);
    return kind && `${name} ${kind}`;
  }
  const range = IPV6_RANGES.find(([base, prefix]) => inRange(bits, 128n, ipv6Bits(base), prefix));
  if (range) return range[2];
  return inRange(bits, 128n, 0x2n << 124n, 3) ? undefined : 'outside global unicast';
}

/** Resolves a host name to all its addresses; injectable so tests need no DNS. */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export interface AddressPolicy {
  /** Exact names or `*.example.com` (any subdomain, not the name itself); empty allows any. */
  allowedHosts: readonly string[];
  /** Lets callbacks reach loopback, private and other non-public addresses (development). */
  allowPrivateAddresses: boolean;
  resolve?: ResolveHost;
}

/** A URL that passed the policy and the addresses it may be reached at. */
export interface VettedTarget {
  url: URL;
  hostname: string;
  addresses: LookupAddress[];
}

const resolveWithDns: ResolveHost = (hostname) => dnsLookup(hostname, { all: true });

function refuse(reason: string): never {
  throw ApplicationFailure.nonRetryable(
    `callback refused: ${reason}`,
    ERROR_CODES.callbackForbidden,
  );
}

/** Lower case, no IPv6 brackets, no trailing root dot: the form names are compared in. */
function bareHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

export function hostAllowed(hostname: string, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.length === 0) return true;
  const host = bareHost(hostname);
  return allowedHosts.some((entry) => {
    const pattern = bareHost(entry.trim());
    if (!pattern.startsWith('*.')) return host === pattern;
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  });
}

async function resolveAll(hostname: string, resolve: ResolveHost): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(hostname);
  } catch (error) {
    // A failed lookup may be a passing DNS fault, so it is retried like a network error.
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw ApplicationFailure.retryable(
      `callback host ${hostname} did not resolve (${code})`,
      ERROR_CODES.callbackFailed,
    );
  }
  if (addresses.length === 0) {
    throw ApplicationFailure.retryable(
      `callback host ${hostname} resolved to no address`,
      ERROR_CODES.callbackFailed,
    );
  }
  return addresses;
}

/**
 * Checks a callback URL against the policy. Throws a non-retryable `callback_forbidden`
 * failure naming the rule that refused it, or a retryable `callback_failed` one when the
 * host does not resolve. The message never contains the URL's path, query or credentials.
 */
export async function vetCallbackUrl(raw: string, policy: AddressPolicy): Promise<VettedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse('callbackUrl is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    refuse(`scheme ${url.protocol} is not allowed; only http: and https: are`);
  }
  if (url.username || url.password) refuse('callbackUrl must not carry credentials');

  const hostname = bareHost(url.hostname);
  if (!hostAllowed(hostname, policy.allowedHosts)) {
    refuse(`host ${hostname} is not in CALLBACK_ALLOWED_HOSTS`);
  }

  const family = isIP(hostname);
  const addresses = family
    ? [{ address: hostname, family }]
    : await resolveAll(hostname, policy.resolve ?? resolveWithDns);
  if (!policy.allowPrivateAddresses) {
    for (const { address } of addresses) {
      const kind = nonPublicKind(address);
      if (!kind) continue;
      refuse(
        family
          ? `address ${address} is ${kind}; set CALLBACK_ALLOW_PRIVATE=true to allow it`
          : `host ${hostname} resolves to ${address}, which is ${kind}; ` +
              'set CALLBACK_ALLOW_PRIVATE=true to allow it',
      );
    }
  }
  return { url, hostname, addresses };
}

function familyOf(options: LookupOptions): number {
  const { family } = options;
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}

/**
 * A `lookup` for net/tls connect that answers only with the vetted addresses, so the socket
 * goes where the policy looked, whatever DNS says by then.
 */
export function pinnedLookup(target: VettedTarget): LookupFunction {
  return (hostname, options, callback) => {
    const family = familyOf(options);
    const candidates = target.addresses.filter(
      (candidate) => family === 0 || candidate.family === family,
    );
    const first = candidates[0];
    if (bareHost(hostname) !== target.hostname || !first) {
      const error: NodeJS.ErrnoException = new Error(`no vetted address for ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, '');
      return;
    }
    // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
    if (options.all) callback(null, candidates);
    else callback(null, first.address, first.family);
  };
}
