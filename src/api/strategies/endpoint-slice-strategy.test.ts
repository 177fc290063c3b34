import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { endpointSliceStrategy } from './endpoint-slice-strategy.ts';

const check = (strategy: ResourceStrategy, obj: JsonObject): string[] => {
  strategy.defaults?.(obj);
  return (strategy.validate?.(obj) ?? []).map(formatFieldError);
};

describe('EndpointSlice', () => {
  it('ports default to name "" and TCP', () => {
    const slice: JsonObject = { addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] };
    assert.deepEqual(check(endpointSliceStrategy, slice), []);
    assert.deepEqual(slice['ports'], [{ port: 80, name: '', protocol: 'TCP' }]);
  });

  const cases: { name: string; slice: JsonObject; want: string[] }[] = [
    { name: 'no addressType', slice: {}, want: ['addressType: Required value'] },
    {
      name: 'addresses of the wrong family, none at all',
      slice: {
        addressType: 'IPv4',
        endpoints: [{ addresses: ['fd00::1'] }, { addresses: [] }],
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', port: 81, protocol: 'HTTP' },
        ],
      },
      want: [
        'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
        'endpoints[1].addresses: Required value: must contain at least 1 address',
        'ports[1].name: Duplicate value: "http"',
        'ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    },
    {
      name: 'FQDN',
      slice: { addressType: 'FQDN', endpoints: [{ addresses: ['example.com', 'localhost'] }] },
      want: [
        'endpoints[0].addresses[1]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(check(endpointSliceStrategy, c.slice), c.want);
    });

  it('addressType is immutable', () => {
    const errs = endpointSliceStrategy.validateUpdate?.(
      { addressType: 'IPv6' },
      { addressType: 'IPv4' },
    );
    assert.deepEqual((errs ?? []).map(formatFieldError), [
      'addressType: Invalid value: "IPv6": field is immutable',
    ]);
  });
});
