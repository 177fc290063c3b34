/**
 * Pod volume validation over HTTP with real kubectl 1.33: `kubectl apply` (client-side and
 * `--server-side`) of pods with bad volumes gets a 422 whose message and causes kubectl prints
 * exactly as it prints upstream's (`The Pod "x" is invalid: <field>: <message>`, several causes
 * as `* ` lines), and nothing is stored. The unit tables (volume-validation.test.ts) cover every
 * rule; this proves the wire path: Status reason, details.kind/name and causes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

const pod = (name: string, spec: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default}
spec:
${spec}`;

const ESCAPING_ITEM = pod(
  'escapes',
  `  containers: [{name: c, image: busybox}]
  volumes: [{name: cfg, configMap: {name: cfg, items: [{key: a, path: ../../etc/cron.d/x}]}}]
`,
);

const SEVERAL = pod(
  'several',
  `  containers:
  - name: c
    image: busybox
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: host, mountPath: /data, subPath: /abs}
  volumes:
  - {name: host, hostPath: {path: /srv, type: Folder}}
  - name: token
    projected: {sources: [{serviceAccountToken: {path: t, expirationSeconds: 60}}]}
`,
);

describe('kubectl 1.33 apply of pods with bad volumes', { skip: !hasKubectl('1.33') }, () => {
  let fx: ApiServerFixture;
  const k = (args: string[], input?: string) => kubectl('1.33', fx.kubeconfigPath, args, input);

  before(async () => {
    fx = await startApiServerFixture(new MemoryStore());
    // The ServiceAccount admission plugin runs before validation and needs `default`.
    await until('the default ServiceAccount', async () =>
      (await k(['get', 'serviceaccount', 'default'])).code === 0 ? true : undefined,
    );
  });
  after(async () => {
    await fx.stop();
  });

  it('one error: printed on one line, with upstream field path and message', async () => {
    for (const extra of [[], ['--server-side']]) {
      const r = await k(['apply', ...extra, '-f', '-'], ESCAPING_ITEM);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(
        r.stderr,
        `The Pod "escapes" is invalid: spec.volumes[0].configMap.items[0].path: Invalid value: "../../etc/cron.d/x": must not contain '..'\n`,
        extra.join(' '),
      );
    }
  });

  it('several errors: one `*` line per cause, in upstream order; nothing stored', async () => {
    const r = await k(['apply', '-f', '-'], SEVERAL);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(
      r.stderr,
      [
        'The Pod "several" is invalid: ',
        '* spec.volumes[0].hostPath.type: Unsupported value: "Folder": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
        '* spec.volumes[1].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
        '* spec.containers[0].volumeMounts[0].name: Not found: "data"',
        '* spec.containers[0].volumeMounts[1].name: Not found: "host"',
        '* spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
        '* spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path',
        '',
      ].join('\n'),
    );
    const got = await k(['get', 'pods', '-o', 'name']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, '');
  });
});
