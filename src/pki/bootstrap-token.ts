/**
 * kubeadm bootstrap tokens, `<id>.<secret>` = `[a-z0-9]{6}.[a-z0-9]{16}`
 * (k8s.io/cluster-bootstrap/token/api). Generation is crypto-random and unbiased (bytes >= 252
 * are discarded, as upstream does). The secret half never leaves a BootstrapToken by accident:
 * String(), JSON.stringify() and util.inspect() show only the ID; read `.value` or `.secret`.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { PkiInvalidBootstrapTokenError } from './errors.ts';

/** k8s.io/cluster-bootstrap/token/api.BootstrapTokenPattern. */
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
/** k8s.io/cluster-bootstrap/token/api.BootstrapTokenIDPattern. */
export const BOOTSTRAP_TOKEN_ID_PATTERN = /^[a-z0-9]{6}$/;
const SECRET_PATTERN = /^[a-z0-9]{16}$/;
const TOKEN_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';
/** 252 = 7 * 36: bytes below it map uniformly onto the 36 characters. */
const MAX_BYTE_VALUE = 252;

/** A random string of `length` characters from [a-z0-9], without modulo bias. */
function randomTokenString(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= MAX_BYTE_VALUE) continue;
      out += TOKEN_CHARS[byte % TOKEN_CHARS.length] ?? '';
      if (out.length === length) break;
    }
  }
  return out;
}

export function isValidBootstrapToken(token: string): boolean {
  return BOOTSTRAP_TOKEN_PATTERN.test(token);
}

export function isValidBootstrapTokenId(tokenId: string): boolean {
  return BOOTSTRAP_TOKEN_ID_PATTERN.test(tokenId);
}

export class BootstrapToken {
  /** Public half: names the Secret and the user `system:bootstrap:<id>`. */
  readonly id: string;
  readonly #secret: string;

  private constructor(id: string, secret: string) {
    this.id = id;
    this.#secret = secret;
  }

  /** A fresh random token (kubeadm's GenerateBootstrapToken). */
  static generate(): BootstrapToken {
    return new BootstrapToken(randomTokenString(6), randomTokenString(16));
  }

  /** Parse `<id>.<secret>`; the error never repeats the input, which may be a real secret. */
  static parse(token: string): BootstrapToken {
    const match = BOOTSTRAP_TOKEN_PATTERN.exec(token);
    if (match?.[1] === undefined || match[2] === undefined) {
      throw new PkiInvalidBootstrapTokenError(
        'the bootstrap token was not of the form "[a-z0-9]{6}.[a-z0-9]{16}"',
      );
    }
    return new BootstrapToken(match[1], match[2]);
  }

  /** Join an ID and a secret (e.g. the two keys of a bootstrap-token Secret). */
  static fromIdAndSecret(id: string, secret: string): BootstrapToken {
    if (!BOOTSTRAP_TOKEN_ID_PATTERN.test(id)) {
      throw new PkiInvalidBootstrapTokenError(
        `token ID ${JSON.stringify(id)} is not of the form "[a-z0-9]{6}"`,
      );
    }
    if (!SECRET_PATTERN.test(secret)) {
      throw new PkiInvalidBootstrapTokenError(
        `the secret of token ${id} is not of the form "[a-z0-9]{16}"`,
      );
    }
    return new BootstrapToken(id, secret);
  }

  /** The secret half. Never log it. */
  get secret(): string {
    return this.#secret;
  }

  /** The full `<id>.<secret>` token, as given to `k8ts join --token`. Never log it. */
  get value(): string {
    return `${this.id}.${this.#secret}`;
  }

  /** Redacted, so template strings and loggers cannot leak the secret. */
  toString(): string {
    return `${this.id}.<redacted>`;
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  [inspect.custom](): string {
    return `BootstrapToken { id: '${this.id}', secret: <redacted> }`;
  }
}
