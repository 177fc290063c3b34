import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateServiceAccountKey } from '../../pki/service-account-key.ts';
import type { ServiceAccountKeyFiles } from '../../pki/service-account-key.ts';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER } from './service-account-claims.ts';
import { buildTokenServices } from './token-authentication.ts';
import type { TokenObjectGetter } from './service-account-token.ts';

const nothing: TokenObjectGetter = { get: () => Promise.resolve(undefined) };
const now = (): Date => new Date();

let rsa: ServiceAccountKeyFiles;
let ec: ServiceAccountKeyFiles;
before(async () => {
  rsa = await generateServiceAccountKey('RSA-2048');
  ec = await generateServiceAccountKey('ECDSA-P256');
});

describe('buildTokenServices', () => {
  it('defaults: bootstrap tokens only, the default issuer as API audience, no TokenRequest', async () => {
    const s = await buildTokenServices({}, nothing, now);
    assert.deepEqual(s.apiAudiences, [DEFAULT_SERVICE_ACCOUNT_ISSUER]);
    assert.equal(s.issuer, undefined);
    assert.equal(s.tokens.isEmpty, false);
    const off = await buildTokenServices({ enableBootstrapTokenAuth: false }, nothing, now);
    assert.equal(off.tokens.isEmpty, true);
  });

  it('a signing key enables TokenRequest with the first issuer; audiences default to all', async () => {
    const s = await buildTokenServices(
      {
        serviceAccountSigningKeyPem: rsa.privateKeyPem,
        serviceAccountIssuer: ['https://new.example', 'https://old.example'],
        serviceAccountMaxTokenExpirationSeconds: 7200,
      },
      nothing,
      now,
    );
    assert.equal(s.issuer?.issuer, 'https://new.example');
    assert.equal(s.issuer.signingKey.jwsAlgorithm, 'RS256');
    assert.equal(s.issuer.maxExpirationSeconds, 7200);
    assert.equal(s.issuer.extendExpiration, true);
    assert.deepEqual(s.apiAudiences, ['https://new.example', 'https://old.example']);
  });

  it('explicit API audiences win', async () => {
    const s = await buildTokenServices(
      { serviceAccountSigningKeyPem: ec.privateKeyPem, apiAudiences: ['api'] },
      nothing,
      now,
    );
    assert.deepEqual(s.apiAudiences, ['api']);
    assert.deepEqual(s.issuer?.apiAudiences, ['api']);
  });

  it('verification keys alone (public or private PEM) verify without issuing', async () => {
    for (const pem of [ec.publicKeyPem, ec.privateKeyPem, [rsa.publicKeyPem, ec.publicKeyPem]]) {
      const s = await buildTokenServices(
        { serviceAccountVerificationKeysPem: pem, enableBootstrapTokenAuth: false },
        nothing,
        now,
      );
      assert.equal(s.issuer, undefined);
      assert.equal(s.tokens.isEmpty, false);
    }
  });

  it('a bad key fails loudly without echoing it', async () => {
    await assert.rejects(
      buildTokenServices({ serviceAccountSigningKeyPem: 'not a key' }, nothing, now),
      (err: unknown) => err instanceof Error && !err.message.includes('not a key'),
    );
  });
});
