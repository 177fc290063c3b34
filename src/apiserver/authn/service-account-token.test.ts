import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CompactSign } from 'jose';
import type { JsonObject } from '../../api/json.ts';
import {
  generateServiceAccountKey,
  loadServiceAccountSigningKey,
  loadServiceAccountVerificationKeys,
} from '../../pki/service-account-key.ts';
import type {
  ServiceAccountSigningKey,
  ServiceAccountVerificationKey,
} from '../../pki/service-account-key.ts';
import {
  CREDENTIAL_ID_KEY,
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  NODE_NAME_KEY,
  NODE_UID_KEY,
  POD_NAME_KEY,
  POD_UID_KEY,
  serviceAccountClaims,
  signServiceAccountToken,
} from './service-account-claims.ts';
import type { ServiceAccountClaimsInput } from './service-account-claims.ts';
import { ServiceAccountTokenAuthenticator } from './service-account-token.ts';
import type { TokenObjectGetter, TokenObjectKind } from './service-account-token.ts';
import { InvalidTokenError } from './token-authenticator.ts';

const ISSUER = DEFAULT_SERVICE_ACCOUNT_ISSUER;
const NOW = new Date('2025-06-01T12:00:00Z');

/** A fake object getter: `Kind/ns/name` → object. */
class FakeObjects implements TokenObjectGetter {
  readonly objects = new Map<string, JsonObject>();
  add(kind: TokenObjectKind, namespace: string | undefined, name: string, meta: JsonObject = {}) {
    this.objects.set(`${kind}/${namespace ?? ''}/${name}`, {
      metadata: {
        name,
        ...(namespace === undefined ? {} : { namespace }),
        uid: `${name}-uid`,
        ...meta,
      },
    });
    return this;
  }
  get(kind: TokenObjectKind, namespace: string | undefined, name: string) {
    return Promise.resolve(this.objects.get(`${kind}/${namespace ?? ''}/${name}`));
  }
}

let rsa: ServiceAccountSigningKey;
let rsaPublic: ServiceAccountVerificationKey[];
let ec: ServiceAccountSigningKey;
let other: ServiceAccountSigningKey;

before(async () => {
  const files = await generateServiceAccountKey('RSA-2048');
  rsa = await loadServiceAccountSigningKey(files.privateKeyPem);
  rsaPublic = await loadServiceAccountVerificationKeys(files.publicKeyPem);
  ec = await loadServiceAccountSigningKey(
    (await generateServiceAccountKey('ECDSA-P256')).privateKeyPem,
  );
  other = await loadServiceAccountSigningKey(
    (await generateServiceAccountKey('ECDSA-P256')).privateKeyPem,
  );
});

function verificationOf(k: ServiceAccountSigningKey): ServiceAccountVerificationKey {
  return { jwsAlgorithm: k.jwsAlgorithm, keyId: k.keyId, publicKey: k.publicKey };
}

function claims(overrides: Partial<ServiceAccountClaimsInput> = {}): JsonObject {
  return serviceAccountClaims({
    issuer: ISSUER,
    namespace: 'ns',
    serviceAccount: { name: 'default', uid: 'default-uid' },
    audiences: [ISSUER],
    expirationSeconds: 3600,
    jti: 'jti-1',
    now: NOW,
    ...overrides,
  });
}

