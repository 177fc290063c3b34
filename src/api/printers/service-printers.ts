/**
 * Printers for Service (TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S) like "80:30080/TCP"), Endpoints
 * ("ip:port,... + N more...") and EndpointSlice (ADDRESSTYPE, PORTS, ENDPOINTS). The server prints
 * with Wide set, so load-balancer addresses are never clipped to 16 characters.
 */
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import { ageCell } from './age.ts';
import { AGE_COLUMN, column, NAME_COLUMN, wideColumn } from './columns.ts';
import {
  compareStrings,
  isSet,
  nameOf,
  numberAt,
  objectsAt,
  optionalNumberAt,
  optionalStringAt,
  stringAt,
  stringMapAt,
  stringsAt,
} from './fields.ts';
import { formatLabels } from './label-format.ts';

/** At most this many entries are listed before " + N more...". */
const MAX_LISTED = 3;

/** `loadBalancerStatusStringer` with wide=true: unique IPs (else hostnames), sorted. */
function loadBalancerAddresses(service: JsonObject): string[] {
  const result = new Set<string>();
  for (const ingress of objectsAt(service, 'status', 'loadBalancer', 'ingress')) {
    const ip = stringAt(ingress, 'ip');
    const hostname = stringAt(ingress, 'hostname');
    if (ip !== '') result.add(ip);
    else if (hostname !== '') result.add(hostname);
  }
  return [...result].sort(compareStrings);
}

/** `getServiceExternalIP`. */
function externalIP(service: JsonObject, type: string): string {
  const externalIPs = stringsAt(service, 'spec', 'externalIPs');
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(service);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return stringAt(service, 'spec', 'externalName');
    default:
      return '<unknown>';
  }
}

/** `makePortString`; SetDefaults_Service defaults an empty protocol to TCP. */
function portsCell(service: JsonObject): string {
  const pieces = objectsAt(service, 'spec', 'ports').map((port) => {
    const protocol = stringAt(port, 'protocol') || 'TCP';
    const nodePort = numberAt(port, 'nodePort');
    const p = numberAt(port, 'port');
    return nodePort > 0 ? `${p}:${nodePort}/${protocol}` : `${p}/${protocol}`;
  });
  return pieces.length === 0 ? '<none>' : pieces.join(',');
}

/**
 * `spec.clusterIPs[0]`. A v1 object carrying only `clusterIP` is read as if the registry had
 * normalized it (upstream's strategy always fills clusterIPs from clusterIP on write).
 */
function clusterIP(service: JsonObject, type: string): string {
  const ips = stringsAt(service, 'spec', 'clusterIPs');
  if (ips.length > 0) return ips[0] ?? '';
  const single = stringAt(service, 'spec', 'clusterIP');
  return single !== '' && type !== 'ExternalName' ? single : '<none>';
}

function serviceCells(service: JsonObject, now: Date): string[] {
  // SetDefaults_Service: an empty type reads as ClusterIP.
  const type = stringAt(service, 'spec', 'type') || 'ClusterIP';
  return [
    nameOf(service),
    type,
    clusterIP(service, type),
    externalIP(service, type),
    portsCell(service),
    ageCell(service, now),
    formatLabels(stringMapAt(service, 'spec', 'selector')),
  ];
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'core/v1 ServiceSpec.type'),
    column('Cluster-IP', 'core/v1 ServiceSpec.clusterIP'),
    column('External-IP', 'core/v1 ServiceSpec.externalIPs'),
    column('Port(s)', 'core/v1 ServiceSpec.ports'),
    AGE_COLUMN,
    wideColumn('Selector', 'core/v1 ServiceSpec.selector'),
  ],
  cells: serviceCells,
};

/** Go's `net.JoinHostPort`: brackets a host that contains a colon (IPv6). */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `formatEndpoints(endpoints, nil)`. */
export function formatEndpoints(endpoints: JsonObject): string {
  const subsets = objectsAt(endpoints, 'subsets');
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = objectsAt(ss, 'addresses').map((a) => stringAt(a, 'ip'));
    const ports = objectsAt(ss, 'ports');
    // It's possible to have headless services with no ports: then the bare IPs are listed.
    const entriesPerPort =
      ports.length === 0
        ? [addresses]
        : ports.map((port) => addresses.map((ip) => joinHostPort(ip, numberAt(port, 'port'))));
    for (const entries of entriesPerPort) {
      count += entries.length;
      for (const entry of entries) {
        if (list.length === MAX_LISTED) {
          more = true;
          break;
        }
        list.push(entry);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - MAX_LISTED} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, column('Endpoints', 'core/v1 Endpoints.subsets'), AGE_COLUMN],
  cells: (ep, now) => [nameOf(ep), formatEndpoints(ep), ageCell(ep, now)],
};

/** `listWithMoreString` over a capped list: "<unset>" when empty. */
function listWithMore(all: readonly string[]): string {
  const ret = all.slice(0, MAX_LISTED).join(',');
  if (all.length > MAX_LISTED) return `${ret} + ${all.length - MAX_LISTED} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** `formatDiscoveryPorts`: the port number, else its name, else "*". */
function discoveryPorts(slice: JsonObject): string {
  return listWithMore(
    objectsAt(slice, 'ports').map((port) => {
      const num = optionalNumberAt(port, 'port');
      if (num !== undefined) return String(num);
      return isSet(port, 'name') ? (optionalStringAt(port, 'name') ?? '') : '*';
    }),
  );
}

/** `formatDiscoveryEndpoints`: every address of every endpoint. */
function discoveryEndpoints(slice: JsonObject): string {
  return listWithMore(objectsAt(slice, 'endpoints').flatMap((e) => stringsAt(e, 'addresses')));
}

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'discovery/v1beta1 EndpointSlice.addressType'),
    column('Ports', 'discovery/v1beta1 EndpointSlice.ports'),
    column('Endpoints', 'discovery/v1beta1 EndpointSlice.endpoints'),
    AGE_COLUMN,
  ],
  cells: (slice, now) => [
    nameOf(slice),
    stringAt(slice, 'addressType'),
    discoveryPorts(slice),
    discoveryEndpoints(slice),
    ageCell(slice, now),
  ],
};
