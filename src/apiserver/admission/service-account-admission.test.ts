// The ServiceAccount admission plugin, as upstream's admission_test.go checks it: defaulting to
// `default` (and the deprecated alias), refusal when the account is missing (after the live
// retries for `default`), automount opt-outs on the pod and the account, the projected
// kube-api-access volume in init and regular containers, existing mounts and volumes kept,
// imagePullSecrets copied, mirror pods, and enforce-mountable-secrets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { ApiError } from '../../api/status.ts';
import {
  DEFAULT_API_TOKEN_MOUNT_PATH,
  ServiceAccountAdmission,
  tokenVolumeSource,
} from './service-account-admission.ts';

const sa = (name: string, extra: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: 'ns' },
  ...extra,
});

const pod = (spec: JsonObject, meta: JsonObject = {}): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', ...meta },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

const mount = (name = 'kube-api-access-abcde'): JsonObject => ({
  name,
  readOnly: true,
  mountPath: DEFAULT_API_TOKEN_MOUNT_PATH,
});

function plugin(
  accounts: JsonObject[],
  o: { cached?: boolean; liveReads?: { n: number } } = {},
): ServiceAccountAdmission {
  const find = (ns: string, name: string): JsonObject | undefined =>
    accounts.find((a) => {
      const m = a['metadata'] as JsonObject;
      return m['namespace'] === ns && m['name'] === name;
    });
  return new ServiceAccountAdmission({
    cached: (ns, name) => (o.cached === false ? undefined : find(ns, name)),
    live: (ns, name) => {
      if (o.liveReads !== undefined) o.liveReads.n++;
      return Promise.resolve(find(ns, name));
    },
    volumeName: () => 'kube-api-access-abcde',
    retryDelayMs: () => 1,
  });
}

async function admit(p: ServiceAccountAdmission, obj: JsonObject): Promise<JsonObject> {
  await p.admitCreate('ns', obj);
  return obj['spec'] as JsonObject;
}

async function refusal(p: ServiceAccountAdmission, obj: JsonObject): Promise<ApiError> {
  try {
    await p.admitCreate('ns', obj);
  } catch (err: unknown) {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    return err;
  }
  assert.fail('admitted');
}

const tokenVolume = { name: 'kube-api-access-abcde', projected: tokenVolumeSource() };

