import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4Cidr, numberToIpv4, parseIpv4Cidr } from './ipv4-cidr.ts';

const cases: { text: string; want: string | undefined }[] = [
  { text: '10.244.0.0/16', want: '10.244.0.0/16' },
  { text: '10.96.0.1/12', want: '10.96.0.0/12' },
  { text: '0.0.0.0/0', want: '0.0.0.0/0' },
  { text: '192.168.1.7/32', want: '192.168.1.7/32' },
  { text: '10.0.0.0/33', want: undefined },
  { text: '10.0.0/8', want: undefined },
  { text: '10.0.0.0', want: undefined },
  { text: '::1/128', want: undefined },
  { text: '300.0.0.0/8', want: undefined },
  { text: '', want: undefined },
];

for (const c of cases) {
  test(`parseIpv4Cidr(${JSON.stringify(c.text)})`, () => {
    const parsed = parseIpv4Cidr(c.text);
    assert.equal(parsed === undefined ? undefined : formatIpv4Cidr(parsed), c.want);
  });
}

test('numberToIpv4 round-trips the top of the range', () => {
  assert.equal(numberToIpv4(0xffffffff), '255.255.255.255');
  assert.equal(numberToIpv4(0x0a60000a), '10.96.0.10');
});
