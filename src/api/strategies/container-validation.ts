/**
 * Upstream's container checks (k/k core validation validateContainers, validateInitContainers
 * and validateContainerCommon, v1.33): names, image, ports, env, volume mounts (in
 * volume-mount-validation.ts), pull and
 * termination-message policies, probes and lifecycle hooks, host-port conflicts. Not checked:
 * resources (quantities, requests against limits), security contexts, resize policies,
 * volume devices, sleep actions and HTTP header names.
 */
import type { JsonObject, JsonValue } from '../json.ts';
import { isJsonObject } from '../json.ts';
import type { FieldError } from '../validation/field-error.ts';
import {
  duplicate,
  forbidden,
  invalid,
  notSupported,
  required,
} from '../validation/field-error.ts';
import { childPath, indexPath } from '../validation/field-path.ts';
import { validateNonnegativeField } from '../validation/object-meta.ts';
import { validateEnv } from './env-validation.ts';
import {
  isValidPortName,
  isValidPortNum,
  validateDNS1123Label,
  validatePortNumOrName,
} from './field-rules.ts';
import { num, obj, objs, str, strs } from './json-fields.ts';
import { validateVolumeMounts } from './volume-mount-validation.ts';

const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;

/** A `required` for `""`, else NotSupported unless one of `valid`. */
function validateEnum(value: string, valid: readonly string[], path: string): FieldError[] {
  if (value === '') return [required(path)];
  return valid.includes(value) ? [] : [notSupported(path, value, valid)];
}

function validateContainerPorts(c: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objs(c, 'ports').forEach((port, i) => {
    const p = indexPath(path, i);
    const name = str(port, 'name');
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...msgs.map((m) => invalid(childPath(p, 'name'), name, m)));
      else if (names.has(name)) errs.push(duplicate(childPath(p, 'name'), name));
      else names.add(name);
    }
    const containerPort = num(port, 'containerPort') ?? 0;
    if (containerPort === 0) errs.push(required(childPath(p, 'containerPort')));
    else {
      for (const m of isValidPortNum(containerPort)) {
        errs.push(invalid(childPath(p, 'containerPort'), containerPort, m));
      }
    }
    const hostPort = num(port, 'hostPort') ?? 0;
    if (hostPort !== 0) {
      for (const m of isValidPortNum(hostPort)) {
        errs.push(invalid(childPath(p, 'hostPort'), hostPort, m));
      }
    }
    errs.push(...validateEnum(str(port, 'protocol'), PORT_PROTOCOLS, childPath(p, 'protocol')));
  });
  return errs;
}

