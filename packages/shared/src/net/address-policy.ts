/**
 * The webhook side of ssrf.ts (one table of ranges for every outbound connection a user picks):
 * `resolveAllowed` resolves a host once and returns all its checked addresses; connect to one of
 * those (a custom `lookup`), never to the name again, so a second DNS answer cannot rebind the
 * connection to an internal address.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { nonPublicRange } from './ssrf';

/** Why an address may not be reached, or null when it is public (the ranges live in ssrf.ts). */
export function addressRefusal(ip: string): string | null {
  const range = nonPublicRange(ip);
  if (range === null) return null;
  return range === 'not an IP address' ? range : `${ip} is a private or reserved address (${range})`;
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
