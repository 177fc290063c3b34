import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupDriverFromStatusInfo } from './cgroup-driver-from-status-info.ts';

describe('cgroupDriverFromStatusInfo', () => {
  it('reads SystemdCgroup from containerd 1.x status info', () => {
    const info = (options: unknown) => ({
      config: JSON.stringify({
        containerd: { defaultRuntimeName: 'runc', runtimes: { runc: { options } } },
      }),
    });
    assert.equal(cgroupDriverFromStatusInfo(info({ SystemdCgroup: false })), 'cgroupfs');
    assert.equal(cgroupDriverFromStatusInfo(info({ SystemdCgroup: true })), 'systemd');
    assert.equal(cgroupDriverFromStatusInfo(info({})), 'cgroupfs');
    assert.equal(cgroupDriverFromStatusInfo({}), undefined);
    assert.equal(cgroupDriverFromStatusInfo({ config: 'not json' }), undefined);
  });
});
