/**
 * discovery.k8s.io/v1 EndpointSlice (pkg/apis/discovery/v1/defaults.go and
 * pkg/apis/discovery/validation, v1.33): ports default to name "" and protocol TCP;
 * addressType is required, supported and immutable; each endpoint has addresses of that type;
 * port names are unique DNS labels. Not checked: the special IP ranges upstream rejects for
 * endpoints (loopback, link-local), hostnames, node names, zones and hints.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError } from '../validation/field-error.ts';
import { duplicate, invalid, notSupported, required, tooMany } from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.ts';
import {
  validateDNS1123Label,
  validateImmutableField,
  validateQualifiedName,
} from './field-rules.ts';
import { defaultUnset, objs, str, strs } from './json-fields.ts';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;

export function defaultEndpointSlice(slice: JsonObject): void {
  for (const port of objs(slice, 'ports')) {
    defaultUnset(port, 'name', '');
    defaultUnset(port, 'protocol', 'TCP');
  }
}

/** Upstream's IsFullyQualifiedDomainName. */
function validateFQDN(value: string, path: string): FieldError[] {
  if (value === '') return [required(path)];
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const errs = isDNS1123Subdomain(name);
  if (errs.length > 0) return [invalid(path, name, errs.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) {
    return [invalid(path, name, 'should be a domain with at least two segments separated by dots')];
  }
  for (const label of labels) {
    const msgs = isDNS1123Label(label);
    if (msgs.length > 0) return [invalid(path, label, msgs.join(','))];
  }
  return [];
}

function validateAddress(type: string, address: string, path: string): FieldError[] {
  switch (type) {
    case 'IPv4':
      return isIPv4(address) ? [] : [invalid(path, address, 'must be a valid IPv4 address')];
    case 'IPv6':
      return isIPv6(address) ? [] : [invalid(path, address, 'must be a valid IPv6 address')];
    case 'FQDN':
      return validateFQDN(address, path);
    default:
      return [];
  }
}

export function validateEndpointSlice(slice: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(slice, 'addressType');
  if (type === '') errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type))
    errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const endpoints = objs(slice, 'endpoints');
  if (endpoints.length > MAX_ENDPOINTS) {
    errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  }
  endpoints.forEach((ep, i) => {
    const path = childPath(indexPath('endpoints', i), 'addresses');
    const addresses = strs(ep, 'addresses');
    if (addresses.length === 0) errs.push(required(path, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) {
      errs.push(tooMany(path, addresses.length, MAX_ADDRESSES));
    }
    addresses.forEach((a, j) => errs.push(...validateAddress(type, a, indexPath(path, j))));
  });
  const ports = objs(slice, 'ports');
  if (ports.length > MAX_PORTS) return [...errs, tooMany('ports', ports.length, MAX_PORTS)];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const path = indexPath('ports', i);
    const name = str(port, 'name');
    if (name !== '') errs.push(...validateDNS1123Label(name, childPath(path, 'name')));
    if (names.has(name)) errs.push(duplicate(childPath(path, 'name'), name));
    else names.add(name);
    const protocol = port['protocol'];
    if (typeof protocol !== 'string') errs.push(required(childPath(path, 'protocol')));
    else if (!PROTOCOLS.includes(protocol)) {
      errs.push(notSupported(childPath(path, 'protocol'), protocol, PROTOCOLS));
    }
    const appProtocol = port['appProtocol'];
    if (typeof appProtocol === 'string') {
      errs.push(...validateQualifiedName(appProtocol, childPath(path, 'appProtocol')));
    }
  });
  return errs;
}

export const endpointSliceStrategy: ResourceStrategy = {
  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,
  validateUpdate: (slice, old) => [
    ...validateEndpointSlice(slice),
    ...validateImmutableField(
      slice['addressType'],
      old['addressType'],
      'addressType',
      str(slice, 'addressType'),
    ),
  ],
};
