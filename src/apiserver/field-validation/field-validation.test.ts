import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../api/json.ts';
import { ApiError } from '../../api/status.ts';
import {
  checkFieldValidation,
  fieldValidationDirective,
  strictDecodingMessage,
  unknownFieldProblems,
} from './field-validation.ts';
import type { FieldValidationInput } from './field-validation.ts';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

const typoBody =
  '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},' +
  '"spec":{"replicasx":1,"replicas":1,"replicas":2,"bar":true}}';

function input(
  query: string,
  body = typoBody,
  contentType = 'application/json',
): FieldValidationInput {
  return {
    target: DEPLOYMENT,
    body: Buffer.from(body),
    contentType,
    object: JSON.parse(body) as JsonObject,
    query: new URLSearchParams(query),
    options: 'CreateOptions',
  };
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err: unknown) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.fail('expected an ApiError');
}

describe('fieldValidationDirective', () => {
  const cases: [string, string][] = [
    ['', 'Warn'],
    ['fieldValidation=', 'Warn'],
    ['fieldValidation=Warn', 'Warn'],
    ['fieldValidation=Strict', 'Strict'],
    ['fieldValidation=Ignore', 'Ignore'],
    ['fieldValidation=Strict&fieldValidation=Ignore', 'Strict'],
  ];
  for (const [query, want] of cases) {
    it(`${query || '(absent)'} → ${want}`, () => {
      assert.equal(fieldValidationDirective(new URLSearchParams(query), 'CreateOptions'), want);
    });
  }

  it('any other value is a 422 on the options kind, worded as upstream', () => {
    assert.throws(
      () =>
        fieldValidationDirective(new URLSearchParams('fieldValidation=strict'), 'UpdateOptions'),
      (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, 422);
        assert.equal(err.reason, 'Invalid');
        assert.equal(
          err.message,
          'UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
        );
        return true;
      },
    );
  });
});

describe('checkFieldValidation', () => {
  it('Strict: 400 with every problem, in document order', async () => {
    const err = await rejection(checkFieldValidation(input('fieldValidation=Strict')));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(
      err.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ' +
        'unknown field "spec.replicasx", duplicate field "spec.replicas", unknown field "spec.bar"',
    );
  });

  it('Warn (and the default): one warning per problem', async () => {
    const want = [
      'unknown field "spec.replicasx"',
      'duplicate field "spec.replicas"',
      'unknown field "spec.bar"',
    ];
    assert.deepEqual((await checkFieldValidation(input('fieldValidation=Warn'))).warnings, want);
    assert.deepEqual((await checkFieldValidation(input(''))).warnings, want);
  });

  it('Ignore: nothing', async () => {
    const r = await checkFieldValidation(input('fieldValidation=Ignore'));
    assert.deepEqual(r, { directive: 'Ignore', warnings: [] });
  });

  it('a clean body passes Strict', async () => {
    const body = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},"spec":{}}';
    assert.deepEqual(
      (await checkFieldValidation(input('fieldValidation=Strict', body))).warnings,
      [],
    );
  });

  it('YAML bodies: unknown fields from the decoded object', async () => {
    const i = input(
      'fieldValidation=Strict',
      '{"kind":"Deployment","spec":{"foo":1}}',
      'application/yaml',
    );
    const err = await rejection(checkFieldValidation(i));
    assert.equal(
      err.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    );
  });

  it('the message names the body version and kind, defaulted from the target', async () => {
    const body = '{"apiVersion":"apps/v1beta9","spec":{"x":1}}';
    const err = await rejection(checkFieldValidation(input('fieldValidation=Strict', body)));
    assert.match(
      err.message,
      /^Deployment in version "v1beta9" cannot be handled as a Deployment: /,
    );
  });

  it('protobuf bodies are not checked (upstream decodes them leniently)', async () => {
    const i = input('fieldValidation=Strict', typoBody, 'application/vnd.kubernetes.protobuf');
    assert.deepEqual((await checkFieldValidation(i)).warnings, []);
  });

  it('kinds without a schema still get duplicate checks', async () => {
    const i = {
      ...input('fieldValidation=Strict', '{"kind":"Y","spec":{"a":1,"a":2,"b":1}}'),
      target: { group: 'x.io', version: 'v1', kind: 'Y' },
    };
    const err = await rejection(checkFieldValidation(i));
    assert.match(err.message, /strict decoding error: duplicate field "spec.a"$/);
  });
});

describe('building blocks for patch', () => {
  it('unknownFieldProblems and strictDecodingMessage', async () => {
    const problems = await unknownFieldProblems(DEPLOYMENT, { spec: { a: 1, replicas: 1 }, b: 2 });
    assert.deepEqual(problems, ['unknown field "spec.a"', 'unknown field "b"']);
    assert.equal(
      strictDecodingMessage(problems),
      'strict decoding error: unknown field "spec.a", unknown field "b"',
    );
  });
});
