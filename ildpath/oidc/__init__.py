"""Hospital single sign-on with OpenID Connect (authorization code flow with PKCE): talking
to the provider, checking its ID tokens, and mapping its groups to ildpath's roles. What an
identity becomes in ildpath is `ildpath.accounts.sign_on`; the web routes
`ildpath.web.sign_on`."""
