import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import {
  clusterDnsIp,
  kubeletConfigCgroupDriver,
  kubeletConfigurationYaml,
} from './kubelet-configuration.ts';

test('the KubeletConfiguration carries the cluster DNS (10th service IP) and the cgroup driver', () => {
  const yaml = kubeletConfigurationYaml({
    serviceCidr: '10.96.0.0/12',
    dnsDomain: 'cluster.local',
    cgroupDriver: 'cgroupfs',
  });
  const doc = parse(yaml) as Record<string, unknown>;
  assert.equal(doc['kind'], 'KubeletConfiguration');
  assert.equal(doc['apiVersion'], 'kubelet.config.k8s.io/v1beta1');
  assert.deepEqual(doc['clusterDNS'], ['10.96.0.10']);
  assert.equal(doc['clusterDomain'], 'cluster.local');
  assert.equal(kubeletConfigCgroupDriver(yaml), 'cgroupfs');
});

test('no driver, a bad driver or bad YAML read as none', () => {
  const yaml = kubeletConfigurationYaml({
    serviceCidr: '10.100.0.0/16',
    dnsDomain: 'x.local',
    cgroupDriver: undefined,
  });
  assert.equal(kubeletConfigCgroupDriver(yaml), undefined);
  assert.equal(kubeletConfigCgroupDriver('cgroupDriver: docker'), undefined);
  assert.equal(kubeletConfigCgroupDriver(': :'), undefined);
  assert.equal(clusterDnsIp('10.100.0.0/16'), '10.100.0.10');
});
