// A real, certified OpenID Connect provider (panva/oidc-provider) for
// thirdplace's tests, on 127.0.0.1 only. It uses the library's built-in
// development sign-in pages: the login form takes any password, and
// `login` is the account's `sub`. Consent is granted without asking, as a
// first-party provider would.
//
// Configuration, from the environment:
//   OIDC_PORT           port to listen on (0: any free one; the chosen
//                       port is printed as `listening on http://127.0.0.1:<port>`)
//   OIDC_CLIENT_ID      the client id
//   OIDC_CLIENT_SECRET  the client secret
//   OIDC_REDIRECT_URIS  the client's redirect URIs, separated by spaces
//   OIDC_ACCOUNTS       JSON: [{"sub": "...", "email": "...", "email_verified": true}, ...]
//
//   OIDC_PORT=4010 OIDC_CLIENT_ID=thirdplace OIDC_CLIENT_SECRET=s \
//   OIDC_REDIRECT_URIS=http://127.0.0.1:8080/sso/callback \
//   OIDC_ACCOUNTS='[{"sub":"anna","email":"anna@kommun.se","email_verified":true}]' \
//   node oidc/provider.mjs
import http from 'node:http';
import Provider from 'oidc-provider';

function env(name) {
  const v = process.env[name];
  if (v === undefined || v === '') {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

const port = Number(process.env.OIDC_PORT ?? '0');
const accounts = new Map(
  JSON.parse(env('OIDC_ACCOUNTS')).map((a) => [String(a.sub), a]),
);

// The issuer needs the port: listen first, then mount the provider.
const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: env('OIDC_CLIENT_ID'),
      client_secret: env('OIDC_CLIENT_SECRET'),
      redirect_uris: env('OIDC_REDIRECT_URIS').split(/\s+/).filter(Boolean),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // The e-mail claims in the ID token itself, which thirdplace verifies.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: { keys: ['thirdplace-test-provider-only'] },
    async findAccount(ctx, sub) {
      const a = accounts.get(String(sub));
      if (!a) return undefined;
      return {
        accountId: a.sub,
        async claims() {
          return { sub: a.sub, email: a.email, email_verified: a.email_verified === true };
        },
      };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email');
      grant.addOIDCClaims(['email', 'email_verified']);
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  console.log(`listening on ${issuer}`);
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
