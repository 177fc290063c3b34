import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goGrpcCodeName, goStatusErrorText } from './go-grpc-status.ts';

describe('grpc-go status texts', () => {
  it('names codes as codes.Code.String() does', () => {
    assert.deepEqual([0, 4, 5, 11, 12, 14, 15, 16, 17].map(goGrpcCodeName), [
      'OK',
      'DeadlineExceeded',
      'NotFound',
      'OutOfRange',
      'Unimplemented',
      'Unavailable',
      'DataLoss',
      'Unauthenticated',
      'Code(17)',
    ]);
  });

  it('prints a status error as status.Error does', () => {
    assert.equal(
      goStatusErrorText(5, 'unknown service'),
      'rpc error: code = NotFound desc = unknown service',
    );
  });
});