/** Upstream's validateHandler: exactly one action, each checked. */
function validateHandler(handler: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of HANDLERS) {
    const action = obj(handler, kind);
    if (action === undefined) continue;
    const p = childPath(path, kind);
    if (count > 0) {
      errs.push(forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    if (kind === 'exec' && strs(action, 'command').length === 0) {
      errs.push(required(childPath(p, 'command')));
    } else if (kind === 'httpGet') {
      if (str(action, 'path') === '') errs.push(required(childPath(p, 'path')));
      errs.push(...validatePortNumOrName(action['port'], childPath(p, 'port')));
      const scheme = str(action, 'scheme');
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') {
        errs.push(notSupported(childPath(p, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      }
    } else if (kind === 'tcpSocket') {
      errs.push(...validatePortNumOrName(action['port'], childPath(p, 'port')));
    } else if (kind === 'grpc') {
      const port = num(action, 'port') ?? 0;
      errs.push(...isValidPortNum(port).map((m) => invalid(childPath(p, 'port'), port, m)));
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** Upstream's validateProbe plus the liveness/readiness/startup specifics. */
function validateProbe(probe: JsonObject, kind: ProbeKind, path: string): FieldError[] {
  const errs = validateHandler(probe, path);
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    errs.push(...validateNonnegativeField(num(probe, f) ?? 0, childPath(path, f)));
  }
  const grace = num(probe, 'terminationGracePeriodSeconds');
  if (grace !== undefined && grace <= 0) {
    errs.push(
      invalid(childPath(path, 'terminationGracePeriodSeconds'), grace, 'must be greater than 0'),
    );
  }
  if (kind === 'readinessProbe') {
    if (grace !== undefined) {
      errs.push(
        invalid(
          childPath(path, 'terminationGracePeriodSeconds'),
          grace,
          'must not be set for readinessProbes',
        ),
      );
    }
  } else {
    const success = num(probe, 'successThreshold') ?? 0;
    if (success !== 1)
      errs.push(invalid(childPath(path, 'successThreshold'), success, 'must be 1'));
  }
  return errs;
}

/** Probes and hooks, allowed on regular containers and restartable init containers. */
function validateProbesAndHooks(c: JsonObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const lifecycle = obj(c, 'lifecycle');
  for (const hook of ['postStart', 'preStop'] as const) {
    const h = obj(lifecycle, hook);
    if (h !== undefined) errs.push(...validateHandler(h, childPath(path, 'lifecycle', hook)));
  }
  for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const probe = obj(c, kind);
    if (probe !== undefined) errs.push(...validateProbe(probe, kind, childPath(path, kind)));
  }
  return errs;
}

/** Upstream's validateContainerCommon. */
function validateContainerCommon(
  c: JsonObject,
  volumes: ReadonlyMap<string, JsonObject>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c, 'name');
  if (name === '') errs.push(required(childPath(path, 'name')));
  else errs.push(...validateDNS1123Label(name, childPath(path, 'name')));
  if (str(c, 'image') === '') errs.push(required(childPath(path, 'image')));
  errs.push(
    ...validateEnum(
      str(c, 'terminationMessagePolicy'),
      MESSAGE_POLICIES,
      childPath(path, 'terminationMessagePolicy'),
    ),
  );
  errs.push(...validateContainerPorts(c, childPath(path, 'ports')));
  errs.push(...validateEnv(c, childPath(path, 'env')));
  errs.push(...validateVolumeMounts(c, volumes, childPath(path, 'volumeMounts')));
  errs.push(
    ...validateEnum(str(c, 'imagePullPolicy'), PULL_POLICIES, childPath(path, 'imagePullPolicy')),
  );
  return errs;
}

/** Upstream's checkHostPortConflicts over `containers` (protocol/hostIP/hostPort unique). */
function checkHostPortConflicts(containers: readonly JsonObject[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    objs(c, 'ports').forEach((port, pi) => {
      const hostPort = num(port, 'hostPort') ?? 0;
      if (hostPort === 0) return;
      const key = `${str(port, 'protocol')}/${str(port, 'hostIP')}/${String(hostPort)}`;
      const p = childPath(indexPath(childPath(indexPath(path, ci), 'ports'), pi), 'hostPort');
      if (seen.has(key)) errs.push(duplicate(p, key));
      else seen.add(key);
    });
  });
  return errs;
}

/** Upstream's validateContainers (regular containers; at least one). */
export function validateContainers(
  list: JsonValue | undefined,
  volumes: ReadonlyMap<string, JsonObject>,
  path: string,
): FieldError[] {
  const containers = Array.isArray(list) ? list.filter(isJsonObject) : [];
  const errs: FieldError[] = [];
  if (containers.length === 0) errs.push(required(path));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = indexPath(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = str(c, 'name');
    if (names.has(name)) errs.push(duplicate(childPath(p, 'name'), name));
    else names.add(name);
    errs.push(...validateProbesAndHooks(c, p));
    if (c['restartPolicy'] !== undefined && c['restartPolicy'] !== null) {
      errs.push(forbidden(childPath(p, 'restartPolicy'), 'may not be set for non-init containers'));
    }
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

const NOT_FOR_INIT = 'may not be set for init containers without restartPolicy=Always';

/** Upstream's validateInitContainers; names must also differ from the regular containers'. */
export function validateInitContainers(
  list: JsonValue | undefined,
  regular: JsonValue | undefined,
  volumes: ReadonlyMap<string, JsonObject>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(
    (Array.isArray(regular) ? regular.filter(isJsonObject) : []).map((c) => str(c, 'name')),
  );
  (Array.isArray(list) ? list.filter(isJsonObject) : []).forEach((c, i) => {
    const p = indexPath(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const policy = c['restartPolicy'];
    const sidecar = policy === 'Always';
    if (policy !== undefined && policy !== null && !sidecar) {
      errs.push(notSupported(childPath(p, 'restartPolicy'), str(c, 'restartPolicy'), ['Always']));
    }
    const name = str(c, 'name');
    if (names.has(name)) errs.push(duplicate(childPath(p, 'name'), name));
    else if (name !== '') names.add(name);
    errs.push(...checkHostPortConflicts([c], path));
    if (sidecar) errs.push(...validateProbesAndHooks(c, p));
    else {
      if (obj(c, 'lifecycle') !== undefined)
        errs.push(forbidden(childPath(p, 'lifecycle'), NOT_FOR_INIT));
      if (obj(c, 'livenessProbe') !== undefined) {
        errs.push(forbidden(childPath(p, 'livenessProbe'), NOT_FOR_INIT));
      }
      if (obj(c, 'readinessProbe') !== undefined) {
        errs.push(forbidden(childPath(p, 'readinessProbe'), 'may not be set for init containers'));
      }
      if (obj(c, 'startupProbe') !== undefined) {
        errs.push(forbidden(childPath(p, 'startupProbe'), NOT_FOR_INIT));
      }
    }
  });
  return errs;
}
