"""Local servers the tests run beside the app: Dovecot, an OpenID provider, and the SMTP
stand-in with TLS certificates (the stand-ins themselves are in frontdoor/standins)."""
