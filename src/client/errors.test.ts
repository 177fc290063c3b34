import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiStatusError,
  errorFromResponse,
  hasStatusCause,
  isConflict,
  isExpired,
  isNamespaceTerminating,
  isNotFound,
} from './errors.ts';

describe('errorFromResponse', () => {
  it('keeps the Status body: code, reason, message, details', () => {
    const body = Buffer.from(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'configmaps "cm2" not found',
        reason: 'NotFound',
        details: { name: 'cm2', kind: 'configmaps' },
        code: 404,
      }),
    );
    const err = errorFromResponse(404, body);
    assert.ok(err instanceof ApiStatusError);
    assert.equal(err.code, 'CLIENT_API_STATUS');
    assert.equal(err.statusCode, 404);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.message, 'configmaps "cm2" not found');
    assert.deepEqual(err.details, { name: 'cm2', kind: 'configmaps' });
    assert.ok(isNotFound(err));
    assert.ok(!isConflict(err));
  });

  const cases: { status: number; body: string; reason: string }[] = [
    { status: 409, body: 'conflict', reason: 'Conflict' },
    { status: 410, body: '', reason: 'Gone' },
    { status: 502, body: '<html>bad gateway</html>', reason: 'Unknown' },
    { status: 503, body: '{"not":"a status"}', reason: 'ServiceUnavailable' },
  ];
  for (const c of cases)
    it(`a bare HTTP ${String(c.status)} gets reason ${c.reason}`, () => {
      const err = errorFromResponse(c.status, Buffer.from(c.body));
      assert.equal(err.statusCode, c.status);
      assert.equal(err.reason, c.reason);
    });

  it('isExpired accepts Expired and Gone', () => {
    assert.ok(isExpired(new ApiStatusError({ code: 410, reason: 'Expired' }, 410)));
    assert.ok(isExpired(new ApiStatusError({ code: 410, reason: 'Gone' }, 410)));
    assert.ok(!isExpired(new Error('410')));
  });
});

describe('status causes', () => {
  it('finds a cause by reason (a create in a terminating namespace)', () => {
    const err = errorFromResponse(
      403,
      Buffer.from(
        JSON.stringify({
          kind: 'Status',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: 'unable to create new content in namespace x because it is being terminated',
          details: { name: 'x', kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating' }] },
        }),
      ),
    );
    assert.ok(isNamespaceTerminating(err));
    assert.ok(!hasStatusCause(err, 'FieldValueInvalid'));
    assert.ok(!isNamespaceTerminating(errorFromResponse(403, Buffer.from('forbidden'))));
    assert.ok(!isNamespaceTerminating(new Error('NamespaceTerminating')));
  });
});
