// A real OpenID Connect provider for ildpath's tests (npm `oidc-provider`, development only).
//
//   node tests/oidc_provider/provider.mjs <settings.json>
//
// settings.json: {"port", "issuer", "client": {client_id, client_secret, redirect_uris},
// "users": "<path of users.json>"}. users.json maps a login to its claims and is read afresh
// at every sign-in, so a test can change a person's groups on the provider between two
// sign-ins. The login and consent pages are the library's development interactions: any
// password is accepted for a login listed in users.json (what is tested is ildpath's side).
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const settings = JSON.parse(readFileSync(process.argv[2], "utf8"));
const people = () => JSON.parse(readFileSync(settings.users, "utf8"));

const provider = new Provider(settings.issuer, {
  clients: [
    {
      ...settings.client,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: {
    openid: ["sub"],
    profile: ["preferred_username", "name", "groups"],
    email: ["email"],
  },
  conformIdTokenClaims: false,
  cookies: { keys: ["tests-only-not-a-secret"] },
  async findAccount(_ctx, id) {
    const person = people()[id];
    if (!person) return undefined;
    return { accountId: id, claims: async () => ({ ...person.claims, sub: id }) };
  },
});
provider.proxy = false;
provider.listen(settings.port, () => console.log(`oidc-provider ready at ${settings.issuer}`));
