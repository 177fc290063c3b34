/**
 * The Service strategy (pkg/apis/core/v1/defaults.go SetDefaults_Service, pkg/registry/core/
 * service and ValidateService, v1.33) and Endpoints' defaults. On create: an empty status, the
 * clusterIP/clusterIPs pair kept in sync and the IP family fields a single-stack IPv4 cluster
 * gives (allocating a clusterIP is not done here). Not checked: IP syntax and families, external
 * IPs, load-balancer source ranges and class, and the update rules on allocated values.
 */
import type { JsonObject } from '../json.ts';
import type { ResourceStrategy } from '../resource.ts';
import type { FieldError, GoLiteral } from '../validation/field-error.ts';
import {
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
} from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { goQuote } from '../validation/go-format.ts';
import { validateLabels } from '../validation/labels.ts';
import {
  isValidPortNum,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validatePortNumOrName,
  validateQualifiedName,
} from './field-rules.ts';
import {
  defaultEmpty,
  defaultUnset,
  ensureObj,
  isUnset,
  num,
  obj,
  objs,
  str,
  strMap,
  strs,
} from './json-fields.ts';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;
const KUBELET_PORT = 10250;

/** Upstream's ExternallyAccessible: NodePort, LoadBalancer, or ClusterIP with external IPs. */
function externallyAccessible(spec: JsonObject): boolean {
  const type = str(spec, 'type');
  return (
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && strs(spec, 'externalIPs').length > 0)
  );
}

export function defaultService(svc: JsonObject): void {
  const spec = ensureObj(svc, 'spec');
  defaultEmpty(spec, 'sessionAffinity', 'None');
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] === 'ClientIP') {
    const timeout = num(obj(obj(spec, 'sessionAffinityConfig'), 'clientIP'), 'timeoutSeconds');
    if (timeout === undefined) {
      spec['sessionAffinityConfig'] = {
        clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS },
      };
    }
  }
  defaultEmpty(spec, 'type', 'ClusterIP');
  for (const port of objs(spec, 'ports')) {
    defaultEmpty(port, 'protocol', 'TCP');
    const target = port['targetPort'];
    if (target === undefined || target === null || target === 0 || target === '') {
      port['targetPort'] = num(port, 'port') ?? 0;
    }
  }
  if (externallyAccessible(spec)) defaultEmpty(spec, 'externalTrafficPolicy', 'Cluster');
  const type = str(spec, 'type');
  if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') {
    defaultUnset(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (type === 'LoadBalancer') {
    defaultUnset(spec, 'allocateLoadBalancerNodePorts', true);
    for (const ingress of objs(obj(obj(svc, 'status'), 'loadBalancer'), 'ingress')) {
      if (str(ingress, 'ip') !== '') defaultUnset(ingress, 'ipMode', 'VIP');
    }
  }
}

function isHeadless(spec: JsonObject): boolean {
  return str(spec, 'clusterIP') === 'None' || strs(spec, 'clusterIPs')[0] === 'None';
}

/** PrepareForCreate plus the pure part of the REST create: status, clusterIPs, families. */
export function prepareServiceForCreate(svc: JsonObject): void {
  svc['status'] = { loadBalancer: {} };
  const spec = ensureObj(svc, 'spec');
  const ip = str(spec, 'clusterIP');
  const ips = strs(spec, 'clusterIPs');
  if (ip !== '' && ips.length === 0) spec['clusterIPs'] = [ip];
  else if (ip === '' && ips[0] !== undefined) spec['clusterIP'] = ips[0];
  if (str(spec, 'type') === 'ExternalName') return;
  const selectorless = Object.keys(obj(spec, 'selector') ?? {}).length === 0;
  const policy = isHeadless(spec) && selectorless ? 'RequireDualStack' : 'SingleStack';
  defaultUnset(spec, 'ipFamilyPolicy', policy);
  const first = strs(spec, 'clusterIPs')[0] ?? '';
  defaultUnset(spec, 'ipFamilies', [first.includes(':') ? 'IPv6' : 'IPv4']);
}

