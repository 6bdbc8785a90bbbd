/**
 * Outbound connections to hosts a user names (mailbox SMTP/IMAP servers, webhook endpoints):
 * the host is resolved once, every address it resolves to must be public, and the caller
 * connects to the returned address (no second lookup, so a DNS answer cannot change between
 * the check and the connection). Private, loopback, link-local (cloud metadata), CGNAT, ULA,
 * multicast and reserved ranges are refused unless the deployment allows private targets.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export type HostCheck =
  | { ok: true; address: string; family: 4 | 6 }
  | { ok: false; code: 'private_address' | 'unresolvable'; reason: string };

export type Lookup = (host: string) => Promise<{ address: string; family: number }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Ranges that are never a public host, by name. */
const RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', '"this network"'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.88.99.0', 24, 'ipv4', '6to4 relay'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['100::', 64, 'ipv6', 'discard'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['fc00::', 7, 'ipv6', 'unique local (ULA)'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'site-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];
const LISTS = RANGES.map(([net, prefix, type, name]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return { list, type, name };
});

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  const m = hex ?? sixToFour;
  if (!m) return null;
  const hi = Number.parseInt(m[1]!, 16);
  const lo = Number.parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why an IP address is not a public host (e.g. `loopback`), or null when it is public. */
export function nonPublicRange(ip: string): string | null {
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4) return nonPublicRange(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const r of LISTS) if (r.type === type && r.list.check(ip, type)) return r.name;
  return null;
}

/**
 * Resolves `host` (an IP literal is taken as is; `[v6]` brackets allowed) and checks every
 * address it resolves to (one private answer refuses the host). `allowPrivate` skips the range check, not the resolution: the caller still connects
 * to the returned address.
 */
export async function checkHost(
  host: string,
  opts: { allowPrivate: boolean; lookup?: Lookup },
): Promise<HostCheck> {
  const name = host.trim().replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(name)) addresses = [{ address: name, family: isIP(name) }];
  else {
    try {
      addresses = await (opts.lookup ?? systemLookup)(name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'lookup failed';
      return { ok: false, code: 'unresolvable', reason: `${name} does not resolve (${code})` };
    }
    if (addresses.length === 0)
      return { ok: false, code: 'unresolvable', reason: `${name} does not resolve` };
  }
  if (!opts.allowPrivate) {
    for (const a of addresses) {
      const range = nonPublicRange(a.address);
      if (range) {
        const via = a.address === name ? '' : ` (${name} resolves to ${a.address})`;
        return {
          ok: false,
          code: 'private_address',
          reason: `${a.address === name ? name : 'the host'} is a ${range} address${via}; private targets are refused`,
        };
      }
    }
  }
  // IPv4 first, as nodemailer does on its own: a name's v6 address is often not reachable here.
  const first = addresses.find((a) => a.family === 4) ?? addresses[0]!;
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}
