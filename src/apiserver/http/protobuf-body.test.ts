import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ApiError } from '../../api/status.ts';
import { decodeProtobufObject } from './protobuf-body.ts';
import { defaultProtoSchemas } from './protobuf/proto-schemas.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

const testdata = new URL('./testdata/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, testdata));

/** An envelope with the given typeMeta around `raw` (already-encoded message bytes). */
function envelope(typeMeta: { apiVersion?: string; kind?: string }, raw: Uint8Array): Buffer {
  const unknown = defaultProtoSchemas.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')!;
  const bytes = unknown.encode(unknown.fromObject({ typeMeta, raw })).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes]);
}

function assertApiError(fn: () => unknown, code: number, message?: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

// Bodies captured from kubectl 1.33 (protobuf) and 1.31 (JSON) for the same commands; see
// testdata/README.md for the autoscale exceptions (its API version differs between releases).
// The decoded protobuf must be the JSON object, key order included.
describe('kubectl 1.33 protobuf bodies decode to kubectl 1.31 JSON', () => {
  const names = readdirSync(testdata).filter((f) => f.endsWith('.json'));
  // Every file pair below is checked; these are the commands that must stay covered.
  const required = [
    ...['create-namespace', 'create-configmap', 'create-deployment', 'drain-delete-options'],
    ...['auth-can-i-create-pods', 'auth-can-i-list-deployments', 'auth-whoami'],
    ...['create-job', 'create-cronjob', 'create-token', 'create-pdb'],
    ...['create-role', 'create-rolebinding', 'create-clusterrole', 'create-clusterrolebinding'],
    ...['autoscale', 'autoscale-v1', 'create-priorityclass', 'create-ingress'],
  ];
  it('has the required fixtures', () => {
    const missing = required.filter((n) => !names.includes(`${n}.json`));
    assert.deepEqual(missing, []);
  });
  for (const name of names) {
    it(name.replace(/\.json$/, ''), () => {
      const want: unknown = JSON.parse(fixture(name).toString('utf8'));
      const got = decodeProtobufObject(fixture(name.replace(/\.json$/, '.pb')));
      assert.deepStrictEqual(got, want);
      assert.equal(JSON.stringify(got), JSON.stringify(want));
    });
  }
});

describe('kinds without a schema here answer 415', () => {
  const cases = [
    { apiVersion: 'storage.k8s.io/v1', group: 'storage.k8s.io', kind: 'StorageClass' },
    { apiVersion: 'autoscaling/v2beta2', group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
    { apiVersion: 'stable.example.com/v1', group: 'stable.example.com', kind: 'CronTab' },
  ];
  for (const c of cases) {
    it(`${c.apiVersion} ${c.kind}`, () => {
      const body = envelope({ apiVersion: c.apiVersion, kind: c.kind }, new Uint8Array());
      assert.throws(
        () => decodeProtobufObject(body),
        (err: unknown) => {
          assert.ok(err instanceof ApiError);
          assert.equal(err.code, 415);
          assert.equal(err.reason, 'UnsupportedMediaType');
          assert.deepEqual(err.details, { group: c.group, kind: c.kind });
          assert.equal(
            err.message,
            'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
          );
          return true;
        },
      );
    });
  }
  it('an unknown group, and a kind that is not a top-level object', () => {
    assertApiError(
      () =>
        decodeProtobufObject(envelope({ apiVersion: 'x.io/v1', kind: 'Foo' }, new Uint8Array())),
      415,
    );
    assertApiError(
      () => decodeProtobufObject(envelope({ apiVersion: 'v1', kind: 'PodSpec' }, new Uint8Array())),
      415,
    );
  });
});

describe('envelope errors are 400s worded as upstream', () => {
  it('empty, not protobuf, magic only', () => {
    assertApiError(() => decodeProtobufObject(Buffer.alloc(0)), 400, 'empty data');
    assertApiError(
      () => decodeProtobufObject(Buffer.from('{"kind":"Namespace"}')),
      400,
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
    assertApiError(() => decodeProtobufObject(Buffer.from('k8s\0', 'latin1')), 400, 'empty body');
  });

  it('missing kind or apiVersion, unless defaulted from the endpoint', () => {
    const noKind = envelope({ apiVersion: 'v1' }, new Uint8Array());
    assertApiError(
      () => decodeProtobufObject(noKind),
      400,
      `Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"v1", Kind:""}'`,
    );
    assertApiError(
      () => decodeProtobufObject(envelope({ kind: 'Namespace' }, new Uint8Array())),
      400,
      /^Object 'apiVersion' is missing/,
    );
    const decoded = decodeProtobufObject(noKind, {
      defaults: { apiVersion: 'v1', kind: 'Namespace' },
    });
    assert.deepEqual(decoded, {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { creationTimestamp: null },
      spec: {},
      status: {},
    });
  });

  it('meta/v1 DeleteOptions under any group version', () => {
    const raw = fixture('drain-delete-options.pb');
    const unknown = defaultProtoSchemas.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown')!;
    const inner = (unknown.decode(raw.subarray(4)) as unknown as { raw: Uint8Array }).raw;
    for (const apiVersion of ['apps/v1', 'meta.k8s.io/v1']) {
      const decoded = decodeProtobufObject(envelope({ apiVersion, kind: 'DeleteOptions' }, inner));
      assert.deepEqual(decoded, { kind: 'DeleteOptions', apiVersion, gracePeriodSeconds: 0 });
    }
  });
});

describe('hostile bytes give typed errors, quickly', () => {
  /** Deterministic xorshift, so a failure can be replayed. */
  function random(seed: number): () => number {
    let x = seed;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 2 ** 32;
    };
  }
  function tryDecode(body: Buffer): void {
    try {
      decodeProtobufObject(body);
    } catch (err: unknown) {
      assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
      assert.ok([400, 415].includes(err.code), `${String(err.code)}: ${err.message}`);
    }
  }
  const seeds = readdirSync(testdata)
    .filter((f) => f.endsWith('.pb'))
    .map((f) => fixture(f));

  it('every truncation of every captured body', () => {
    for (const body of seeds) for (let n = 0; n < body.length; n++) tryDecode(body.subarray(0, n));
  });

  it('random byte flips in captured bodies, and random bytes after the magic', () => {
    const next = random(0x6b387300);
    const ms = cpuTimeMs(() => {
      for (let i = 0; i < 4000; i++) {
        const body = Buffer.from(seeds[i % seeds.length]!);
        for (let flips = 1 + Math.floor(next() * 4); flips > 0; flips--) {
          body[4 + Math.floor(next() * (body.length - 4))] = Math.floor(next() * 256);
        }
        tryDecode(body);
        const noise = Buffer.alloc(4 + Math.floor(next() * 200));
        noise.write('k8s\0', 'latin1');
        for (let j = 4; j < noise.length; j++) noise[j] = Math.floor(next() * 256);
        tryDecode(noise);
      }
    });
    assert.ok(ms < 10_000, `fuzzing took ${String(ms)} ms of CPU`);
  });

  it('deeply nested groups and huge lengths', () => {
    tryDecode(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.alloc(200_000, 0x0b)]));
    tryDecode(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]));
  });
});