function authenticator(
  objects: TokenObjectGetter,
  options: { now?: Date; keys?: ServiceAccountVerificationKey[]; apiAudiences?: string[] } = {},
) {
  return new ServiceAccountTokenAuthenticator({
    issuers: [ISSUER, 'https://old.example'],
    keys: options.keys ?? [...rsaPublic, verificationOf(ec)],
    apiAudiences: options.apiAudiences ?? [ISSUER],
    objects,
    now: () => options.now ?? NOW,
  });
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err: unknown) {
    assert.ok(err instanceof InvalidTokenError, `expected InvalidTokenError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a rejection');
}

const objects = (): FakeObjects => new FakeObjects().add('ServiceAccount', 'ns', 'default');

describe('ServiceAccountTokenAuthenticator', () => {
  it('accepts a valid RS256 token and names the service account as upstream', async () => {
    const token = await signServiceAccountToken(rsa, claims());
    const res = await authenticator(objects()).authenticateToken(token, []);
    assert.deepEqual(res, {
      user: {
        name: 'system:serviceaccount:ns:default',
        uid: 'default-uid',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:ns'],
        extra: { [CREDENTIAL_ID_KEY]: ['JTI=jti-1'] },
      },
      audiences: [ISSUER],
    });
  });

  it('accepts ES256 tokens, and tokens without kid (every key is tried)', async () => {
    const a = authenticator(objects());
    const es = await signServiceAccountToken(ec, claims());
    assert.equal(
      (await a.authenticateToken(es, []))?.user.name,
      'system:serviceaccount:ns:default',
    );
    const noKid = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'ES256' })
      .sign(ec.privateKey);
    assert.equal((await a.authenticateToken(noKid, []))?.user.uid, 'default-uid');
  });

  it('accepts every configured issuer', async () => {
    const token = await signServiceAccountToken(rsa, claims({ issuer: 'https://old.example' }));
    assert.ok((await authenticator(objects()).authenticateToken(token, [])) !== undefined);
  });

  it('leaves tokens of other issuers and non-JWTs to other authenticators', async () => {
    const a = authenticator(objects());
    const foreign = await signServiceAccountToken(rsa, claims({ issuer: 'https://evil.example' }));
    for (const token of [foreign, 'abcdef.0123456789abcdef', 'a.b', '{"iss":"x"}.e30.x', 'x.y.z']) {
      assert.equal(await a.authenticateToken(token, []), undefined, token);
    }
  });

  const timeCases: { name: string; nowOffsetS: number; error?: string }[] = [
    {
      name: 'expired beyond the 60 s leeway',
      nowOffsetS: 3600 + 61,
      error: 'service account token has expired',
    },
    { name: 'expired within the leeway', nowOffsetS: 3600 + 59 },
    {
      name: 'not yet valid beyond the leeway',
      nowOffsetS: -61,
      error: 'service account token is not valid yet',
    },
    { name: 'not yet valid within the leeway', nowOffsetS: -59 },
  ];
  for (const c of timeCases) {
    it(`time: ${c.name}`, async () => {
      const token = await signServiceAccountToken(rsa, claims());
      const a = authenticator(objects(), { now: new Date(NOW.getTime() + c.nowOffsetS * 1000) });
      if (c.error === undefined) assert.ok((await a.authenticateToken(token, [])) !== undefined);
      else assert.equal(await rejection(a.authenticateToken(token, [])), c.error);
    });
  }

  it('rejects a token issued in the future', async () => {
    const payload: JsonObject = { ...claims(), iat: Math.floor(NOW.getTime() / 1000) + 120 };
    delete payload['nbf'];
    const token = await signServiceAccountToken(rsa, payload);
    assert.equal(
      await rejection(authenticator(objects()).authenticateToken(token, [])),
      'service account token is issued in the future',
    );
  });

  it('checks audiences: the requested ones, else the API audiences', async () => {
    const a = authenticator(objects());
    const vault = await signServiceAccountToken(rsa, claims({ audiences: ['vault', 'other'] }));
    assert.equal(
      await rejection(a.authenticateToken(vault, [])),
      `token audiences ["vault" "other"] is invalid for the target audiences ["${ISSUER}"]`,
    );
    assert.deepEqual((await a.authenticateToken(vault, ['other', 'x']))?.audiences, ['other']);
    // A token without aud (legacy) is good for the API audiences only.
    const payload = claims();
    delete payload['aud'];
    const legacy = await signServiceAccountToken(rsa, payload);
    assert.deepEqual((await a.authenticateToken(legacy, []))?.audiences, [ISSUER]);
    assert.match(
      await rejection(a.authenticateToken(legacy, ['vault'])),
      /is invalid for the target/,
    );
  });

  it('rejects a token signed by an unknown key, or by a key claiming another kid', async () => {
    const a = authenticator(objects());
    const unknown = await signServiceAccountToken(other, claims());
    assert.equal(
      await rejection(a.authenticateToken(unknown, [])),
      'invalid signature, no keys found',
    );
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'ES256', kid: ec.keyId })
      .sign(other.privateKey);
    assert.equal(
      await rejection(a.authenticateToken(forged, [])),
      'go-jose/go-jose: error in cryptographic primitive',
    );
    const wrongAlg = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims())))
      .setProtectedHeader({ alg: 'ES256', kid: rsa.keyId })
      .sign(ec.privateKey);
    assert.equal(
      await rejection(a.authenticateToken(wrongAlg, [])),
      'go-jose/go-jose: unknown/unsupported algorithm',
    );
  });

  it('rejects a tampered token (payload changed after signing)', async () => {
    const token = await signServiceAccountToken(rsa, claims());
    const [h, , s] = token.split('.');
    const evil = Buffer.from(
      JSON.stringify(claims({ serviceAccount: { name: 'admin', uid: 'admin-uid' } })),
    ).toString('base64url');
    const msg = await rejection(
      authenticator(objects().add('ServiceAccount', 'ns', 'admin')).authenticateToken(
        `${h ?? ''}.${evil}.${s ?? ''}`,
        [],
      ),
    );
    assert.equal(msg, 'go-jose/go-jose: error in cryptographic primitive');
  });

  it('revokes tokens of a deleted or re-created service account', async () => {
    const token = await signServiceAccountToken(rsa, claims());
    assert.equal(
      await rejection(authenticator(new FakeObjects()).authenticateToken(token, [])),
      'serviceaccounts "default" not found',
    );
    const recreated = new FakeObjects().add('ServiceAccount', 'ns', 'default', { uid: 'new-uid' });
    assert.equal(
      await rejection(authenticator(recreated).authenticateToken(token, [])),
      'service account UID (new-uid) does not match claim (default-uid)',
    );
    const deleting = (ts: string) =>
      new FakeObjects().add('ServiceAccount', 'ns', 'default', { deletionTimestamp: ts });
    assert.equal(
      await rejection(authenticator(deleting('2025-06-01T11:58:00Z')).authenticateToken(token, [])),
      'service account ns/default has been deleted',
    );
    // Deleted less than the leeway ago still counts.
    assert.ok(
      (await authenticator(deleting('2025-06-01T11:59:30Z')).authenticateToken(token, [])) !==
        undefined,
    );
  });

  it('checks a bound pod (and reports it and its node in extra)', async () => {
    const token = await signServiceAccountToken(
      rsa,
      claims({ pod: { name: 'p', uid: 'p-uid' }, node: { name: 'n1', uid: 'n1-uid' } }),
    );
    const live = objects().add('Pod', 'ns', 'p');
    const res = await authenticator(live).authenticateToken(token, []);
    assert.deepEqual(res?.user.extra, {
      [POD_NAME_KEY]: ['p'],
      [POD_UID_KEY]: ['p-uid'],
      [CREDENTIAL_ID_KEY]: ['JTI=jti-1'],
      [NODE_NAME_KEY]: ['n1'],
      [NODE_UID_KEY]: ['n1-uid'],
    });
    assert.equal(
      await rejection(authenticator(objects()).authenticateToken(token, [])),
      'service account token has been invalidated',
    );
    const replaced = objects().add('Pod', 'ns', 'p', { uid: 'p2' });
    assert.equal(
      await rejection(authenticator(replaced).authenticateToken(token, [])),
      'pod UID (p2) does not match service account pod ref claim (p-uid)',
    );
  });

  it('checks a bound secret and a bound node', async () => {
    const secretBound = await signServiceAccountToken(
      rsa,
      claims({ secret: { name: 's', uid: 's-uid' } }),
    );
    assert.ok(
      (await authenticator(objects().add('Secret', 'ns', 's')).authenticateToken(
        secretBound,
        [],
      )) !== undefined,
    );
    assert.equal(
      await rejection(authenticator(objects()).authenticateToken(secretBound, [])),
      'service account token has been invalidated',
    );
    assert.equal(
      await rejection(
        authenticator(objects().add('Secret', 'ns', 's', { uid: 'x' })).authenticateToken(
          secretBound,
          [],
        ),
      ),
      'secret UID (x) does not match service account secret ref claim (s-uid)',
    );
    const nodeBound = await signServiceAccountToken(
      rsa,
      claims({ node: { name: 'n', uid: 'n-uid' } }),
    );
    const res = await authenticator(objects().add('Node', undefined, 'n')).authenticateToken(
      nodeBound,
      [],
    );
    assert.deepEqual(res?.user.extra?.[NODE_NAME_KEY], ['n']);
    assert.equal(
      await rejection(authenticator(objects()).authenticateToken(nodeBound, [])),
      'service account token has been invalidated',
    );
  });

  it('never puts the token in an error message', async () => {
    const token = await signServiceAccountToken(rsa, claims());
    const messages = [
      await rejection(authenticator(new FakeObjects()).authenticateToken(token, [])),
      await rejection(
        authenticator(objects(), { now: new Date('2030-01-01') }).authenticateToken(token, []),
      ),
      await rejection(authenticator(objects()).authenticateToken(`${token}x`, [])).catch(() => ''),
    ];
    for (const m of messages) {
      for (const part of token.split('.')) assert.ok(!m.includes(part), m);
    }
  });
});
