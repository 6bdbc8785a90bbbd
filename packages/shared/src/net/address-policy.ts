/**
 * Which network addresses an outbound connection chosen by a user (a webhook endpoint, a mailbox
 * host) may reach. Private, loopback, link-local, CGNAT, IPv6 ULA / link-local, multicast,
 * reserved and cloud-metadata addresses are refused, so a user cannot make the server call into
 * its own network (SSRF). `resolveAllowed` resolves a host once and returns the checked
 * addresses: connect to one of those (a custom `lookup`), never to the name again, so a second
 * DNS answer cannot rebind the connection to an internal address.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // CGNAT (also Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (ULA), AWS metadata fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, bits, 'ipv6');
}

/** An IPv4 address carried inside an IPv6 one (mapped `::ffff:a.b.c.d`, NAT64, 6to4), if any. */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const a = Number.parseInt(hex[1]!, 16);
    const b = Number.parseInt(hex[2]!, 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return null;
}

/** Why an address may not be reached, or null when it is public. */
export function addressRefusal(ip: string): string | null {
  const family = isIP(ip);
  if (family === 0) return 'not an IP address';
  if (family === 4) return blocked.check(ip, 'ipv4') ? `${ip} is a private or reserved address` : null;
  const v4 = embeddedIpv4(ip);
  if (v4) return addressRefusal(v4) ? `${ip} is a private or reserved address` : null;
  return blocked.check(ip, 'ipv6') ? `${ip} is a private or reserved address` : null;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: HostResolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export class AddressNotAllowedError extends Error {
  override name = 'AddressNotAllowedError';
}

/**
 * Resolves `host` (a name or an IP literal, IPv6 with or without brackets) and returns its
 * addresses when every one is allowed. One refused address refuses the host: a name that
 * answers with a public and a private address could be steered to the private one.
 */
export async function resolveAllowed(
  host: string,
  opts: { allowPrivate: boolean; resolver?: HostResolver },
): Promise<ResolvedAddress[]> {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const literal = isIP(bare);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: bare, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (opts.resolver ?? systemResolver)(bare);
    } catch (err) {
      throw new AddressNotAllowedError(
        `${bare} does not resolve (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
    if (addresses.length === 0) throw new AddressNotAllowedError(`${bare} does not resolve`);
  }
  if (!opts.allowPrivate) {
    for (const a of addresses) {
      const why = addressRefusal(a.address);
      if (why) throw new AddressNotAllowedError(literal ? why : `${bare} resolves to ${why}`);
    }
  }
  return addresses;
}
