// A real third-party OpenID provider (panva's `oidc-provider`, from npm) on loopback,
// issuing RFC 9068 JWT access tokens (`typ: at+jwt`) for the agent_os walkthrough with
// the client credentials grant and a resource indicator. Not for anything but loopback:
// plain http, fixed client secrets, keys generated at start and kept in memory.
//
//   node scripts/oidc-provider/provider.mjs            # PORT=0: any free port
//
// Environment:
//   PORT              port on 127.0.0.1 (default 0 = a free one); the issuer is
//                     `http://127.0.0.1:<port>` (no trailing slash) + ISSUER_PATH
//   RESOURCE          the one resource indicator served, also the tokens' `aud`
//                     (default `urn:agent-os`)
//   ACCESS_TOKEN_ALG  the access tokens' JWS alg: RS256 (default), PS256, RS384, RS512,
//                     PS384, PS512 (one RSA key, published without `alg`), ES256 (a P-256
//                     key) or EdDSA (an Ed25519 key, also published without `alg`)
//   ISSUER_PATH       a path for the issuer, e.g. `/` (a trailing slash) or `/tenant-a`
//                     (default none); the endpoints are served under it
//   ISSUER_FILE       if set, the issuer is written there once the server listens
//
// Clients (client_secret_basic or client_secret_post, secret `<id>-secret`), each
// allowed exactly the seed's scopes; asking for any other `app:*` scope is refused with
// `invalid_scope`:
//   basic       app:read
//   power       app:read app:run app:execute
//   admin       app:admin app:read app:run app:execute
//   superadmin  app:superadmin
//
// Once listening it prints one line: `oidc-provider ready issuer=<issuer>`.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const SCOPES = ['app:read', 'app:run', 'app:execute', 'app:admin', 'app:superadmin'];
const CLIENTS = {
  basic: 'app:read',
  power: 'app:read app:run app:execute',
  admin: 'app:admin app:read app:run app:execute',
  superadmin: 'app:superadmin',
};
const RESOURCE = process.env.RESOURCE || 'urn:agent-os';
const ALG = process.env.ACCESS_TOKEN_ALG || 'RS256';
const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'EdDSA'];
if (!ALGS.includes(ALG)) {
  console.error(`ACCESS_TOKEN_ALG must be one of ${ALGS.join(', ')}, not ${ALG}`);
  process.exit(2);
}

// Private JWKs, as a deployment would configure them. The RSA and Ed25519 keys carry no
// `alg` (each can sign with several), so the provider publishes them without one; the
// P-256 key can only be ES256 and the provider adds that `alg` itself. The provider
// derives each `kid` (the RFC 7638 thumbprint) since none is given.
const privateJwk = (type, options) => ({
  ...crypto.generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  use: 'sig',
});
const jwks = {
  keys: [
    privateJwk('rsa', { modulusLength: 2048 }),
    privateJwk('ec', { namedCurve: 'P-256' }),
    privateJwk('ed25519'),
  ],
};

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(process.env.PORT || 0), '127.0.0.1', resolve);
});
// ISSUER_PATH, e.g. `/` (a trailing slash) or `/tenant-a`: the issuer's path; the
// provider's endpoints are served under it (with any trailing `/` removed).
const issuerPath = process.env.ISSUER_PATH || '';
if (issuerPath && !issuerPath.startsWith('/')) {
  console.error(`ISSUER_PATH must start with "/", not ${issuerPath}`);
  process.exit(2);
}
const mount = issuerPath.replace(/\/+$/, '');
const issuer = `http://127.0.0.1:${server.address().port}${issuerPath}`;

const provider = new Provider(issuer, {
  clients: Object.entries(CLIENTS).map(([id, scope]) => ({
    client_id: id,
    client_secret: `${id}-secret`,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope,
  })),
  scopes: SCOPES,
  jwks,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A token request must name the resource; without one the provider would issue
      // an opaque token with no audience.
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      getResourceServerInfo: async (_ctx, resourceIndicator, _client) => {
        if (resourceIndicator !== RESOURCE) {
          throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
        }
        return {
          scope: SCOPES.join(' '),
          audience: RESOURCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 10 * 60,
          jwt: { sign: { alg: ALG } },
        };
      },
    },
  },
  ttl: {
    ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL || 10 * 60,
  },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
});

const callback = provider.callback();
server.on('request', (req, res) => {
  if (mount) {
    if (req.url !== mount && !req.url.startsWith(`${mount}/`) && !req.url.startsWith(`${mount}?`)) {
      res.writeHead(404).end();
      return;
    }
    // As Express mounts it: the provider reads its mount path off `originalUrl`.
    req.originalUrl = req.url;
    req.url = req.url.slice(mount.length) || '/';
  }
  callback(req, res);
});
if (process.env.ISSUER_FILE) {
  fs.writeFileSync(process.env.ISSUER_FILE, `${provider.issuer}\n`);
}
console.log(`oidc-provider ready issuer=${provider.issuer} resource=${RESOURCE} alg=${ALG}`);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
