/**
 * Authenticates a request by its TLS client certificate, verified against the cluster CA by the
 * TLS handshake (`requestCert` with the CA, `rejectUnauthorized: false` so that anonymous and
 * token requests still connect): CN is the user, each O a group, plus system:authenticated.
 * A certificate that failed verification is a 401, never silently anonymous.
 */
import { unauthorized } from '../../api/status.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Authenticator } from './authenticator.ts';
import type { UserInfo } from './user-info.ts';

export class ClientCertificateAuthenticator implements Authenticator {
  /**
   * The verdict per TLS connection: the peer certificate cannot change within one, and reading
   * it (getPeerCertificate) costs more than the rest of a GET. Weak keys: closed sockets go.
   */
  readonly #byConnection = new WeakMap<object, { user: UserInfo | undefined; validToMs: number }>();

  authenticate(ex: Exchange): Promise<UserInfo | undefined> {
    const socket = ex.tlsSocket;
    if (socket === undefined) return Promise.resolve(undefined);
    const cached = this.#byConnection.get(socket);
    // A certificate that expires while its connection stays open stops working then.
    if (cached !== undefined && Date.now() < cached.validToMs) return Promise.resolve(cached.user);
    return this.#authenticateSocket(socket).then((user) => {
      const validTo =
        user === undefined ? Infinity : Date.parse(socket.getPeerCertificate().valid_to);
      if (Date.now() >= validTo) throw unauthorized('Unauthorized: client certificate has expired');
      this.#byConnection.set(socket, { user, validToMs: Number.isNaN(validTo) ? 0 : validTo });
      return user;
    });
  }

  #authenticateSocket(socket: NonNullable<Exchange['tlsSocket']>): Promise<UserInfo | undefined> {
    const cert = socket.getPeerCertificate();
    if (Object.keys(cert).length === 0) return Promise.resolve(undefined);
    if (!socket.authorized) {
      return Promise.reject(
        unauthorized(
          'Unauthorized: client certificate is not signed by the cluster CA or has expired',
        ),
      );
    }
    const subject = cert.subject as unknown as Record<string, string | string[] | undefined>;
    const cn = subject['CN'];
    const name = Array.isArray(cn) ? cn[0] : cn;
    if (name === undefined || name === '')
      return Promise.reject(unauthorized('Unauthorized: client certificate has no common name'));
    const o = subject['O'];
    const orgs = o === undefined ? [] : Array.isArray(o) ? o : [o];
    return Promise.resolve({ name, groups: [...orgs, 'system:authenticated'] });
  }
}
