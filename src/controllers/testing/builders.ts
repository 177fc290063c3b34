/**
 * Object builders for controller tests (sample-controller's `newFoo(...)` style): each returns a
 * fresh object with the fields the API server would have defaulted, so a table case states
 * only what it is about. Test support only; nothing in a controller imports this.
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.d.ts';
import type { Job } from 'kubernetes-types/batch/v1.d.ts';
import type { Node, Pod, PodTemplateSpec, Service, Taint } from 'kubernetes-types/core/v1.d.ts';

let uidSeq = 0;
/** A unique UID per call (deterministic within a process). */
export const newUid = (): string => `00000000-0000-0000-0000-${String(++uidSeq).padStart(12, '0')}`;

export const T0 = Date.UTC(2016, 4, 20, 0, 0, 0);
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function podTemplate(labels: Record<string, string>, image = 'nginx'): PodTemplateSpec {
  return { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'c', image }] } };
}

export interface DeploymentOptions {
  readonly revisionHistoryLimit?: number;
  readonly maxSurge?: number | string;
  readonly maxUnavailable?: number | string;
  readonly selector?: Record<string, string>;
  readonly strategy?: 'RollingUpdate' | 'Recreate';
  readonly progressDeadlineSeconds?: number;
  readonly image?: string;
}

/** upstream's newDeployment(name, replicas, revisionHistoryLimit, maxSurge, maxUnavailable, selector). */
export function newDeployment(
  name: string,
  replicas: number,
  o: DeploymentOptions = {},
): Deployment {
  const selector = o.selector ?? { foo: 'bar' };
  const strategy = o.strategy ?? 'RollingUpdate';
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: newUid(), generation: 1, annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: { ...selector } },
      template: podTemplate(selector, o.image),
      strategy:
        strategy === 'Recreate'
          ? { type: 'Recreate' }
          : {
              type: 'RollingUpdate',
              rollingUpdate: { maxSurge: o.maxSurge ?? 0, maxUnavailable: o.maxUnavailable ?? 0 },
            },
      ...(o.revisionHistoryLimit === undefined
        ? {}
        : { revisionHistoryLimit: o.revisionHistoryLimit }),
      ...(o.progressDeadlineSeconds === undefined
        ? {}
        : { progressDeadlineSeconds: o.progressDeadlineSeconds }),
    },
    status: {},
  };
}

/** upstream's rs(name, replicas, selector, timestamp). */
export function newReplicaSet(
  name: string,
  replicas: number,
  o: { selector?: Record<string, string>; createdMs?: number; available?: number } = {},
): ReplicaSet {
  const selector = o.selector ?? { foo: 'bar' };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: newUid(),
      creationTimestamp: iso(o.createdMs ?? T0),
      generation: 1,
      annotations: {},
    },
    spec: { replicas, selector: { matchLabels: { ...selector } }, template: podTemplate(selector) },
    status: {
      replicas,
      availableReplicas: o.available ?? replicas,
      readyReplicas: o.available ?? replicas,
      observedGeneration: 1,
    },
  };
}

export interface PodOptions {
  readonly labels?: Record<string, string>;
  readonly node?: string;
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  readonly ready?: boolean;
  readonly readySinceMs?: number;
  readonly createdMs?: number;
  readonly restarts?: number;
  readonly owner?: { kind: string; name: string; uid: string; apiVersion?: string };
  readonly deleting?: boolean;
  readonly annotations?: Record<string, string>;
}

export function newPod(name: string, o: PodOptions = {}): Pod {
  const phase = o.phase ?? (o.node === undefined ? 'Pending' : 'Running');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: newUid(),
      labels: { ...(o.labels ?? {}) },
      creationTimestamp: iso(o.createdMs ?? T0),
      ...(o.annotations === undefined ? {} : { annotations: { ...o.annotations } }),
      ...(o.deleting === true ? { deletionTimestamp: iso(T0) } : {}),
      ...(o.owner === undefined
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: o.owner.apiVersion ?? 'apps/v1',
                kind: o.owner.kind,
                name: o.owner.name,
                uid: o.owner.uid,
                controller: true,
              },
            ],
          }),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx' }],
      ...(o.node === undefined ? {} : { nodeName: o.node }),
    },
    status: {
      phase,
      conditions: [
        {
          type: 'Ready',
          status: o.ready === true ? 'True' : 'False',
          ...(o.readySinceMs === undefined ? {} : { lastTransitionTime: iso(o.readySinceMs) }),
        },
      ],
      containerStatuses: [
        {
          name: 'c',
          image: 'nginx',
          imageID: '',
          ready: o.ready === true,
          restartCount: o.restarts ?? 0,
        },
      ],
    },
  };
}

export function newNode(
  name: string,
  o: { labels?: Record<string, string>; taints?: Taint[]; ready?: boolean } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: newUid(),
      labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) },
    },
    spec: o.taints === undefined ? {} : { taints: o.taints },
    status: {
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export function newDaemonSet(
  name: string,
  labels: Record<string, string> = { app: name },
): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default', uid: newUid(), generation: 1 },
    spec: {
      selector: { matchLabels: { ...labels } },
      template: podTemplate(labels),
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    },
  };
}

export function newStatefulSet(name: string, replicas: number): StatefulSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default', uid: newUid(), generation: 1 },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: labels },
      template: podTemplate(labels),
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    },
  };
}

export function newJob(
  name: string,
  o: { completions?: number; parallelism?: number; backoffLimit?: number; indexed?: boolean } = {},
): Job {
  const labels = { 'job-name': name };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', uid: newUid(), generation: 1 },
    spec: {
      ...(o.completions === undefined ? {} : { completions: o.completions }),
      parallelism: o.parallelism ?? 1,
      backoffLimit: o.backoffLimit ?? 6,
      completionMode: o.indexed === true ? 'Indexed' : 'NonIndexed',
      selector: { matchLabels: labels },
      template: {
        ...podTemplate(labels),
        spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' },
      },
    },
    status: {},
  };
}

/** A Service `web` selecting `app=web`, port 80 to the named container port `http`. */
export function newService(spec: Service['spec'] = {}): Service {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: { team: 'a' } },
    spec: {
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      ...spec,
    },
  };
}

/** A ready `app=web` pod on `n1` with IP `ip` ('' for none) and container port `http`. */
export function newServicePod(
  name: string,
  ip: string,
  o: PodOptions & { containerPort?: number } = {},
): Pod {
  const p = newPod(name, { labels: { app: 'web' }, node: 'n1', ready: true, ...o });
  return {
    ...p,
    spec: {
      ...p.spec,
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ name: 'http', containerPort: o.containerPort ?? 8080 }],
        },
      ],
    },
    status: { ...p.status, ...(ip === '' ? {} : { podIP: ip, podIPs: [{ ip }] }) },
  };
}
