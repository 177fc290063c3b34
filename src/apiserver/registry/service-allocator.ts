/**
 * ClusterIP and NodePort allocation for Services, shared by every API server replica: each
 * allocated IP or port is a key in the store (`/registry/ipallocations/<ip>`,
 * `/registry/nodeportallocations/<port>`) created only if absent, so two replicas can never hand
 * out the same one. Freed when the Service is deleted. Not guaranteed: a crash between the
 * allocation and the Service write leaks the key until a repair pass (not built yet) frees it.
 */
import { randomInt } from 'node:crypto';
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, stringField } from '../../api/json.ts';
import type { FieldError } from '../../api/validation/field-error.ts';
import { invalid as invalidField, stringSliceValue } from '../../api/validation/field-error.ts';
import { invalid } from '../../api/status.ts';
import { StoreAlreadyExistsError, StoreNotFoundError } from '../../storage/errors.ts';
import type { Store } from '../../storage/store.ts';
import type { KindHooks } from './resource-store.ts';

export interface ServiceAllocatorOptions {
  /** Default: 10.96.0.0/12 (kubeadm's default --service-cidr). */
  readonly serviceCidr?: string;
  /** Default: 30000-32767 (upstream's --service-node-port-range). */
  readonly nodePortRange?: { readonly min: number; readonly max: number };
}

const IP_PREFIX = '/registry/ipallocations/';
const PORT_PREFIX = '/registry/nodeportallocations/';

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    return Number.NaN;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => String(Math.floor(n / 2 ** s) % 256)).join('.');
}

/** Thrown when an allocation fails: the API server answers 422 Invalid with these causes. */
export class AllocationError extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((e) => e.detail).join('; '));
    this.name = 'AllocationError';
    this.errors = errors;
  }
}

export class ServiceAllocator {
  readonly #store: Store;
  readonly #first: number;
  readonly #size: number;
  readonly #ports: { min: number; max: number };

  constructor(store: Store, options: ServiceAllocatorOptions = {}) {
    this.#store = store;
    const [base = '10.96.0.0', bits = '12'] = (options.serviceCidr ?? '10.96.0.0/12').split('/');
    const prefix = Number(bits);
    const network = ipToInt(base);
    if (Number.isNaN(network) || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
      throw new Error(`invalid service CIDR ${options.serviceCidr ?? ''}`);
    }
    // Skip the network address (and the broadcast address at the top).
    this.#first = network + 1;
    this.#size = 2 ** (32 - prefix) - 2;
    this.#ports = { ...(options.nodePortRange ?? { min: 30000, max: 32767 }) };
  }

