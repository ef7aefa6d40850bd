import ipaddr from 'ipaddr.js';

/**
 * The SSRF address check, pure. Only globally routable unicast addresses
 * pass, unless an operator's allowlist names them. IPv6 forms that embed an
 * IPv4 address are judged by the IPv4 address inside, so ::ffff:10.0.0.1 is
 * as private as 10.0.0.1; forms whose embedding cannot be trusted to route
 * publicly (IPv4-compatible, local-use NAT64, Teredo) are refused outright.
 */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** What operators set to open a range; every refusal names it. */
export const ALLOW_SETTING = 'HOOKYARD_ALLOW_CIDRS (the allowCidrs option)';

/** Parses "127.0.0.0/8,::1/128" (comma or space separated); throws on a bad entry. */
export function cidrListParse(text: string): Cidr[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => (entry.includes('/') ? ipaddr.parseCIDR(entry) : ([ipaddr.parse(entry), ipaddr.parse(entry).kind() === 'ipv4' ? 32 : 128] as Cidr)));
}

/** Accepts the text form or parsed CIDRs, as the options do. */
export const cidrList = (allow: string | Cidr[] | undefined): Cidr[] => (typeof allow === 'string' ? cidrListParse(allow) : (allow ?? []));

function inList(address: ipaddr.IPv4 | ipaddr.IPv6, allow: Cidr[]): boolean {
  return allow.some(([range, bits]) => address.kind() === range.kind() && address.match(range, bits));
}

// ::/96 is "IPv4-compatible" (RFC 4291 §2.5.5.1, deprecated): ipaddr.js calls it unicast, and
// `http://[::127.0.0.1]/` normalises to ::7f00:1. Nothing routes it publicly, so it is refused
// whatever it embeds. 64:ff9b:1::/48 (RFC 8215) is for local NAT64 set-ups, where the operator
// chooses the embedding, so the IPv4 part cannot be read reliably: refused too.
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');
const LOCAL_NAT64 = ipaddr.parseCIDR('64:ff9b:1::/48');

type Embedded = { ipv4: ipaddr.IPv4; form: string } | { refuse: string } | undefined;

/** The IPv4 address an IPv6 address carries, for the forms that route to it. */
function embeddedIpv4(address: ipaddr.IPv6): Embedded {
  const bytes = address.toByteArray();
  const tail = () => new ipaddr.IPv4(bytes.slice(12, 16));
  if (address.match(LOCAL_NAT64)) return { refuse: 'a local-use NAT64 address (64:ff9b:1::/48)' };
  const range = address.range();
  if (range === 'ipv4Mapped') return { ipv4: tail(), form: 'an IPv4-mapped address' };
  if (range === 'rfc6145') return { ipv4: tail(), form: 'an IPv4-translated address' };
  if (range === 'rfc6052') return { ipv4: tail(), form: 'a NAT64 address' };
  if (range === '6to4') return { ipv4: new ipaddr.IPv4(bytes.slice(2, 6)), form: 'a 6to4 address' };
  if (range === 'teredo') return { refuse: 'a Teredo tunnel address (2001::/32)' };
  if (range === 'unicast' && address.match(IPV4_COMPATIBLE)) return { refuse: `an IPv4-compatible address (deprecated), embedding ${tail().toString()}` };
  return undefined;
}

export function addressCheck(address: string, allow: Cidr[] = []): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, reason: `${address} is not an IP address` };
  const parsed = ipaddr.parse(address);
  if (inList(parsed, allow)) return { allowed: true };
  if (parsed.kind() === 'ipv6') {
    const inner = embeddedIpv4(parsed as ipaddr.IPv6);
    if (inner && 'refuse' in inner) return { allowed: false, reason: `${parsed.toString()} is ${inner.refuse}` };
    if (inner) {
      if (inList(inner.ipv4, allow)) return { allowed: true };
      const range = rangeText(inner.ipv4);
      return range === undefined ? { allowed: true } : { allowed: false, reason: `${parsed.toString()} is ${inner.form} of ${inner.ipv4.toString()} (${range})` };
    }
  }
  return verdictOf(parsed);
}

// ipaddr.js range names, as a person would read them.
const RANGE_TEXT: Record<string, string> = {
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  reserved: 'a reserved address',
  uniqueLocal: 'a unique-local address',
  deprecatedSiteLocal: 'a site-local address',
  benchmarking: 'a benchmarking address',
  discard: 'a discard-only address',
};

/** Undefined for globally routable unicast; otherwise what the range is, in words. */
function rangeText(address: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  const range = address.range();
  return range === 'unicast' ? undefined : (RANGE_TEXT[range] ?? `a special-purpose address (${range})`);
}

function verdictOf(address: ipaddr.IPv4 | ipaddr.IPv6): AddressVerdict {
  const range = rangeText(address);
  return range === undefined ? { allowed: true } : { allowed: false, reason: `${address.toString()} is ${range}` };
}

/**
 * What the guard will refuse for this URL whatever DNS says, or undefined.
 * Only literal addresses and `localhost` (which resolvers answer locally) are
 * judged here; other names are checked when they are resolved, at delivery.
 * `new URL` has already turned spellings like `2130706433` or `0x7f.1` into
 * dotted quads, so the check sees what the connection would use.
 */
export function urlAddressRefusal(url: string, allow: Cidr[] = []): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  } catch {
    return undefined;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    // localhost may resolve to either loopback address; refuse only when neither could pass.
    const verdicts = ['127.0.0.1', '::1'].map((a) => addressCheck(a, allow));
    return verdicts.some((v) => v.allowed) ? undefined : `${host} is a loopback name`;
  }
  if (!ipaddr.isValid(host)) return undefined;
  const verdict = addressCheck(host, allow);
  return verdict.allowed ? undefined : verdict.reason;
}
