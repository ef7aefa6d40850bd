import ipaddr from 'ipaddr.js';

export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** CIDRs (or single addresses) as ranges; input is validated before (model.ts, config). */
export function rangesParse(list: readonly string[]): Range[] {
  return list.map((text) => {
    const trimmed = text.trim();
    if (trimmed.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(trimmed);
      // ::ffff:10.0.0.0/104 is 10.0.0.0/8: clients are compared as IPv4 once unmapped.
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96] as Range;
      return [address, bits] as Range;
    }
    const address = ipaddr.process(trimmed);
    return [address, address.kind() === 'ipv4' ? 32 : 128] as Range;
  });
}

/** Parses an address, IPv4-mapped IPv6 as IPv4; undefined when it is not one. */
function parse(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  return ipaddr.isValid(address) ? ipaddr.process(address) : undefined;
}

// A peer's address in its plain form, remembered: a few peers (proxies, a provider's senders)
// send most requests, and ipaddr.js parsing each one costs several µs of every request.
const plain = new Map<string, string>();
function normalized(peer: string): string {
  let out = plain.get(peer);
  if (out === undefined) {
    out = parse(peer)?.toString() ?? peer;
    if (plain.size >= 10_000) plain.clear();
    plain.set(peer, out);
  }
  return out;
}

/** Is the address inside one of the ranges? An address that does not parse is in none. */
export function addressInRanges(address: string, ranges: readonly Range[]): boolean {
  const parsed = parse(address);
  if (!parsed) return false;
  return ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits));
}

/**
 * The client's address. `X-Forwarded-For` is believed only when the peer is one of the trusted
 * proxies, and then only up to the first hop that is not itself trusted, read from the right
 * (each proxy appends the address it saw; anything to the left of an untrusted hop may be made up).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: readonly Range[]): string | undefined {
  const direct = peer && normalized(peer);
  if (!direct || !forwardedFor || trusted.length === 0 || !addressInRanges(direct, trusted)) return direct;
  const hops = forwardedFor.split(',').map((h) => h.trim()).filter(Boolean);
  let client = direct;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parse(hops[i]!);
    if (!hop) return client; // garbage: stop at the last address we could trust
    client = hop.toString();
    if (!addressInRanges(client, trusted)) return client;
  }
  return client;
}