  /** The first address of the range: the `kubernetes` Service's ClusterIP. */
  get apiServerServiceIp(): string {
    return intToIp(this.#first);
  }

  /** Allocates what a new Service needs, in place; on failure frees what it took. */
  async allocate(service: JsonObject, owner: string): Promise<void> {
    const spec = isJsonObject(service['spec']) ? service['spec'] : {};
    service['spec'] = spec;
    const type = stringField(spec, 'type') ?? 'ClusterIP';
    const taken: string[] = [];
    try {
      if (type !== 'ExternalName') {
        const requested = stringField(spec, 'clusterIP') ?? '';
        if (requested !== 'None') {
          const ip =
            requested === ''
              ? await this.#allocateIp(owner)
              : await this.#claimIp(requested, owner);
          taken.push(`${IP_PREFIX}${ip}`);
          spec['clusterIP'] = ip;
          spec['clusterIPs'] = [ip];
        } else {
          spec['clusterIPs'] = ['None'];
        }
      }
      if (type === 'NodePort' || type === 'LoadBalancer') {
        const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
        for (const [i, port] of ports.entries()) {
          if (!isJsonObject(port)) continue;
          const requested = typeof port['nodePort'] === 'number' ? port['nodePort'] : 0;
          const nodePort =
            requested === 0
              ? await this.#allocatePort(owner)
              : await this.#claimPort(requested, owner, i);
          taken.push(`${PORT_PREFIX}${String(nodePort)}`);
          port['nodePort'] = nodePort;
        }
      }
    } catch (err: unknown) {
      await this.#free(taken);
      throw err;
    }
  }

  /** Frees the ClusterIP and node ports of a deleted Service. */
  async release(service: JsonObject): Promise<void> {
    const spec = isJsonObject(service['spec']) ? service['spec'] : {};
    const keys: string[] = [];
    const ip = stringField(spec, 'clusterIP');
    if (ip !== undefined && ip !== '' && ip !== 'None') keys.push(`${IP_PREFIX}${ip}`);
    for (const port of Array.isArray(spec['ports']) ? spec['ports'] : []) {
      if (isJsonObject(port) && typeof port['nodePort'] === 'number')
        keys.push(`${PORT_PREFIX}${String(port['nodePort'])}`);
    }
    await this.#free(keys);
  }

  async #free(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.#store.delete(key);
      } catch (err: unknown) {
        if (!(err instanceof StoreNotFoundError)) throw err;
      }
    }
  }

  async #tryClaim(key: string, owner: string): Promise<boolean> {
    try {
      await this.#store.create(key, Buffer.from(owner));
      return true;
    } catch (err: unknown) {
      if (err instanceof StoreAlreadyExistsError) return false;
      throw err;
    }
  }

  async #claimIp(ip: string, owner: string): Promise<string> {
    const n = ipToInt(ip);
    if (Number.isNaN(n) || n < this.#first || n >= this.#first + this.#size) {
      throw new AllocationError([
        invalidField(
          'spec.clusterIPs',
          stringSliceValue([ip]),
          `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${intToIp(this.#first - 1)}/${String(32 - Math.log2(this.#size + 2))}`,
        ),
      ]);
    }
    if (!(await this.#tryClaim(`${IP_PREFIX}${ip}`, owner))) {
      throw new AllocationError([
        invalidField(
          'spec.clusterIPs',
          stringSliceValue([ip]),
          `failed to allocate IP ${ip}: provided IP is already allocated`,
        ),
      ]);
    }
    return ip;
  }

  /** A random free address (the first one stays for the kubernetes Service), as upstream. */
  async #allocateIp(owner: string): Promise<string> {
    const start = randomInt(1, this.#size);
    for (let i = 0; i < Math.min(this.#size, 4096); i++) {
      const offset = 1 + ((start - 1 + i) % (this.#size - 1));
      const ip = intToIp(this.#first + offset);
      if (await this.#tryClaim(`${IP_PREFIX}${ip}`, owner)) return ip;
    }
    throw new AllocationError([
      invalidField('spec.clusterIPs', '', 'failed to allocate IP: range is full'),
    ]);
  }

  async #claimPort(port: number, owner: string, index: number): Promise<number> {
    const { min, max } = this.#ports;
    const field = `spec.ports[${String(index)}].nodePort`;
    if (port < min || port > max) {
      throw new AllocationError([
        invalidField(
          field,
          port,
          `provided port is not in the valid range. The range of valid ports is ${String(min)}-${String(max)}`,
        ),
      ]);
    }
    if (!(await this.#tryClaim(`${PORT_PREFIX}${String(port)}`, owner))) {
      throw new AllocationError([invalidField(field, port, 'provided port is already allocated')]);
    }
    return port;
  }

  async #allocatePort(owner: string): Promise<number> {
    const { min, max } = this.#ports;
    const span = max - min + 1;
    const start = randomInt(0, span);
    for (let i = 0; i < span; i++) {
      const port = min + ((start + i) % span);
      if (await this.#tryClaim(`${PORT_PREFIX}${String(port)}`, owner)) return port;
    }
    throw new AllocationError([
      invalidField('spec.ports', '', 'failed to allocate a node port: range is full'),
    ]);
  }
}

/** The Service hooks of ResourceStore: allocate on create, free on failure and on delete. */
export function serviceHooks(allocator: ServiceAllocator): KindHooks {
  const owner = (obj: JsonObject): string => {
    const meta = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
    return `${stringField(meta, 'namespace') ?? ''}/${stringField(meta, 'name') ?? ''}`;
  };
  return {
    beforeCreate: async (obj) => {
      try {
        await allocator.allocate(obj, owner(obj));
      } catch (err: unknown) {
        if (!(err instanceof AllocationError)) throw err;
        const name =
          stringField(isJsonObject(obj['metadata']) ? obj['metadata'] : {}, 'name') ?? '';
        throw invalid({ group: '', kind: 'Service' }, name, err.errors);
      }
    },
    createFailed: (obj) => allocator.release(obj),
    afterDelete: (obj) => allocator.release(obj),
  };
}
