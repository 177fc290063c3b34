// ESLint flat config: typescript-eslint strictTypeChecked, import hygiene, and the layer rules of
// ARCHITECTURE.md (api <- storage <- apiserver; controllers/scheduler/agent reach the cluster only
// through client/; nothing imports cli/).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

/** Forbid importing `targets` (folders under src/) from the files matched by `files`. */
function forbid(files, targets, why) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: targets.map((t) => ({
            group: [`**/${t}/**`, `**/${t}`],
            message: why,
          })),
        },
      ],
    },
  };
}

const ALL = [
  'api',
  'storage',
  'apiserver',
  'client',
  'controllers',
  'scheduler',
  'agent',
  'pki',
  'cluster',
  'node',
  'streaming',
];
const except = (...allowed) => ALL.filter((f) => !allowed.includes(f));

/** folder -> [folders it must not import, why] */
const LAYERS = {
  api: [except('api'), 'api/ is the bottom layer: it imports only util/.'],
  util: [except(), 'util/ is a leaf.'],
  pki: [except('pki'), 'pki/ depends only on util/.'],
  storage: [except('api', 'storage'), 'storage/ depends only on api/ and util/.'],
  apiserver: [
    except('api', 'storage', 'apiserver', 'pki', 'streaming'),
    'apiserver/ depends on api/, storage/, pki/, streaming/ and util/.',
  ],
  client: [except('api', 'client', 'pki'), 'client/ talks to the API over HTTP only.'],
  controllers: [
    except('api', 'client', 'controllers', 'pki'),
    'Controllers reach the cluster only through client/ (the API).',
  ],
  scheduler: [
    except('api', 'client', 'scheduler'),
    'The scheduler reaches the cluster only through client/ (the API).',
  ],
  agent: [
    except('api', 'client', 'agent', 'pki', 'streaming'),
    'The agent reaches the cluster only through client/ (the API).',
  ],
  streaming: [
    except('streaming'),
    'streaming/ (SPDY, WebSocket channels, upgrade relays) is a protocol library: util/ only.',
  ],
  cluster: [[], 'cluster/ may compose every component.'],
  node: [[], 'node/ may compose every component.'],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'bench/results/',
      'bin/',
      'scripts/*.mjs',
      'eslint.config.js',
      '**/.tmp/**',
      '**/.scratch*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      'import-x/no-duplicates': 'error',
    },
  },
  {
    files: ['**/*.test.ts', '**/*-contract.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      // client-node's API takes plain object literals for its model classes, as its docs show.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  ...Object.entries(LAYERS).map(([folder, [targets, why]]) =>
    forbid([`src/${folder}/**`], [...targets, 'cli'], `${why} Nothing imports cli/.`),
  ),
);