describe('ServiceAccount admission', () => {
  const cases: {
    name: string;
    accounts?: JsonObject[];
    spec: JsonObject;
    want: JsonObject;
  }[] = [
    {
      name: 'defaults to default and mounts the token volume',
      spec: {},
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [mount()] }],
        volumes: [tokenVolume],
      },
    },
    {
      name: 'the deprecated serviceAccount alias names the account',
      accounts: [sa('default'), sa('builder')],
      spec: { serviceAccount: 'builder' },
      want: {
        serviceAccountName: 'builder',
        serviceAccount: 'builder',
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [mount()] }],
        volumes: [tokenVolume],
      },
    },
    {
      name: 'automountServiceAccountToken false on the pod',
      spec: { automountServiceAccountToken: false },
      want: {
        automountServiceAccountToken: false,
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [{ name: 'c', image: 'busybox' }],
      },
    },
    {
      name: 'automountServiceAccountToken false on the account',
      accounts: [sa('default', { automountServiceAccountToken: false })],
      spec: {},
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [{ name: 'c', image: 'busybox' }],
      },
    },
    {
      name: "the pod's true wins over the account's false",
      accounts: [sa('default', { automountServiceAccountToken: false })],
      spec: { automountServiceAccountToken: true },
      want: {
        automountServiceAccountToken: true,
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [mount()] }],
        volumes: [tokenVolume],
      },
    },
    {
      name: 'a container that already mounts the path keeps its mount',
      spec: {
        containers: [
          {
            name: 'own',
            image: 'busybox',
            volumeMounts: [{ name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }],
          },
          { name: 'c', image: 'busybox' },
        ],
        volumes: [{ name: 'mine', emptyDir: {} }],
      },
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [
          {
            name: 'own',
            image: 'busybox',
            volumeMounts: [{ name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }],
          },
          { name: 'c', image: 'busybox', volumeMounts: [mount()] },
        ],
        volumes: [{ name: 'mine', emptyDir: {} }, tokenVolume],
      },
    },
    {
      name: 'no volume when every container mounts the path itself',
      spec: {
        containers: [
          {
            name: 'own',
            image: 'busybox',
            volumeMounts: [{ name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }],
          },
        ],
        volumes: [{ name: 'mine', emptyDir: {} }],
      },
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [
          {
            name: 'own',
            image: 'busybox',
            volumeMounts: [{ name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }],
          },
        ],
        volumes: [{ name: 'mine', emptyDir: {} }],
      },
    },
    {
      name: 'init containers get the mount too, before the containers',
      spec: { initContainers: [{ name: 'init', image: 'busybox' }] },
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        initContainers: [{ name: 'init', image: 'busybox', volumeMounts: [mount()] }],
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [mount()] }],
        volumes: [tokenVolume],
      },
    },
    {
      name: 'ephemeral containers are left alone, as upstream',
      spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] },
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        ephemeralContainers: [{ name: 'dbg', image: 'busybox' }],
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [mount()] }],
        volumes: [tokenVolume],
      },
    },
    {
      name: 'an existing kube-api-access-* volume is reused, not duplicated',
      spec: { volumes: [{ name: 'kube-api-access-zzzzz', emptyDir: {} }] },
      want: {
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [
          { name: 'c', image: 'busybox', volumeMounts: [mount('kube-api-access-zzzzz')] },
        ],
        volumes: [{ name: 'kube-api-access-zzzzz', emptyDir: {} }],
      },
    },
    {
      name: "the account's imagePullSecrets are copied to a pod without any",
      accounts: [sa('default', { imagePullSecrets: [{ name: 'reg' }] })],
      spec: { automountServiceAccountToken: false },
      want: {
        automountServiceAccountToken: false,
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [{ name: 'c', image: 'busybox' }],
        imagePullSecrets: [{ name: 'reg' }],
      },
    },
    {
      name: "a pod's own imagePullSecrets are kept",
      accounts: [sa('default', { imagePullSecrets: [{ name: 'reg' }] })],
      spec: { automountServiceAccountToken: false, imagePullSecrets: [{ name: 'mine' }] },
      want: {
        automountServiceAccountToken: false,
        imagePullSecrets: [{ name: 'mine' }],
        serviceAccountName: 'default',
        serviceAccount: 'default',
        containers: [{ name: 'c', image: 'busybox' }],
      },
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const spec = await admit(plugin(c.accounts ?? [sa('default')]), pod(c.spec));
      assert.deepEqual(spec, c.want);
    });

  it('the projected volume is what upstream mounts', () => {
    assert.deepEqual(tokenVolumeSource(), {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [
              {
                path: 'namespace',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ],
    });
  });

  it('generates kube-api-access-<5 chars> names by default', async () => {
    const p = new ServiceAccountAdmission({
      cached: () => sa('default'),
      live: () => Promise.resolve(undefined),
    });
    const spec = await admit(p, pod({}));
    const volumes = spec['volumes'] as JsonObject[];
    const name = volumes[0]?.['name'];
    assert.match(
      typeof name === 'string' ? name : '',
      /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
  });

  it('refuses a missing account with upstream message, after one live read', async () => {
    const reads = { n: 0 };
    const err = await refusal(
      plugin([sa('default')], { liveReads: reads }),
      pod({ serviceAccountName: 'ghost' }),
    );
    assert.equal(
      err.message,
      'pods "p" is forbidden: error looking up service account ns/ghost: serviceaccount "ghost" not found',
    );
    assert.equal(reads.n, 1);
  });

  it('retries a missing default account ten times, and names a generateName pod', async () => {
    const reads = { n: 0 };
    const noName = pod({});
    (noName['metadata'] as JsonObject) = { generateName: 'web-', namespace: 'ns' };
    const err = await refusal(plugin([], { liveReads: reads }), noName);
    assert.equal(
      err.message,
      'pods "web-" is forbidden: error looking up service account ns/default: serviceaccount "default" not found',
    );
    assert.equal(reads.n, 10);
  });

  it('finds an account the cache does not have yet with a live read', async () => {
    const reads = { n: 0 };
    const spec = await admit(
      plugin([sa('default'), sa('fresh')], { cached: false, liveReads: reads }),
      pod({ serviceAccountName: 'fresh' }),
    );
    assert.equal(spec['serviceAccountName'], 'fresh');
    assert.equal(reads.n, 1);
  });

  it('a failed lookup is a refusal that says why', async () => {
    const p = new ServiceAccountAdmission({
      cached: () => undefined,
      live: () => Promise.reject(new Error('the store is unreachable')),
    });
    const err = await refusal(p, pod({}));
    assert.match(
      err.message,
      /error looking up service account ns\/default: the store is unreachable$/,
    );
  });

  describe('mirror pods', () => {
    const mirror = (spec: JsonObject): JsonObject =>
      pod(spec, { annotations: { 'kubernetes.io/config.mirror': 'abc' } });
    it('are left unchanged', async () => {
      const spec = await admit(plugin([]), mirror({}));
      assert.deepEqual(spec, { containers: [{ name: 'c', image: 'busybox' }] });
    });
    const refused: [string, JsonObject, string][] = [
      [
        'a service account',
        { serviceAccountName: 'default' },
        'a mirror pod may not reference service accounts',
      ],
      [
        'a secret',
        { volumes: [{ name: 's', secret: { secretName: 'x' } }] },
        'a mirror pod may not reference secrets',
      ],
      [
        'a token projection',
        {
          volumes: [
            { name: 't', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } },
          ],
        },
        'a mirror pod may not use ServiceAccountToken volume projections',
      ],
    ];
    for (const [what, spec, why] of refused)
      it(`may not reference ${what}`, async () => {
        const err = await refusal(plugin([]), mirror(spec));
        assert.equal(err.message, `pods "p" is forbidden: ${why}`);
      });
  });

  describe('kubernetes.io/enforce-mountable-secrets', () => {
    const enforcing = sa('default', {
      metadata: {
        name: 'default',
        namespace: 'ns',
        annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' },
      },
      secrets: [{ name: 'ok' }],
    });
    it('admits references to the listed secrets', async () => {
      await admit(
        plugin([enforcing]),
        pod({ volumes: [{ name: 's', secret: { secretName: 'ok' } }] }),
      );
    });
    const refused: [string, JsonObject, string][] = [
      [
        'a secret volume',
        { volumes: [{ name: 's', secret: { secretName: 'no' } }] },
        'volume with secret.secretName="no" is not allowed because service account default does not reference that secret',
      ],
      [
        'an env secretKeyRef',
        {
          initContainers: [
            {
              name: 'i',
              image: 'busybox',
              env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 'no', key: 'k' } } }],
            },
          ],
        },
        'init container i with envVar E referencing secret.secretName="no" is not allowed because service account default does not reference that secret',
      ],
      [
        'an imagePullSecret',
        { imagePullSecrets: [{ name: 'no' }] },
        'imagePullSecrets[0].name="no" is not allowed because service account default does not reference that imagePullSecret',
      ],
    ];
    for (const [what, spec, why] of refused)
      it(`refuses ${what} it does not list`, async () => {
        const err = await refusal(plugin([enforcing]), pod(spec));
        assert.equal(err.message, `pods "p" is forbidden: ${why}`);
      });
  });
});
