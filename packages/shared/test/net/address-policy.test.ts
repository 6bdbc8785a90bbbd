import { describe, expect, it } from 'vitest';
import { AddressNotAllowedError, addressRefusal, resolveAllowed } from '../../src/net/address-policy';

describe('addressRefusal', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd00::1',
    'fc00::1',
    'fd00:ec2::254',
    'fe80::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
  ])('refuses %s', (ip) => {
    expect(addressRefusal(ip)).toMatch(/private or reserved/);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (ip) => {
      expect(addressRefusal(ip)).toBeNull();
    },
  );
});

describe('resolveAllowed', () => {
  const resolver = (answers: Record<string, string[]>) => async (host: string) =>
    (answers[host] ?? []).map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));

  it('returns the checked addresses of a public name, and takes bracketed IPv6 literals', async () => {
    const r = resolver({ 'hooks.example.com': ['93.184.216.34'] });
    expect(await resolveAllowed('hooks.example.com', { allowPrivate: false, resolver: r })).toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
    expect(await resolveAllowed('[2606:4700::1111]', { allowPrivate: false })).toEqual([
      { address: '2606:4700::1111', family: 6 },
    ]);
  });

  it('refuses a name with any private answer (a mixed answer could be steered to it)', async () => {
    const r = resolver({ 'mixed.example.com': ['93.184.216.34', '10.0.0.5'] });
    await expect(resolveAllowed('mixed.example.com', { allowPrivate: false, resolver: r })).rejects.toThrow(
      /mixed\.example\.com resolves to 10\.0\.0\.5/,
    );
  });

  it('refuses a name that does not resolve, and localhost (real resolver)', async () => {
    await expect(
      resolveAllowed('nothing.example.com', { allowPrivate: false, resolver: resolver({}) }),
    ).rejects.toThrow(AddressNotAllowedError);
    await expect(resolveAllowed('localhost', { allowPrivate: false })).rejects.toThrow(/private or reserved/);
  });

  it('allows private addresses when asked to', async () => {
    expect(await resolveAllowed('127.0.0.1', { allowPrivate: true })).toEqual([
      { address: '127.0.0.1', family: 4 },
    ]);
  });
});
