/**
 * A container's environment as kubelet's makeEnvironmentVariables builds it (v1.33): service
 * link variables first (`KUBERNETES_SERVICE_HOST`, `<SVC>_PORT`, ...; the pod's namespace only
 * with enableServiceLinks), then `envFrom` (ConfigMaps and Secrets, with prefixes), then `env`
 * in order with `$(VAR)` references expanded (`$$` escapes, unknown references stay) and
 * `valueFrom` resolved: fieldRef, resourceFieldRef (limits fall back to the node's
 * allocatable), configMapKeyRef and secretKeyRef (honouring `optional`). A missing object or
 * key fails with upstream's message, which the pod shows as CreateContainerConfigError.
 */
import type {
  ConfigMap,
  Container,
  EnvVar,
  Pod,
  Secret,
  Service,
} from 'kubernetes-types/core/v1.d.ts';
import { compareQuantity, parseQuantity } from '../../api/strategies/quantity.ts';
import type { Quantity } from '../../api/strategies/quantity.ts';

export interface ConfigObjects {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

export interface EnvContext {
  readonly pod: Pod;
  readonly container: Container;
  readonly objects: ConfigObjects;
  /** Services of the pod's namespace, plus default/kubernetes. */
  readonly services: readonly Service[];
  readonly hostIp: string;
  readonly podIps: readonly string[];
  /** The node's allocatable (cpu, memory, ephemeral-storage). */
  readonly allocatable: Readonly<Record<string, string>>;
}

export class ContainerConfigError extends Error {
  readonly code = 'AGENT_CONTAINER_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

const envName = (s: string): string => s.toUpperCase().replaceAll('-', '_');

/** Docker-link-style and *_SERVICE_* variables for one service (upstream's envvars package). */
function serviceEnv(svc: Service): [string, string][] {
  const ip = svc.spec?.clusterIP ?? '';
  const ports = svc.spec?.ports ?? [];
  if (ip === '' || ip === 'None' || ports.length === 0) return [];
  const name = envName(svc.metadata?.name ?? '');
  const out: [string, string][] = [
    [`${name}_SERVICE_HOST`, ip],
    [`${name}_SERVICE_PORT`, String(ports[0]?.port ?? '')],
  ];
  for (const p of ports)
    if (p.name !== undefined && p.name !== '')
      out.push([`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const first = ports[0];
  if (first !== undefined)
    out.push([
      `${name}_PORT`,
      `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${String(first.port)}`,
    ]);
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    const prefix = `${name}_PORT_${String(p.port)}_${proto}`;
    out.push(
      [prefix, `${proto.toLowerCase()}://${ip}:${String(p.port)}`],
      [`${prefix}_PROTO`, proto.toLowerCase()],
      [`${prefix}_PORT`, String(p.port)],
      [`${prefix}_ADDR`, ip],
    );
  }
  return out;
}

/** `$(VAR)` expansion as upstream's expansion.Expand. */
export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch === '$' && i + 1 < input.length) {
      const next = input[i + 1];
      if (next === '$') {
        out += '$';
        i++;
        continue;
      }
      if (next === '(') {
        const close = input.indexOf(')', i + 2);
        if (close > 0) {
          const name = input.slice(i + 2, close);
          const value = vars.get(name);
          out += value ?? `$(${name})`;
          i = close;
          continue;
        }
      }
    }
    out += ch ?? '';
  }
  return out;
}

