import { describe, expect, it } from 'vitest';
import { checkHost, type Lookup, nonPublicRange } from '../../src/net/ssrf';

const fixed =
  (answers: Record<string, string[]>): Lookup =>
  async (host) => {
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('nonPublicRange', () => {
  it('names every private, loopback, link-local, CGNAT, ULA, metadata and reserved address', () => {
    const refused: [string, string][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'link-local (cloud metadata)'],
      ['100.64.0.1', 'carrier-grade NAT'],
      ['100.127.255.254', 'carrier-grade NAT'],
      ['0.0.0.0', '"this network"'],
      ['224.0.0.1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fd00::1', 'unique local (ULA)'],
      ['fc00::1', 'unique local (ULA)'],
      ['fd00:ec2::254', 'unique local (ULA)'],
      ['fe80::1', 'link-local'],
      ['ff02::1', 'multicast'],
      // IPv4 inside IPv6: mapped (both spellings), NAT64, 6to4.
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['2002:c0a8:0101::1', 'private'],
    ];
    for (const [ip, name] of refused) expect([ip, nonPublicRange(ip)]).toEqual([ip, name]);
    for (const ip of [
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])
      expect([ip, nonPublicRange(ip)]).toEqual([ip, null]);
  });
});

describe('checkHost', () => {
  const lookup = fixed({
    'mail.example.com': ['93.184.215.14'],
    'rebind.example.com': ['93.184.215.14', '127.0.0.1'],
    'dual.example.com': ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', '93.184.215.14'],
    'metadata.example.com': ['169.254.169.254'],
  });

  it('a public name: ok with the address to connect to (IPv4 first)', async () => {
    expect(await checkHost('mail.example.com', { allowPrivate: false, lookup })).toEqual({
      ok: true,
      address: '93.184.215.14',
      family: 4,
    });
    expect(await checkHost('dual.example.com', { allowPrivate: false, lookup })).toMatchObject({
      ok: true,
      address: '93.184.215.14',
    });
  });

  it('refuses a name with any private answer, literals and bracketed IPv6', async () => {
    const rebind = await checkHost('rebind.example.com', { allowPrivate: false, lookup });
    expect(rebind).toMatchObject({ ok: false, code: 'private_address' });
    expect(rebind.ok === false && rebind.reason).toContain('127.0.0.1');
    expect(await checkHost('metadata.example.com', { allowPrivate: false, lookup })).toMatchObject({
      ok: false,
      code: 'private_address',
    });
    for (const h of ['127.0.0.1', '[::1]', '10.0.0.8', ' 192.168.0.1 '])
      expect(await checkHost(h, { allowPrivate: false, lookup })).toMatchObject({
        ok: false,
        code: 'private_address',
      });
    // The system resolver: localhost is loopback.
    expect(await checkHost('localhost', { allowPrivate: false })).toMatchObject({
      ok: false,
      code: 'private_address',
    });
  });

  it('unresolvable names say so; allowPrivate still resolves and returns the address', async () => {
    expect(await checkHost('nowhere.invalid', { allowPrivate: false, lookup })).toMatchObject({
      ok: false,
      code: 'unresolvable',
      reason: expect.stringContaining('ENOTFOUND'),
    });
    expect(await checkHost('rebind.example.com', { allowPrivate: true, lookup })).toEqual({
      ok: true,
      address: '93.184.215.14',
      family: 4,
    });
    expect(await checkHost('127.0.0.1', { allowPrivate: true })).toEqual({
      ok: true,
      address: '127.0.0.1',
      family: 4,
    });
  });
});
