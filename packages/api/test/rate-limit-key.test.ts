// Pure unit tests of how a client address becomes a rate-limit key.
import { describe, expect, it } from 'vitest';
import { rateLimitKey } from '../src/rate-limit/key.ts';

describe('rateLimitKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['127.0.0.1', '127.0.0.1'],
  ])('leaves IPv4 %s alone', (ip, key) => {
    expect(rateLimitKey(ip)).toBe(key);
  });

  it.each([
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['0:0:0:0:0:ffff:cb00:7107', '203.0.113.7'],
  ])('maps IPv4-mapped %s to the IPv4 address', (ip, key) => {
    expect(rateLimitKey(ip)).toBe(key);
  });

  it.each([
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8::/64'],
    ['2001:db8:0:0:1::', '2001:db8::/64'],
    ['2001:0:0:1::', '2001:0:0:1::/64'],
    ['::1', '::/64'],
    ['::', '::/64'],
    ['fe80::1%eth0', 'fe80::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b::/64'],
    ['2001:db8:1:2:3:4:1.2.3.4', '2001:db8:1:2::/64'],
  ])('keys IPv6 %s by its /64, %s', (ip, key) => {
    expect(rateLimitKey(ip)).toBe(key);
  });

  it('gives every address of one /64 the same key, and neighbouring /64s different keys', () => {
    expect(rateLimitKey('2001:db8:a:b::1')).toBe(rateLimitKey('2001:db8:a:b:ffff::9'));
    expect(rateLimitKey('2001:db8:a:b::1')).not.toBe(rateLimitKey('2001:db8:a:c::1'));
  });

  it.each(['unknown', 'internal', ''])('passes a non-address (%s) through unchanged', (value) => {
    expect(rateLimitKey(value)).toBe(value);
  });
});