function decode(secret: Secret, key: string): string | undefined {
  const v = secret.data?.[key];
  if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

/** A fieldRef's value (env vars and downwardAPI files). */
export function fieldRefValue(
  pod: Pod,
  path: string,
  hostIp: string,
  podIps: readonly string[],
): string {
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (sub !== null) {
    const map = sub[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[sub[2] ?? ''] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return hostIp;
    case 'status.podIP':
      return podIps[0] ?? '';
    case 'status.podIPs':
      return podIps.join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldRef path ${path}`);
  }
}

const ceilDiv = (a: Quantity, b: Quantity): bigint => {
  const num = a.num * b.den;
  const den = a.den * b.num;
  return den === 0n ? 0n : (num + den - 1n) / den;
};

/** A resourceFieldRef's value: ceil(quantity / divisor); an unset limit is the node's allocatable. */
export function resourceFieldValue(
  c: Container,
  resource: string,
  divisor: string | undefined,
  allocatable: Readonly<Record<string, string>>,
): string {
  const [kind, name = ''] = resource.split('.');
  const list = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  let q = parseQuantity(list?.[name] ?? '');
  if (q === undefined && kind === 'limits') q = parseQuantity(allocatable[name] ?? '0');
  q ??= { num: 0n, den: 1n };
  const d = parseQuantity(divisor ?? '1') ?? { num: 1n, den: 1n };
  if (compareQuantity(d, { num: 0n, den: 1n }) === 0) return '0';
  return String(ceilDiv(q, d));
}

function resourceValue(
  ctx: EnvContext,
  containerName: string | undefined,
  resource: string,
  divisor: string | undefined,
): string {
  const c =
    containerName === undefined || containerName === ''
      ? ctx.container
      : [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find(
          (x) => x.name === containerName,
        );
  if (c === undefined) throw new ContainerConfigError(`container ${containerName ?? ''} not found`);
  return resourceFieldValue(c, resource, divisor, ctx.allocatable);
}

export async function containerEnv(ctx: EnvContext): Promise<EnvVar[]> {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>();
  const serviceLinks = ctx.pod.spec?.enableServiceLinks ?? true;
  for (const svc of ctx.services) {
    const own = svc.metadata?.namespace === ns;
    const master = svc.metadata?.namespace === 'default' && svc.metadata.name === 'kubernetes';
    if ((own && serviceLinks) || master)
      for (const [k, v] of serviceEnv(svc)) if (!(master && !own && vars.has(k))) vars.set(k, v);
  }
  for (const src of ctx.container.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef !== undefined) {
      const name = src.configMapRef.name ?? '';
      const cm = await ctx.objects.configMap(ns, name);
      if (cm === undefined) {
        if (src.configMapRef.optional === true) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    }
    if (src.secretRef !== undefined) {
      const name = src.secretRef.name ?? '';
      const s = await ctx.objects.secret(ns, name);
      if (s === undefined) {
        if (src.secretRef.optional === true) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const k of Object.keys(s.data ?? {})) vars.set(prefix + k, decode(s, k) ?? '');
    }
  }
  for (const e of ctx.container.env ?? []) {
    if (e.valueFrom === undefined) {
      vars.set(e.name, expand(e.value ?? '', vars));
      continue;
    }
    const from = e.valueFrom;
    if (from.fieldRef !== undefined)
      vars.set(e.name, fieldRefValue(ctx.pod, from.fieldRef.fieldPath, ctx.hostIp, ctx.podIps));
    else if (from.resourceFieldRef !== undefined)
      vars.set(
        e.name,
        resourceValue(
          ctx,
          from.resourceFieldRef.containerName,
          from.resourceFieldRef.resource,
          from.resourceFieldRef.divisor,
        ),
      );
    else if (from.configMapKeyRef !== undefined) {
      const { name = '', key, optional } = from.configMapKeyRef;
      const cm = await ctx.objects.configMap(ns, name);
      if (cm === undefined) {
        if (optional === true) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      const v = cm.data?.[key];
      if (v === undefined) {
        if (optional === true) continue;
        throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
      }
      vars.set(e.name, v);
    } else if (from.secretKeyRef !== undefined) {
      const { name = '', key, optional } = from.secretKeyRef;
      const s = await ctx.objects.secret(ns, name);
      if (s === undefined) {
        if (optional === true) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      const v = decode(s, key);
      if (v === undefined) {
        if (optional === true) continue;
        throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
      }
      vars.set(e.name, v);
    }
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}
