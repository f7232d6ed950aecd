"""A reference verifier for the provider's access tokens: PyJWT, independently of
agent_os. Discovers the JWKS from the issuer, then verifies each token as RFC 9068 asks:
signature (the key chosen by `kid`), `typ` (`at+jwt` or `application/at+jwt`, any case),
`iss` exactly the discovered issuer, `aud` containing the audience, `exp`/`iat` present.

    python verify_pyjwt.py ISSUER AUDIENCE TOKEN...

Prints one line per token: `ok alg=... kid=... scope=...`, or `REFUSED <reason>`; exits
1 if any was refused. Used by run.sh when PYJWT=1 (with requirements.txt installed in a
virtual environment).
"""

import json
import sys
import urllib.request

import jwt

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "EdDSA"]


def main(issuer: str, audience: str, tokens: list[str]) -> int:
    # OpenID Connect Discovery 1.0 section 4: a terminating "/" of the issuer is removed
    # before "/.well-known/openid-configuration" is appended.
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    with urllib.request.urlopen(url, timeout=5) as response:
        discovery = json.load(response)
    if discovery["issuer"] != issuer:
        print(f"REFUSED discovery issuer {discovery['issuer']!r} is not {issuer!r}")
        return 1
    jwks = jwt.PyJWKClient(discovery["jwks_uri"])
    refused = 0
    for token in tokens:
        try:
            header = jwt.get_unverified_header(token)
            typ = str(header.get("typ", "")).lower()
            if typ not in ("at+jwt", "application/at+jwt"):
                raise jwt.InvalidTokenError(f"typ {header.get('typ')!r} is not at+jwt")
            key = jwks.get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=audience,
                issuer=issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "client_id", "jti"]},
            )
            print(f"ok alg={header['alg']} kid={header.get('kid')} scope={claims.get('scope')!r}")
        except jwt.PyJWTError as error:
            refused += 1
            print(f"REFUSED {type(error).__name__}: {error}")
    return 1 if refused else 0


if __name__ == "__main__":
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
