// Which client a rate limit counts: IPv4 addresses as they are, IPv6 addresses by their /64.
//
// An IPv6 subscriber is normally handed a whole /64 (RFC 6177 recommends at least that much,
// and SLAAC needs it), so every address in it is the same customer and any of them is free for
// the taking; keying per /128 would give one holder 2^64 fresh budgets. IPv4-mapped addresses
// (`::ffff:1.2.3.4`, what a dual-stack socket reports for an IPv4 peer) are that IPv4 client.
import { isIPv4, isIPv6 } from 'node:net';

/** The rate-limit key of a client address; anything not an IP address is returned unchanged. */
export function rateLimitKey(ip: string): string {
  // A zone index (`fe80::1%eth0`) names the local interface, not a different client.
  const address = ip.split('%', 1)[0] ?? ip;
  if (!isIPv6(address)) return ip;
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const high = groups[6] ?? 0;
    const low = groups[7] ?? 0;
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${formatIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`;
}

/** The eight 16-bit groups of an address that node:net has already accepted as IPv6. */
function ipv6Groups(address: string): number[] {
  const parse = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((piece) => {
      // A trailing dotted quad (`::ffff:1.2.3.4`, `64:ff9b::192.0.2.33`) fills two groups.
      if (isIPv4(piece)) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        return [(a << 8) | b, (c << 8) | d];
      }
      return [Number.parseInt(piece, 16)];
    });
  };
  const [head = '', tail] = address.split('::');
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text form: lower-case hex, no leading zeros, the longest run of zeros as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never shortened (RFC 5952 §4.2.2)
  for (let start = 0; start < groups.length; start++) {
    let length = 0;
    while (groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
    start += length;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  const before = hex.slice(0, bestStart).join(':');
  const after = hex.slice(bestStart + bestLength).join(':');
  return `${before}::${after}`;
}
