import ipaddr from 'ipaddr.js';

/**
 * The SSRF address check, pure. Only globally routable unicast addresses
 * pass, unless an operator's allowlist names them. IPv6 forms that embed an
 * IPv4 address (IPv4-mapped, NAT64, IPv4-translated, 6to4) are judged by the
 * IPv4 address inside, so ::ffff:10.0.0.1 is as private as 10.0.0.1.
 */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses "127.0.0.0/8,::1/128" (comma or space separated); throws on a bad entry. */
export function cidrListParse(text: string): Cidr[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => (entry.includes('/') ? ipaddr.parseCIDR(entry) : ([ipaddr.parse(entry), ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128] as Cidr)));
}

function inList(address: ipaddr.IPv4 | ipaddr.IPv6, allow: Cidr[]): boolean {
  return allow.some(([range, bits]) => address.kind() === range.kind() && address.match(range, bits));
}

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  const bytes = address.toByteArray();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return undefined;
}

export function addressCheck(address: string, allow: Cidr[] = []): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: 'not an IP address' };
  const parsed = ipaddr.parse(address);
  if (inList(parsed, allow)) return { allowed: true };
  if (parsed.kind() === 'ipv6') {
    const inner = embeddedIpv4(parsed as ipaddr.IPv6);
    if (inner) return inList(inner, allow) ? { allowed: true } : verdictOf(inner, `${parsed.range()} of `);
  }
  return verdictOf(parsed, '');
}

function verdictOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: string): AddressVerdict {
  const range = address.range();
  return range === 'unicast' ? { allowed: true } : { allowed: false, reason: `${prefix}${range} address ${address.toString()}` };
}
