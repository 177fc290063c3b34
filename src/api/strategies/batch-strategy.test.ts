import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { jobStrategy } from './batch-strategy.ts';

const UID = '0f6a3c1e-0000-4000-8000-000000000001';

const newJob = (spec: JsonObject = {}): JsonObject => ({
  metadata: { name: 'pi', namespace: 'ns', uid: UID },
  spec: {
    template: { spec: { containers: [{ name: 'pi', image: 'perl:5' }], restartPolicy: 'Never' } },
    ...spec,
  },
});

function created(job: JsonObject): JsonObject {
  jobStrategy.prepareForCreate?.(job);
  jobStrategy.defaults?.(job);
  return job;
}

const createErrors = (job: JsonObject): string[] =>
  (jobStrategy.validate?.(created(job)) ?? []).map(formatFieldError);

const GENERATED_LABELS = {
  'job-name': 'pi',
  'batch.kubernetes.io/job-name': 'pi',
  'controller-uid': UID,
  'batch.kubernetes.io/controller-uid': UID,
};

describe('Job defaults and generated selector', () => {
  it('a minimal job as `kubectl get job -o yaml` shows it', () => {
    const job = created(newJob());
    const spec = job['spec'] as JsonObject;
    assert.deepEqual(
      { ...spec, template: undefined },
      {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        manualSelector: false,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
        template: undefined,
      },
    );
    const template = spec['template'] as JsonObject;
    assert.deepEqual(template['metadata'], { labels: GENERATED_LABELS });
    assert.equal((template['spec'] as JsonObject)['restartPolicy'], 'Never');
    assert.equal((template['spec'] as JsonObject)['dnsPolicy'], 'ClusterFirst');
    // SetDefaults_Job copies the template labels to a job that has none.
    assert.deepEqual((job['metadata'] as JsonObject)['labels'], GENERATED_LABELS);
    assert.deepEqual(job['status'], {});
  });

  it('parallelism alone leaves completions unset; a failure policy changes the defaults', () => {
    const spec = created(newJob({ parallelism: 3, podFailurePolicy: { rules: [] } }))[
      'spec'
    ] as JsonObject;
    assert.equal(spec['completions'], undefined);
    assert.equal(spec['parallelism'], 3);
    assert.equal(spec['podReplacementPolicy'], 'Failed');
    const perIndex = created(newJob({ backoffLimitPerIndex: 1 }))['spec'] as JsonObject;
    assert.equal(perIndex['backoffLimit'], 2147483647);
  });

  it('manualSelector keeps the user selector and labels', () => {
    const job = created(
      newJob({
        manualSelector: true,
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'OnFailure' },
        },
      }),
    );
    const spec = job['spec'] as JsonObject;
    assert.deepEqual(spec['selector'], { matchLabels: { app: 'x' } });
    assert.deepEqual((spec['template'] as JsonObject)['metadata'], { labels: { app: 'x' } });
    assert.deepEqual(jobStrategy.validate?.(job), []);
  });
});

describe('Job validation', () => {
  const cases: { name: string; job: JsonObject; want: string[] }[] = [
    { name: 'valid', job: newJob(), want: [] },
    {
      name: 'restartPolicy left to default',
      job: newJob({ template: { spec: { containers: [{ name: 'c', image: 'i' }] } } }),
      want: [
        'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
      ],
    },
    {
      name: 'negative counts',
      job: newJob({ parallelism: -1, completions: -2, backoffLimit: -3 }),
      want: [
        'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
        'spec.completions: Invalid value: -2: must be greater than or equal to 0',
        'spec.backoffLimit: Invalid value: -3: must be greater than or equal to 0',
      ],
    },
    {
      name: 'conflicting generated label',
      job: newJob({
        template: {
          metadata: { labels: { 'controller-uid': 'other' } },
          spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' },
        },
      }),
      want: [
        `spec.template.metadata.labels[controller-uid]: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"${UID}", "batch.kubernetes.io/job-name":"pi", "controller-uid":"other", "job-name":"pi"}: must be '${UID}'`,
      ],
    },
    {
      name: 'a selector without manualSelector',
      job: newJob({ selector: { matchLabels: { app: 'x' } } }),
      want: [
        `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "batch.kubernetes.io/controller-uid":"${UID}"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: \`selector\` not auto-generated`,
        `spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"${UID}", "batch.kubernetes.io/job-name":"pi", "controller-uid":"${UID}", "job-name":"pi"}: \`selector\` does not match template \`labels\``,
      ],
    },
    {
      name: 'indexed job needs completions',
      job: newJob({ completionMode: 'Indexed', parallelism: 2 }),
      want: ['spec.completions: Required value: when completion mode is Indexed'],
    },
    {
      name: 'unknown completion mode',
      job: newJob({ completionMode: 'Sometimes' }),
      want: [
        'spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"',
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(createErrors(c.job), c.want);
    });

  it('on update: selector, template and completions are immutable', () => {
    const old = created(newJob());
    const update = (change: (spec: JsonObject) => void): string[] => {
      const next = structuredClone(old);
      change(next['spec'] as JsonObject);
      jobStrategy.defaults?.(next);
      return (jobStrategy.validateUpdate?.(next, old) ?? []).map(formatFieldError);
    };
    assert.deepEqual(
      update((s) => {
        s['parallelism'] = 4;
        s['suspend'] = true;
      }),
      [],
    );
    assert.deepEqual(
      update((s) => (s['completions'] = 2)),
      ['spec.completions: Invalid value: 2: field is immutable'],
    );
    assert.deepEqual(
      update((s) => {
        const t = s['template'] as JsonObject;
        (t['spec'] as JsonObject)['containers'] = [{ name: 'pi', image: 'perl:6' }];
      }),
      ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable'],
    );
  });
});
