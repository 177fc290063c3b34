import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { endpointsStrategy, serviceStrategy } from './service-strategy.ts';

const newService = (spec: JsonObject): JsonObject => ({
  metadata: { name: 'web', namespace: 'ns' },
  spec,
});

function created(spec: JsonObject): JsonObject {
  const svc = newService(spec);
  serviceStrategy.prepareForCreate?.(svc);
  serviceStrategy.defaults?.(svc);
  return svc;
}

const createErrors = (spec: JsonObject): string[] =>
  (serviceStrategy.validate?.(created(spec)) ?? []).map(formatFieldError);

describe('Service defaults (SetDefaults_Service) and create preparation', () => {
  it('a minimal ClusterIP service', () => {
    const svc = created({ selector: { app: 'd' }, ports: [{ port: 80 }] });
    assert.deepEqual(svc['spec'], {
      selector: { app: 'd' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    assert.deepEqual(svc['status'], { loadBalancer: {} });
  });

  it('NodePort and LoadBalancer get externalTrafficPolicy; LoadBalancer node ports', () => {
    const np = created({ type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] });
    const spec = np['spec'] as JsonObject;
    assert.equal(spec['externalTrafficPolicy'], 'Cluster');
    assert.deepEqual(spec['ports'], [{ port: 80, targetPort: 'http', protocol: 'TCP' }]);
    const lb = created({ type: 'LoadBalancer', ports: [{ port: 443 }] })['spec'] as JsonObject;
    assert.equal(lb['allocateLoadBalancerNodePorts'], true);
    assert.equal(lb['externalTrafficPolicy'], 'Cluster');
  });

  it('ClientIP affinity gets its 3-hour timeout; None drops the config', () => {
    const ip = created({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] })[
      'spec'
    ] as JsonObject;
    assert.deepEqual(ip['sessionAffinityConfig'], { clientIP: { timeoutSeconds: 10800 } });
    const none = created({
      ports: [{ port: 80 }],
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } },
    })['spec'] as JsonObject;
    assert.equal(none['sessionAffinityConfig'], undefined);
  });

  it('headless, given clusterIP, ExternalName', () => {
    const headless = created({ clusterIP: 'None', ports: [] })['spec'] as JsonObject;
    assert.deepEqual(headless['clusterIPs'], ['None']);
    assert.equal(headless['ipFamilyPolicy'], 'RequireDualStack');
    const given = created({ clusterIP: '10.96.0.10', ports: [{ port: 53 }] })['spec'] as JsonObject;
    assert.deepEqual(given['clusterIPs'], ['10.96.0.10']);
    assert.equal(given['ipFamilyPolicy'], 'SingleStack');
    const ext = created({ type: 'ExternalName', externalName: 'example.com' })[
      'spec'
    ] as JsonObject;
    assert.deepEqual(ext, {
      type: 'ExternalName',
      externalName: 'example.com',
      sessionAffinity: 'None',
    });
  });

  it('Endpoints ports default to TCP', () => {
    const ep: JsonObject = { subsets: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] };
    endpointsStrategy.defaults?.(ep);
    assert.deepEqual(ep['subsets'], [
      {
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
      },
    ]);
  });
});

describe('Service validation', () => {
  const portKey = (port: number): string =>
    `core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:${String(port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
  const cases: { name: string; spec: JsonObject; want: string[] }[] = [
    { name: 'valid', spec: { ports: [{ port: 80 }] }, want: [] },
    { name: 'headless without ports', spec: { clusterIP: 'None' }, want: [] },
    { name: 'no ports', spec: {}, want: ['spec.ports: Required value'] },
    {
      name: 'two unnamed ports, duplicated',
      spec: { ports: [{ port: 80 }, { port: 80 }] },
      want: [
        'spec.ports[0].name: Required value',
        'spec.ports[1].name: Required value',
        `spec.ports[1]: Duplicate value: ${portKey(80)}`,
      ],
    },
    {
      name: 'port out of range, bad name',
      spec: { ports: [{ port: 0, name: 'Web' }] },
      want: [
        `spec.ports[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      ],
    },
    {
      name: 'unknown type',
      spec: { type: 'Foo', ports: [{ port: 80 }] },
      want: [
        'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    },
    {
      name: 'ExternalName without a name',
      spec: { type: 'ExternalName' },
      want: ['spec.externalName: Required value'],
    },
    {
      name: 'node port and traffic policy on a ClusterIP service',
      spec: { ports: [{ port: 80, nodePort: 30080 }], externalTrafficPolicy: 'Local' },
      want: [
        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
        'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
      ],
    },
    {
      name: 'headless NodePort',
      spec: { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] },
      want: [
        'spec.clusterIPs[0]: Invalid value: "None": may not be set to \'None\' for NodePort services',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(createErrors(c.spec), c.want);
    });
});
