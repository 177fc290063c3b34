// The root-ca-cert-publisher: what it writes for a namespace's ConfigMap (table, as upstream's
// publisher_test.go cases), and the controller against a real API server: every namespace gets
// kube-root-ca.crt, a new namespace too, and a deleted or edited one comes back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.d.ts';
import { isNotFound } from '../../client/index.ts';
import { RESOURCES } from '../controller.ts';
import { newControllerFixture } from '../../../test/harness/controller-fixture.ts';
import type { ControllerFixture } from '../../../test/harness/controller-fixture.ts';
import { until } from '../../../test/harness/until.ts';
import {
  DESCRIPTION_ANNOTATION,
  ROOT_CA_CONFIG_MAP,
  ROOT_CA_DESCRIPTION,
  RootCaCertPublisher,
  checkRootCaBundle,
  desiredRootCaConfigMap,
} from './root-ca-cert-publisher.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const cm = (data: Record<string, string>, annotations?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: ROOT_CA_CONFIG_MAP,
    namespace: 'ns',
    resourceVersion: '7',
    labels: { mine: 'yes' },
    ...(annotations === undefined ? {} : { annotations }),
  },
  data,
});
const described = { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION };

describe('desiredRootCaConfigMap', () => {
  const cases: {
    name: string;
    current: ConfigMap | undefined;
    want: 'create' | 'update' | 'none';
  }[] = [
    { name: 'missing: create', current: undefined, want: 'create' },
    { name: 'up to date: nothing', current: cm({ 'ca.crt': CA }, described), want: 'none' },
    {
      name: 'a custom description is kept',
      current: cm({ 'ca.crt': CA }, { [DESCRIPTION_ANNOTATION]: 'mine' }),
      want: 'none',
    },
    { name: 'edited ca.crt: update', current: cm({ 'ca.crt': 'x' }, described), want: 'update' },
    {
      name: 'an extra key: update',
      current: cm({ 'ca.crt': CA, more: '1' }, described),
      want: 'update',
    },
    { name: 'no description: update', current: cm({ 'ca.crt': CA }), want: 'update' },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = desiredRootCaConfigMap('ns', c.current, CA);
      assert.equal(got.action, c.want);
      if (got.action === 'none') return;
      assert.deepEqual(got.configMap.data, { 'ca.crt': CA });
      const meta = got.configMap.metadata ?? {};
      assert.equal(meta.namespace, 'ns');
      assert.equal(meta.annotations?.[DESCRIPTION_ANNOTATION], ROOT_CA_DESCRIPTION);
      if (got.action === 'update') {
        // The object is updated in place: its resourceVersion and other metadata stay.
        assert.equal(meta.resourceVersion, '7');
        assert.deepEqual(meta.labels, { mine: 'yes' });
      }
    });

  it('refuses a bundle without a certificate, naming its source', () => {
    assert.throws(() => checkRootCaBundle('not a cert', '/etc/ca.crt'), {
      message:
        'error parsing root-ca-file at /etc/ca.crt: data does not contain any valid RSA or ECDSA certificates',
    });
    assert.equal(checkRootCaBundle(CA, 'x'), CA);
  });
});

describe('root-ca-cert-publisher controller', () => {
  let f: ControllerFixture;
  before(async () => {
    f = await newControllerFixture({ nodes: [] });
    f.run([new RootCaCertPublisher(f.ctx, { loadRootCa: () => Promise.resolve(f.api.caPem) })]);
  });
  after(async () => {
    await f.stop();
  });

  const published = (
    ns: string,
    check: (c: ConfigMap) => boolean = () => true,
  ): Promise<ConfigMap> =>
    until(`kube-root-ca.crt in ${ns}`, async () => {
      try {
        const c = await f.get<ConfigMap>(RESOURCES.configMaps, ROOT_CA_CONFIG_MAP, ns);
        return c.data?.['ca.crt'] === f.api.caPem && check(c) ? c : undefined;
      } catch (err: unknown) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    });

  it('publishes the CA in every existing namespace, with upstream annotation', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      const c = await published(ns);
      assert.equal(c.metadata?.annotations?.[DESCRIPTION_ANNOTATION], ROOT_CA_DESCRIPTION);
      assert.deepEqual(Object.keys(c.data ?? {}), ['ca.crt']);
    }
  });

  it('publishes it in a new namespace', async () => {
    await f.client.create<Namespace>(RESOURCES.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a' },
    });
    await published('team-a');
  });

  it('re-creates it after a delete', async () => {
    const before = await published('default');
    await f.client.delete({
      ...RESOURCES.configMaps,
      namespace: 'default',
      name: ROOT_CA_CONFIG_MAP,
    });
    const again = await published('default', (c) => c.metadata?.uid !== before.metadata?.uid);
    assert.notEqual(again.metadata?.uid, before.metadata?.uid);
  });

  it('repairs an edited ca.crt and a removed description, keeping other metadata', async () => {
    const ref = { ...RESOURCES.configMaps, namespace: 'team-a', name: ROOT_CA_CONFIG_MAP };
    await published('team-a');
    await f.client.patch(
      ref,
      {
        metadata: { labels: { owner: 'me' }, annotations: { [DESCRIPTION_ANNOTATION]: null } },
        data: { 'ca.crt': 'tampered', extra: 'x' },
      },
      { type: 'merge' },
    );
    const fixed = await published(
      'team-a',
      (c) => c.metadata?.annotations?.[DESCRIPTION_ANNOTATION] === ROOT_CA_DESCRIPTION,
    );
    assert.deepEqual(fixed.data, { 'ca.crt': f.api.caPem });
    assert.equal(fixed.metadata?.labels?.['owner'], 'me');
  });
});
