import type { LookupAddress } from 'node:dns';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  type AddressPolicy,
  hostAllowed,
  nonPublicKind,
  pinnedLookup,
  vetCallbackUrl,
} from './address-policy.ts';

const publicOnly: AddressPolicy = { allowedHosts: [], allowPrivateAddresses: false };

function resolvingTo(...addresses: string[]) {
  return async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

async function refusal(url: string, policy: AddressPolicy = publicOnly) {
  const error = await vetCallbackUrl(url, policy).then(
    () => expect.fail(`${url} was allowed`),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('nonPublicKind', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved (or broadcast)'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['64:ff9b::10.0.0.1', 'NAT64 private'],
    ['2002:c0a8:101::1', '6to4 private'],
    ['2001:db8::1', 'reserved for documentation'],
  ])('calls %s %s', (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:1.1.1.1'])(
    'finds %s public',
    (address) => {
      expect(nonPublicKind(address)).toBeUndefined();
    },
  );
});

describe('vetCallbackUrl', () => {
  it.each([
    ['http://127.0.0.1:9000/hook', /address 127\.0\.0\.1 is loopback/],
    ['http://10.0.0.8/hook', /address 10\.0\.0\.8 is private/],
    ['http://169.254.169.254/latest/meta-data', /is link-local/],
    ['http://[::1]/hook', /address ::1 is loopback/],
    ['http://[fd00::1]/hook', /is unique-local/],
    ['http://[fe80::1]/hook', /is link-local/],
    ['http://[::ffff:127.0.0.1]/hook', /IPv4-mapped loopback/],
    ['http://2130706433/hook', /address 127\.0\.0\.1 is loopback/],
    ['http://0x7f.1/hook', /address 127\.0\.0\.1 is loopback/],
  ])('refuses the literal address in %s', async (url, reason) => {
    const error = await refusal(url);
    expect(error.type).toBe('callback_forbidden');
    expect(error.nonRetryable).toBe(true);
    expect(error.message).toMatch(reason);
  });

  it('refuses localhost, which resolves to loopback', async () => {
    const error = await refusal('http://localhost:8080/hook');
    expect(error.message).toMatch(/host localhost resolves to .* which is loopback/);
  });

  it('refuses a host when any one of its addresses is private', async () => {
    const policy = { ...publicOnly, resolve: resolvingTo('93.184.215.14', '10.1.2.3') };
    const error = await refusal('https://mixed.example/hook', policy);
    expect(error.message).toMatch(/mixed\.example resolves to 10\.1\.2\.3, which is private/);
  });

  it('allows a public host and keeps every address it resolved to', async () => {
    const policy = { ...publicOnly, resolve: resolvingTo('93.184.215.14', '2606:2800::1') };
    const target = await vetCallbackUrl('https://Producer.Example./hook?token=x', policy);
    expect(target.hostname).toBe('producer.example');
    expect(target.addresses.map(({ address }) => address)).toEqual([
      '93.184.215.14',
      '2606:2800::1',
    ]);
  });

  it('allows private addresses when configured to', async () => {
    const policy = { allowedHosts: [], allowPrivateAddresses: true };
    const target = await vetCallbackUrl('http://127.0.0.1:9000/hook', policy);
    expect(target.addresses).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it.each([
    ['ftp://producer.example/hook', /scheme ftp: is not allowed/],
    ['file:///etc/passwd', /scheme file: is not allowed/],
    ['not a url', /not an absolute URL/],
    ['https://user:hunter2@producer.example/hook', /must not carry credentials/],
  ])('refuses %s', async (url, reason) => {
    const error = await refusal(url);
    expect(error.message).toMatch(reason);
    expect(error.message).not.toMatch(/hunter2/);
  });

  it('names neither the path nor the query of a refused URL', async () => {
    const error = await refusal('http://10.0.0.1/private/path?token=secret-token');
    expect(error.message).not.toMatch(/private\/path|secret-token/);
  });

  it('retries when the host does not resolve', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const error = await refusal('https://gone.example/hook', { ...publicOnly, resolve });
    expect(error.type).toBe('callback_failed');
    expect(error.nonRetryable).toBe(false);
    expect(error.message).toMatch(/gone\.example did not resolve \(ENOTFOUND\)/);
  });
});

describe('the host allowlist', () => {
  const allowedHosts = ['hooks.partner.example', '*.producer.example'];
  const policy = { allowedHosts, allowPrivateAddresses: false, resolve: resolvingTo('1.1.1.1') };

  it('refuses a host that is not listed', async () => {
    const error = await refusal('https://elsewhere.example/hook', policy);
    expect(error.message).toMatch(/host elsewhere\.example is not in CALLBACK_ALLOWED_HOSTS/);
  });

  it('accepts exact names and subdomains of a *. pattern', async () => {
    for (const url of [
      'https://hooks.partner.example/a',
      'https://HOOKS.partner.example./a',
      'https://api.producer.example/a',
      'https://eu.api.producer.example/a',
    ]) {
      await expect(vetCallbackUrl(url, policy)).resolves.toMatchObject({ url: new URL(url) });
    }
  });

  it('does not let *. match the bare name or a look-alike', () => {
    expect(hostAllowed('producer.example', allowedHosts)).toBe(false);
    expect(hostAllowed('evilproducer.example', allowedHosts)).toBe(false);
    expect(hostAllowed('producer.example.evil', allowedHosts)).toBe(false);
    expect(hostAllowed('other.partner.example', allowedHosts)).toBe(false);
  });

  it('still refuses a listed host that resolves to a private address', async () => {
    const privatePolicy = { ...policy, resolve: resolvingTo('192.168.0.10') };
    const error = await refusal('https://api.producer.example/hook', privatePolicy);
    expect(error.message).toMatch(/which is private/);
  });
});

describe('pinnedLookup', () => {
  const target = {
    url: new URL('https://producer.example/hook'),
    hostname: 'producer.example',
    addresses: [
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800::1', family: 6 },
    ],
  };
  const lookup = pinnedLookup(target);
  const ask = (hostname: string, options: object) =>
    new Promise<unknown[]>((resolve) => {
      lookup(hostname, options, (...args: unknown[]) => resolve(args));
    });

  it('answers with the vetted addresses only', async () => {
    expect(await ask('producer.example', {})).toEqual([null, '93.184.215.14', 4]);
    expect(await ask('producer.example', { family: 6 })).toEqual([null, '2606:2800::1', 6]);
    expect(await ask('producer.example', { all: true })).toEqual([null, target.addresses]);
  });

  it('refuses to resolve any other host', async () => {
    const [error] = await ask('internal.example', {});
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
