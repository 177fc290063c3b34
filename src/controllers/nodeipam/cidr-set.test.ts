// Node subnets from the cluster CIDR, as upstream's cidrset hands them out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, CidrSetError, formatIpv4Cidr, parseIpv4Cidr } from './cidr-set.ts';

describe('CidrSet', () => {
  it('hands out /24s of a /16 in order', () => {
    const s = new CidrSet('10.244.0.0/16', 24);
    assert.equal(s.capacity, 256);
    assert.deepEqual(
      [s.allocateNext(), s.allocateNext(), s.allocateNext()],
      ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'],
    );
  });
  it('skips occupied subnets and does not reuse a released one at once', () => {
    const s = new CidrSet('10.244.0.0/16', 24);
    s.occupy('10.244.1.0/24');
    assert.equal(s.allocateNext(), '10.244.0.0/24');
    assert.equal(s.allocateNext(), '10.244.2.0/24');
    s.release('10.244.0.0/24');
    assert.equal(s.allocateNext(), '10.244.3.0/24');
  });
  it('wraps around and says when the range is full', () => {
    const s = new CidrSet('10.0.0.0/30', 31);
    assert.deepEqual([s.allocateNext(), s.allocateNext()], ['10.0.0.0/31', '10.0.0.2/31']);
    assert.throws(
      () => s.allocateNext(),
      (e: unknown) => e instanceof CidrSetError && e.code === 'K8TS_CIDR_FULL',
    );
    s.release('10.0.0.0/31');
    assert.equal(s.allocateNext(), '10.0.0.0/31');
  });
  it('a larger range (the service CIDR) occupies every subnet it covers', () => {
    const s = new CidrSet('10.96.0.0/12', 16);
    assert.equal(s.occupyIfOverlapping('10.96.0.0/14'), true);
    assert.equal(s.allocatedCount, 4);
    assert.equal(s.allocateNext(), '10.100.0.0/16');
    assert.equal(s.occupyIfOverlapping('192.168.0.0/16'), false);
  });
  it('normalizes host bits and refuses bad input with a clear message', () => {
    assert.equal(formatIpv4Cidr(parseIpv4Cidr('10.244.7.9/16')), '10.244.0.0/16');
    assert.throws(() => new CidrSet('10.244.0.0/33', 24), /invalid CIDR address/);
    assert.throws(() => new CidrSet('fd00::/48', 64), /IPv6 CIDRs are not supported/);
    assert.throws(() => new CidrSet('10.244.0.0/16', 8), /between the cluster CIDR's 16 and 32/);
    assert.throws(() => new CidrSet('10.0.0.0/8', 28), /more than 16/);
    assert.throws(() => {
      new CidrSet('10.244.0.0/16', 24).occupy('10.245.0.0/24');
    }, /not in the cluster CIDR/);
  });
});
