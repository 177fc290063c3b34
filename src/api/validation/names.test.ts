import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  regexError,
} from './names.ts';
import { maskTrailingDash, nameIsDNSLabel, nameValidatorFor } from './name-validators.ts';
import { cpuTimeMs } from '../../util/cpu-time.ts';

const r = (c: string, n: number): string => c.repeat(n);

// Tables transcribed from upstream's util/validation/validation_test.go (v1.33).
const checks = [
  {
    name: 'IsDNS1123Label',
    fn: isDNS1123Label,
    good: [
      'a',
      'ab',
      'abc',
      'a1',
      'a-1',
      'a--1--2--b',
      '0',
      '01',
      '012',
      '1a',
      '1-a',
      '1--a--b--2',
      r('a', 63),
    ],
    bad: [
      '',
      'A',
      'ABC',
      'aBc',
      'A1',
      'A-1',
      '1-A',
      '-',
      'a-',
      '-a',
      '1-',
      '-1',
      '_',
      'a_',
      '_a',
      'a_b',
      '1_',
      '_1',
      '1_2',
      '.',
      'a.',
      '.a',
      'a.b',
      '1.',
      '.1',
      '1.2',
      ' ',
      'a ',
      ' a',
      'a b',
      '1 ',
      ' 1',
      '1 2',
      r('a', 64),
    ],
  },
  {
    name: 'IsDNS1123Subdomain',
    fn: isDNS1123Subdomain,
    good: [
      'a',
      'ab',
      'a--1--2--b',
      '0',
      '1--a--b--2',
      'a.a',
      'ab.a',
      'a--1--2--b.a',
      'a.1',
      '0.a',
      '01.a',
      '0.1',
      '1--a--b--2.1',
      'a.b.c.d.e',
      'aa.bb.cc.dd.ee',
      '1.2.3.4.5',
      '11.22.33.44.55',
      r('a', 253),
    ],
    bad: [
      '',
      'A',
      'ABC',
      'aBc',
      '-',
      'a-',
      '-a',
      '_',
      'a_b',
      '.',
      'a.',
      '.a',
      'a..b',
      '1.',
      '.1',
      '1..2',
      ' ',
      'a b',
      'A.a',
      'aB.a',
      'ab.A',
      'A.B.C.D.E',
      'a.B.c.d.e',
      'a@b',
      'a,b',
      'a;b',
      'a:b',
      'a%b',
      'a?b',
      'a$b',
      r('a', 254),
    ],
  },
  {
    name: 'IsDNS1035Label',
    fn: isDNS1035Label,
    good: ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', r('a', 63)],
    bad: [
      '0',
      '01',
      '012',
      '1a',
      '1-a',
      '1--a--b--2',
      '',
      'A',
      'ABC',
      'aBc',
      '-',
      'a-',
      '-a',
      '_',
      'a_b',
      '.',
      'a.',
      'a.b',
      ' ',
      'a b',
      r('a', 64),
    ],
  },
  {
    name: 'IsQualifiedName',
    fn: isQualifiedName,
    good: [
      'simple',
      'now-with-dashes',
      '1-starts-with-num',
      '1234',
      'simple/simple',
      'now-with-dashes/simple',
      'now.with.dots/simple',
      'now-with.dashes-and.dots/simple',
      '1-num.2-num/3-num',
      '1234/5678',
      '1.2.3.4/5678',
      'Uppercase_Is_OK_123',
      'example.com/Uppercase_Is_OK_123',
      'requests.storage-foo',
      r('a', 63),
      `${r('a', 253)}/${r('b', 63)}`,
    ],
    bad: [
      'nospecialchars%^=@',
      'cantendwithadash-',
      '-cantstartwithadash-',
      'only/one/slash',
      'Example.com/abc',
      'example_com/abc',
      'example.com/',
      '/simple',
      r('a', 64),
      `${r('a', 254)}/abc`,
    ],
  },
  {
    name: 'IsValidLabelValue',
    fn: isValidLabelValue,
    good: [
      'simple',
      'now-with-dashes',
      '1-starts-with-num',
      'end-with-num-1',
      '1234',
      r('a', 63),
      '',
    ],
    bad: [
      'nospecialchars%^=@',
      'Tama-nui-te-rā.is.Māori.sun',
      '\\backslashes\\are\\bad',
      '-starts-with-dash',
      'ends-with-dash-',
      '.starts.with.dot',
      'ends.with.dot.',
      r('a', 64),
    ],
  },
];

