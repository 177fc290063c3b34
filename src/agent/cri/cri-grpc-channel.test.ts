import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeEndpoint } from './cri-grpc-channel.ts';

// Calls over the channel (deadlines, NotFound, abort, fail-fast when down) are tested through
// GrpcCriClient against a fake runtime in grpc-cri-client.test.ts.
describe('normalizeEndpoint', () => {
  it('accepts unix:// endpoints and absolute paths only', () => {
    assert.equal(normalizeEndpoint('/run/c.sock'), 'unix:///run/c.sock');
    assert.equal(normalizeEndpoint('unix:///run/c.sock'), 'unix:///run/c.sock');
    assert.throws(() => normalizeEndpoint('tcp://1.2.3.4:1'), /use unix:/);
  });
});