/** `core.ServicePort{...}` with only protocol and port set, as the duplicate check prints it. */
function servicePortKey(protocol: string, port: number): GoLiteral {
  return {
    goSyntax:
      `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), ` +
      `Port:${String(port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  };
}

function validatePorts(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const ports = objs(spec, 'ports');
  const names = new Set<string>();
  ports.forEach((sp, i) => {
    const p = indexPath('spec.ports', i);
    const name = str(sp, 'name');
    if (ports.length > 1 && name === '') errs.push(required(childPath(p, 'name')));
    else if (name !== '') {
      errs.push(...validateDNS1123Label(name, childPath(p, 'name')));
      if (names.has(name)) errs.push(duplicate(childPath(p, 'name'), name));
      else names.add(name);
    }
    const port = num(sp, 'port') ?? 0;
    errs.push(...isValidPortNum(port).map((m) => invalid(childPath(p, 'port'), port, m)));
    const protocol = str(sp, 'protocol');
    if (protocol === '') errs.push(required(childPath(p, 'protocol')));
    else if (!PROTOCOLS.includes(protocol)) {
      errs.push(notSupported(childPath(p, 'protocol'), protocol, PROTOCOLS));
    }
    errs.push(...validatePortNumOrName(sp['targetPort'], childPath(p, 'targetPort')));
    const appProtocol = sp['appProtocol'];
    if (typeof appProtocol === 'string') {
      errs.push(...validateQualifiedName(appProtocol, childPath(p, 'appProtocol')));
    }
  });
  return errs;
}

function validateTypeRules(spec: JsonObject, headless: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(spec, 'type');
  const firstIP = strs(spec, 'clusterIPs')[0] ?? str(spec, 'clusterIP');
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless) {
    errs.push(
      invalid('spec.clusterIPs[0]', firstIP, `may not be set to 'None' for ${type} services`),
    );
  }
  if (type === 'LoadBalancer') {
    objs(spec, 'ports').forEach((sp, i) => {
      if (num(sp, 'port') === KUBELET_PORT) {
        errs.push(
          invalid(
            indexPath('spec.ports', i),
            KUBELET_PORT,
            `may not expose port ${String(KUBELET_PORT)} externally since it is used by kubelet`,
          ),
        );
      }
    });
  }
  if (type === 'ExternalName') {
    const notForExternalName = 'may not be set for ExternalName services';
    if (strs(spec, 'clusterIPs').length > 0)
      errs.push(forbidden('spec.clusterIPs', notForExternalName));
    if (strs(spec, 'ipFamilies').length > 0)
      errs.push(forbidden('spec.ipFamilies', notForExternalName));
    if (!isUnset(spec['ipFamilyPolicy']))
      errs.push(forbidden('spec.ipFamilyPolicy', notForExternalName));
    const cname = str(spec, 'externalName').replace(/\.$/, '');
    if (cname === '') errs.push(required('spec.externalName'));
    else errs.push(...validateDNS1123Subdomain(cname, 'spec.externalName'));
  }
  return errs;
}

export function validateService(svc: JsonObject): FieldError[] {
  const spec = ensureObj(svc, 'spec');
  const type = str(spec, 'type');
  const headless = isHeadless(spec);
  const errs: FieldError[] = [];
  if (objs(spec, 'ports').length === 0 && !headless && type !== 'ExternalName') {
    errs.push(required('spec.ports'));
  }
  errs.push(...validateTypeRules(spec, headless));
  errs.push(...validatePorts(spec));
  errs.push(...validateLabels(strMap(spec, 'selector'), 'spec.selector'));
  const affinity = str(spec, 'sessionAffinity');
  if (affinity === '') errs.push(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None') {
    errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  }
  if (affinity === 'ClientIP') {
    const timeout = num(obj(obj(spec, 'sessionAffinityConfig'), 'clientIP'), 'timeoutSeconds');
    if (timeout !== undefined && (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS)) {
      errs.push(
        invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          timeout,
          `must be greater than 0 and less than ${String(MAX_CLIENT_IP_AFFINITY_SECONDS)}`,
        ),
      );
    }
  }
  if (type === '') errs.push(required('spec.type'));
  else if (!TYPES.includes(type)) errs.push(notSupported('spec.type', type, TYPES));
  const ports = objs(spec, 'ports');
  if (type === 'ClusterIP') {
    ports.forEach((sp, i) => {
      if ((num(sp, 'nodePort') ?? 0) !== 0) {
        errs.push(
          forbidden(
            childPath(indexPath('spec.ports', i), 'nodePort'),
            "may not be used when `type` is 'ClusterIP'",
          ),
        );
      }
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((sp, i) => {
    const nodePort = num(sp, 'nodePort') ?? 0;
    if (nodePort === 0) return;
    const key = `${str(sp, 'protocol')}/${String(nodePort)}`;
    if (nodePorts.has(key))
      errs.push(duplicate(childPath(indexPath('spec.ports', i), 'nodePort'), nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((sp, i) => {
    const protocol = str(sp, 'protocol');
    const port = num(sp, 'port') ?? 0;
    const key = `${protocol}/${String(port)}`;
    if (portKeys.has(key))
      errs.push(duplicate(indexPath('spec.ports', i), servicePortKey(protocol, port)));
    portKeys.add(key);
  });
  errs.push(...validateTrafficPolicies(spec));
  return errs;
}

function validateTrafficPolicies(spec: JsonObject): FieldError[] {
  const errs: FieldError[] = [];
  const external = str(spec, 'externalTrafficPolicy');
  if (!externallyAccessible(spec)) {
    if (external !== '') {
      errs.push(
        invalid(
          'spec.externalTrafficPolicy',
          external,
          'may only be set for externally-accessible services',
        ),
      );
    }
  } else if (external === '') errs.push(required('spec.externalTrafficPolicy'));
  else if (external !== 'Cluster' && external !== 'Local') {
    errs.push(notSupported('spec.externalTrafficPolicy', external, ['Cluster', 'Local']));
  }
  const internal = spec['internalTrafficPolicy'];
  const type = str(spec, 'type');
  if (internal === undefined || internal === null) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') {
      errs.push(required('spec.internalTrafficPolicy'));
    }
  } else if (internal !== 'Cluster' && internal !== 'Local') {
    const printed = typeof internal === 'string' ? internal : JSON.stringify(internal);
    errs.push(notSupported('spec.internalTrafficPolicy', printed, ['Cluster', 'Local']));
  }
  return errs;
}

export const serviceStrategy: ResourceStrategy = {
  defaults: defaultService,
  prepareForCreate: prepareServiceForCreate,
  validate: validateService,
  validateUpdate: (svc) => validateService(svc),
};

/** SetDefaults_Endpoints: ports default to TCP. */
export const endpointsStrategy: ResourceStrategy = {
  defaults: (ep) => {
    for (const subset of objs(ep, 'subsets')) {
      for (const port of objs(subset, 'ports')) defaultEmpty(port, 'protocol', 'TCP');
    }
  },
};