describe('name checks (upstream tables)', () => {
  for (const c of checks) {
    for (const v of c.good) {
      it(`${c.name} accepts ${JSON.stringify(v.slice(0, 40))}`, () => {
        assert.deepEqual(c.fn(v), []);
      });
    }
    for (const v of c.bad) {
      it(`${c.name} rejects ${JSON.stringify(v.slice(0, 40))}`, () => {
        assert.notDeepEqual(c.fn(v), []);
      });
    }
  }
});

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('exact messages', () => {
  const cases = [
    { name: 'subdomain regex', got: () => isDNS1123Subdomain('A_b'), want: [SUBDOMAIN_MSG] },
    {
      name: 'subdomain too long and invalid',
      got: () => isDNS1123Subdomain(`${r('a', 254)}_`),
      want: ['must be no more than 253 characters', SUBDOMAIN_MSG],
    },
    { name: 'label with dots', got: () => isDNS1123Label('a.b'), want: ['must not contain dots'] },
    { name: 'label regex', got: () => isDNS1123Label('A'), want: [LABEL_MSG] },
    { name: 'dns-1035 regex', got: () => isDNS1035Label('1a'), want: [DNS1035_MSG] },
    { name: 'qualified name part', got: () => isQualifiedName('-a'), want: [NAME_PART_MSG] },
    {
      name: 'qualified empty prefix and name',
      got: () => isQualifiedName('/'),
      want: ['prefix part must be non-empty', 'name part must be non-empty', NAME_PART_MSG],
    },
    {
      name: 'qualified bad prefix',
      got: () => isQualifiedName('Example.com/abc'),
      want: [`prefix part ${SUBDOMAIN_MSG}`],
    },
    {
      name: 'qualified two slashes',
      got: () => isQualifiedName('a/b/c'),
      want: [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    },
    { name: 'label value', got: () => isValidLabelValue('-x'), want: [VALUE_MSG] },
    // Go's len() counts bytes: 32 two-byte characters exceed 63.
    {
      name: 'length in UTF-8 bytes',
      got: () => isValidLabelValue(r('é', 32)),
      want: ['must be no more than 63 characters', VALUE_MSG],
    },
    {
      name: 'regexError without examples',
      got: () => [regexError('m', 'f')],
      want: ["m (regex used for validation is 'f')"],
    },
    {
      name: 'path segment dot',
      got: () => isValidPathSegmentName('..'),
      want: ["may not be '..'"],
    },
    {
      name: 'path segment slash and percent',
      got: () => isValidPathSegmentName('a/%'),
      want: ["may not contain '/'", "may not contain '%'"],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(c.got(), c.want);
    });
});

describe('name validators', () => {
  const cases = [
    {
      name: 'mask drops two characters (upstream quirk)',
      got: maskTrailingDash('ab-'),
      want: 'aa',
    },
    { name: 'mask a single dash unchanged', got: maskTrailingDash('-'), want: '-' },
    { name: 'generateName may end with a dash', got: nameIsDNSLabel('web-', true).length, want: 0 },
    { name: 'name may not end with a dash', got: nameIsDNSLabel('web-', false).length, want: 1 },
    {
      name: 'Service uses DNS-1035',
      got: nameValidatorFor('', 'Service')('1abc', false).length,
      want: 1,
    },
    {
      name: 'Namespace rejects dots',
      got: nameValidatorFor('', 'Namespace')('a.b', false)[0],
      want: 'must not contain dots',
    },
    {
      name: 'ConfigMap accepts dots',
      got: nameValidatorFor('', 'ConfigMap')('a.b', false).length,
      want: 0,
    },
    {
      name: 'StatefulSet is a DNS label',
      got: nameValidatorFor('apps', 'StatefulSet')('a.b', false).length,
      want: 1,
    },
    {
      name: 'Role allows colons',
      got: nameValidatorFor('rbac.authorization.k8s.io', 'ClusterRole')('system:x', false).length,
      want: 0,
    },
    {
      name: 'CSR allows anything',
      got: nameValidatorFor('certificates.k8s.io', 'CertificateSigningRequest')('A B', false)
        .length,
      want: 0,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.equal(c.got, c.want);
    });
});

describe('hostile input', () => {
  const inputs = [
    { name: '100 KB of a', value: r('a', 100_000) },
    { name: '100 KB of a- then !', value: `${r('a-', 50_000)}!` },
    { name: '100 KB of a. then -', value: `${r('a.', 50_000)}-` },
    { name: '100 KB of unicode', value: r('ü', 100_000) },
    { name: '100 KB of slashes', value: r('a/', 50_000) },
  ];
  for (const c of inputs) {
    it(`${c.name} finishes fast`, () => {
      const ms = cpuTimeMs(() => {
        for (const fn of [
          isDNS1123Label,
          isDNS1123Subdomain,
          isDNS1035Label,
          isQualifiedName,
          isValidLabelValue,
        ]) {
          assert.ok(fn(c.value).length > 0);
        }
      });
      assert.ok(ms < 200, `linear-time checks took ${String(ms)} ms of CPU`);
    });
  }
});
