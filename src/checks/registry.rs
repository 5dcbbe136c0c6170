//! Every rule, listed once: id, family, per-profile severity and the text
//! `swml-sec explain` prints. Checks refer to rules by id only.

use crate::severity::{Profile, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Config,
    Tls,
    Auth,
    Hosts,
    Hsts,
    Limits,
    Flags,
    Policy,
    Probe,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Config => "config",
            Family::Tls => "tls",
            Family::Auth => "auth",
            Family::Hosts => "hosts",
            Family::Hsts => "hsts",
            Family::Limits => "limits",
            Family::Flags => "flags",
            Family::Policy => "policy",
            Family::Probe => "probe",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub family: Family,
    /// Severity in prod, staging, dev: `E`, `W`, `N`, or `-` for off.
    levels: &'static str,
    pub summary: &'static str,
    /// Why it matters for a SignalWire service.
    pub why: &'static str,
    pub fix: &'static str,
    pub example: &'static str,
}

impl Rule {
    pub fn severity(&self, profile: Profile) -> Option<Severity> {
        let index = match profile {
            Profile::Prod => 0,
            Profile::Staging => 1,
            Profile::Dev => 2,
        };
        match self.levels.as_bytes().get(index) {
            Some(b'E') => Some(Severity::Error),
            Some(b'W') => Some(Severity::Warning),
            Some(b'N') => Some(Severity::Note),
            _ => None,
        }
    }

    /// The highest severity the rule has in any profile (SARIF's default level).
    pub fn default_severity(&self) -> Severity {
        [Profile::Prod, Profile::Staging, Profile::Dev]
            .into_iter()
            .filter_map(|p| self.severity(p))
            .max()
            .unwrap_or(Severity::Note)
    }
}

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Rules that judged a setting no SDK service applies, and what replaced
/// them: a policy or `--ignore` that names one is told so.
pub const RETIRED: &[(&str, &str)] = &[
    ("rate-limit-invalid", "limits-not-enforced"),
    ("request-size-invalid", "limits-not-enforced"),
    ("timeout-invalid", "limits-not-enforced"),
    ("rate-limit-high", "limits-not-enforced"),
    ("request-size-large", "limits-not-enforced"),
    ("timeout-large", "limits-not-enforced"),
    ("verify-mode-none", "verify-mode-unused"),
    ("verify-mode-invalid", "verify-mode-unused"),
];

/// " (retired: no SDK service applies the setting; see X)" for a retired id.
pub fn retired_hint(id: &str) -> String {
    RETIRED
        .iter()
        .find(|(old, _)| *old == id)
        .map_or(String::new(), |(_, new)| {
            format!(" (retired: no SDK service applies that setting; see {new})")
        })
}

macro_rules! rules {
    ($( $id:literal, $family:ident, $levels:literal, $summary:literal, why: $why:literal, fix: $fix:literal, example: $example:literal; )*) => {
        pub static RULES: &[Rule] = &[
            $( Rule { id: $id, family: Family::$family, levels: $levels, summary: $summary, why: $why, fix: $fix, example: $example }, )*
        ];
    };
}

rules! {
    "config-unreadable", Config, "EEE", "the named or discovered config file cannot be read",
        why: "The SDK stops its search at the first path that exists, even a directory or a file it may not read, and then silently runs on environment and defaults.",
        fix: "Make the file a readable regular file, or remove what shadows the intended one.",
        example: "A directory named config.json in the working directory hides agent_config.json.";
    "config-invalid-json", Config, "EEE", "the config file is not valid JSON for Python: the SDK silently ignores it",
        why: "ConfigLoader catches every error while loading and carries on without the file: every setting in it, HTTPS and passwords included, is dropped without a word.",
        fix: "Remove comments, trailing commas and the byte order mark; save as UTF-8; validate with `python3 -m json.tool FILE`.",
        example: "{\"security\": {\"ssl_enabled\": true,}}   <- trailing comma: the whole file is ignored";
    "config-invalid-shape", Config, "EEE", "`security`, `auth` or `basic` has the wrong type, or values nest too deep",
        why: "A `security` that is a string, list or number crashes the SDK at start; an `auth` or `basic` that is not an object is ignored; values 10 levels below `security` make substitution raise.",
        fix: "Make `security`, `security.auth` and `security.auth.basic` JSON objects.",
        example: "{\"security\": [\"ssl_enabled\"]}  ->  {\"security\": {\"ssl_enabled\": true}}";
    "config-unknown-key", Config, "WWN", "a key the SDK never reads",
        why: "A misspelt key is silently ignored, so the setting keeps its default or environment value.",
        fix: "Use one of the SDK's keys (see `swml-sec resolve`); the message suggests the closest.",
        example: "\"ssl_enable\": true   ->  \"ssl_enabled\": true";
    "env-unknown-var", Config, "WWN", "a SWML_* variable the SDK never reads",
        why: "A misspelt variable is silently ignored, so the setting keeps its default.",
        fix: "Rename it to the variable the SDK reads; the message suggests the closest.",
        example: "SWML_SSL_ENABLE=true  ->  SWML_SSL_ENABLED=true";
    "env-overridden", Config, "NNN", "a SWML_* variable that the config file overrides",
        why: "The SDK reads the environment first and lets the config file win, so the variable has no effect; whoever sets it believes otherwise.",
        fix: "Set the value in one place: remove the key from the file, or reference the variable there (\"rate_limit\": \"${SWML_RATE_LIMIT|60}\").",
        example: "SWML_RATE_LIMIT=5 while config.json sets \"rate_limit\": 60";
    "env-not-utf8", Config, "WWW", "a SWML_* variable's name or value is not valid UTF-8",
        why: "Python decodes it with surrogate escapes, so what the SDK compares is not what any editor shows; swml-sec displays such bytes as U+FFFD.",
        fix: "Set the variable to UTF-8 text.",
        example: "SWML_DOMAIN=$'caf\\xe9.example'  ->  SWML_DOMAIN=cafe.example";
    "dotenv-line-skipped", Config, "WWW", "a line of an --env-file that python-dotenv skips",
        why: "python-dotenv's load_dotenv() logs a warning for a statement it cannot parse (a space in a name, `KEY: value`, an unterminated quote, text after a quoted value) and sets nothing for a name without `=`; the rest of the file loads, so the setting silently keeps another value. swml-sec reads dotenv files exactly as python-dotenv 1.2.4 does.",
        fix: "Write `NAME=value`; quote values with a `#` after a space, or with quotes inside; close every quote.",
        example: "SWML_BASIC_AUTH_PASSWORD <password>  ->  SWML_BASIC_AUTH_PASSWORD=<password>";
    "dotenv-version-differs", Config, "WWW", "an --env-file line that python-dotenv versions read differently",
        why: "A leading byte order mark is dropped since python-dotenv 1.2.3 (before, it becomes part of the first name); `KEY= # comment` is empty since 1.2.4 (before, the value is the comment). The SignalWire templates only require python-dotenv>=1.0.0.",
        fix: "Save the file without a BOM; write `KEY=` with no comment on the line, or pin python-dotenv>=1.2.4.",
        example: "SWML_DOMAIN= # set in prod  ->  SWML_DOMAIN=";
    "dotenv-disabled", Config, "WWW", "PYTHON_DOTENV_DISABLED makes python-dotenv load nothing from an --env-file",
        why: "Since python-dotenv 1.2.0, PYTHON_DOTENV_DISABLED set to 1, true, t, yes or y turns load_dotenv() into a no-op; older versions ignore it. A variable set by an earlier --env-file counts too.",
        fix: "Unset PYTHON_DOTENV_DISABLED where the service should read its .env file.",
        example: "PYTHON_DOTENV_DISABLED=1 with --env-file .env  ->  unset PYTHON_DOTENV_DISABLED";
    "dotenv-value-too-large", Config, "WWW", "an --env-file value expands beyond 1 MiB: swml-sec does not follow it",
        why: "Repeated `${A}${A}` interpolation doubles a value at each line; python-dotenv builds it whole (gigabytes from a few kilobytes), swml-sec stops at 1 MiB per value and 64 MiB per file and leaves the variable unset.",
        fix: "Do not build values by repeated interpolation.",
        example: "A=xx, B=${A}${A}, C=${B}${B}, ... fifty lines on";
    "sdk-no-home", Config, "EEE", "signalwire-sdk 3 cannot find a home directory: the service cannot start",
        why: "signalwire-sdk 3 builds its config search list with Path(\"~/.swml/config.json\").expanduser(), which raises RuntimeError when neither HOME nor the user database gives a home; signalwire-agents 1.1 leaves `~` as it is. Only with --sdk signalwire-sdk-3 and no config file named.",
        fix: "Set HOME for the service, or pass the config file explicitly.",
        example: "env -u HOME python agent.py  ->  HOME=/srv/agent python agent.py";
    "var-unset", Config, "EWN", "`${VAR}` refers to an unset variable and has no default: the SDK substitutes an empty string",
        why: "The SDK's documentation says this is an error, but the code inserts \"\": an unset password becomes an empty one (so a random one is generated), an unset path disables HTTPS. In a key the SDK never reads (`auth.bearer`) the empty string changes nothing: a note.",
        fix: "Set the variable in the service's environment, or give a default with `${VAR|default}`. With `check --stage build` (repository CI), an unset secret variable, or one a password or certificate path is built from, is a note: it is provided at deploy and checked by `--stage deploy`.",
        example: "\"password\": \"${SWML_PW}\" with SWML_PW unset  ->  export SWML_PW=...";
    "var-syntax", Config, "WWW", "a `${...}` the SDK does not expand as it reads",
        why: "The SDK's pattern does not nest, takes spaces as part of the name and leaves an unterminated `${` as text.",
        fix: "Write `${NAME}` or `${NAME|default}` with no spaces and no nesting.",
        example: "\"${ HOST }\" looks up the variable \" HOST \"  ->  \"${HOST}\"";
    "value-not-integer", Config, "EEE", "the SDK's int() fails on this value: the service cannot start",
        why: "The SDK converts the limits with Python's int(); `10MB`, `1e3`, `7.5` as a string or an empty value raise ValueError at start-up.",
        fix: "Write a plain whole number.",
        example: "SWML_MAX_REQUEST_SIZE=10MB  ->  SWML_MAX_REQUEST_SIZE=10485760";
    "value-lossy", Config, "WWN", "the SDK converts the value into something else than written",
        why: "int() truncates floats and turns true into 1; strings that look like numbers or booleans are re-typed; a path or domain may end up as a number.",
        fix: "Write the value in the type the setting takes.",
        example: "\"rate_limit\": 7.5 runs as 7";
    "value-ambiguous-bool", Config, "WWW", "a boolean whose SDK meaning differs from how it reads",
        why: "SWML_SSL_ENABLED is on only for true, 1 or yes (`on` is off); SWML_USE_HSTS is off only for `false` (`0` and `no` are on); in the file any non-empty string, even \"no\", is true.",
        fix: "Use JSON true/false in the file, and true/false in variables.",
        example: "SWML_SSL_ENABLED=on  ->  SWML_SSL_ENABLED=true";
    "value-retyped-secret", Auth, "EEE", "the user or password is not a string after the SDK re-types it: authentication can never succeed",
        why: "The SDK turns \"12345\" into the int 12345 and \"true\" into True; its comparison with the request's string password then always fails (or, for 0 and false, a random password is generated).",
        fix: "Use a password with at least one letter (generate one with `swml-sec gen-password`).",
        example: "\"password\": \"${PW}\" with PW=20240101 is the int 20240101";
    "list-empty-entry", Hosts, "WWN", "an empty item in allowed_hosts or cors_origins",
        why: "From a variable the SDK drops empty items silently; in a JSON array an empty string (often an unset `${VAR}`) stays and matches nothing.",
        fix: "Remove the stray comma, or set the variable.",
        example: "SWML_ALLOWED_HOSTS=a.example.com,,b.example.com";
    "tls-disabled", Tls, "EEN", "HTTPS is off",
        why: "SignalWire sends webhooks with Basic credentials; over plain HTTP anyone on the path can read them and the call data.",
        fix: "Set SWML_SSL_ENABLED=true with a certificate and key, or terminate TLS in a proxy and say so with SWML_PROXY_URL_BASE=https://... (or --tls-at-proxy): the finding is then a note. AgentServer reads TLS from the SWML_SSL_* environment variables only.",
        example: "export SWML_SSL_ENABLED=true SWML_SSL_CERT_PATH=/etc/ssl/agent.crt SWML_SSL_KEY_PATH=/etc/ssl/agent.key";
    "tls-path-missing", Tls, "EEE", "HTTPS is on but the certificate or key path is unset: the SDK serves plain HTTP",
        why: "The SDK logs an error and falls back to HTTP when either path is missing; the URLs it builds still say https.",
        fix: "Set both SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH. With `check --stage build`, a path that nothing in the repository sets is a note: it is provided at deploy.",
        example: "SWML_SSL_ENABLED=true with no SWML_SSL_KEY_PATH";
    "tls-file-unreadable", Tls, "EEE", "the certificate or key file is missing, unreadable or not a regular file",
        why: "A missing file makes the SDK fall back to plain HTTP; an unreadable one makes the server fail at start.",
        fix: "Point the path at a readable regular file. With `check --stage build` (repository CI), a file that does not exist there is a note: it is mounted at deploy and checked by `--stage deploy`; a file that exists is checked in full.",
        example: "SWML_SSL_CERT_PATH=/etc/ssl/agent.crt  (no such file)";
    "cert-invalid", Tls, "EEE", "the certificate file holds no PEM certificate, or a certificate clients refuse to read",
        why: "uvicorn loads PEM only: a DER file, a key, an empty or damaged file fails at start-up. Clients (rustls-webpki is the judge) also refuse a certificate with an unknown critical extension, a malformed extension such as authorityInfoAccess, or a signature algorithm that differs from the one in its signed part.",
        fix: "Convert with `openssl x509 -inform der -in cert.der -out cert.pem`, or point at the right file.",
        example: "a .der file or an empty file as ssl_cert_path";
    "cert-expired", Tls, "EEE", "a certificate of the chain (the leaf or an intermediate) has expired",
        why: "SignalWire refuses to deliver webhooks to a service with an expired certificate; an expired intermediate breaks the chain just as surely. The message names the certificate (position in the file and subject) and the date.",
        fix: "Renew the certificate (and automate renewal).",
        example: "notAfter 2025-01-01 checked on 2026-11-29";
    "cert-not-yet-valid", Tls, "EEE", "a certificate of the chain is not valid yet",
        why: "Clients refuse a certificate before its notBefore date; often a wrong clock where it was issued.",
        fix: "Wait until it is valid, or re-issue it with a correct clock.",
        example: "notBefore tomorrow";
    "cert-expiring", Tls, "WWN", "a certificate of the chain expires within the warning window (default 30 days)",
        why: "An expiry between two deployments takes the service down without any change to it.",
        fix: "Renew it now; set --warn-days or warn_days in the policy to your renewal lead time.",
        example: "notAfter in 10 days";
    "key-invalid", Tls, "EEE", "the key file holds no usable private key",
        why: "The server cannot start TLS without the private key.",
        fix: "Point ssl_key_path at the PEM private key that belongs to the certificate.",
        example: "a certificate given as the key";
    "key-encrypted", Tls, "EEE", "the private key is passphrase-protected",
        why: "The SDK passes no passphrase to uvicorn, so the server cannot load the key (or blocks waiting for a prompt).",
        fix: "Store the key unencrypted with strict permissions: `openssl pkey -in enc.key -out agent.key`.",
        example: "-----BEGIN ENCRYPTED PRIVATE KEY-----";
    "key-mismatch", Tls, "EEE", "the private key does not belong to the leaf certificate",
        why: "The TLS handshake fails for every client.",
        fix: "Use the key the certificate was issued for; compare `openssl x509 -pubkey` with `openssl pkey -pubout`.",
        example: "a renewed certificate with the old key";
    "key-permissions", Tls, "WWN", "the private key is readable by group or others, or can be replaced by others",
        why: "Anyone who can read the key can impersonate the service: this includes a key bundled into a certificate file that others may read. Anyone who can write its directory (writable by others, not sticky) can swap the key.",
        fix: "chmod 600 the key file (and own it by the service's user); keep keys out of the certificate file, or make that file 600 too; chmod o-w the directory.",
        example: "-rw-r--r-- agent.key";
    "cert-self-signed", Tls, "EN-", "the leaf certificate is self-signed",
        why: "SignalWire's platform calls the service over the public internet and does not trust self-signed certificates. When --ca-file holds the certificate itself (a client that pins it), it is a note.",
        fix: "Use a certificate from a public CA (for example Let's Encrypt) in production. For development, make it so every client accepts it when trusted: `openssl req -x509 ... -addext \"subjectAltName=DNS:localhost\" -addext \"basicConstraints=critical,CA:FALSE\"` (the help gives the whole command).",
        example: "openssl req -x509 ... as the production certificate";
    "cert-hostname-mismatch", Tls, "EWN", "the certificate does not cover `domain` or an allowed host",
        why: "Clients reject the certificate for a name it does not list; a wildcard covers exactly one label. rustls-webpki decides whether a name is covered.",
        fix: "Re-issue the certificate with every served name in its subjectAltName.",
        example: "domain agent.example.com with a certificate for www.example.com";
    "cert-hostname-internal", Tls, "NNN", "an allowed host that no public certificate can cover (localhost, a private address)",
        why: "Health checks and local proxies reach the service by localhost or a private address; no public CA can certify those names, so re-issuing the certificate is not the fix. SignalWire itself uses the public name.",
        fix: "Let such clients use plain HTTP on a private port or skip name verification; nothing to re-issue.",
        example: "SWML_ALLOWED_HOSTS=agent.example.com,localhost,10.0.0.5";
    "cert-weak-key", Tls, "EEW", "a certificate's key is too small (RSA < 2048 bits, EC < 256 bits) or DSA",
        why: "Small keys can be factored or are refused by current clients.",
        fix: "Re-issue with RSA 2048+ or ECDSA P-256+.",
        example: "an RSA 1024 certificate";
    "cert-weak-signature", Tls, "EEW", "a certificate is signed with SHA-1, MD5 or another algorithm clients refuse",
        why: "These signatures can be forged and are refused by current clients. A signature that cannot be checked for its algorithm is reported here, never as a chain-order problem.",
        fix: "Re-issue with a SHA-256 (or better) signature.",
        example: "sha1WithRSAEncryption";
    "cert-chain-order", Tls, "NNN", "the leaf is not first in the file, or the issuers are out of order",
        why: "Clients reorder the issuers they are sent (scripts/tls-matrix), so an issuer out of place is a note. The leaf must come first: Python's ssl takes the first certificate as the server's, so with the intermediate first load_cert_chain fails with KEY_VALUES_MISMATCH and the service does not start; that case is one error (and the chain is judged as if ordered). Certificates that are not on the path are `cert-unneeded`.",
        fix: "Put the leaf first, then the intermediates in order (the full chain file of your CA).",
        example: "intermediate before leaf in fullchain.pem";
    "cert-not-for-server", Tls, "EEW", "the leaf is a CA certificate, or the extended key usage of the leaf or an intermediate on the path lacks serverAuth",
        why: "Clients refuse a server certificate that is not issued for server authentication, and an intermediate on the path whose extended key usage omits serverAuth (anyExtendedKeyUsage does not count) limits every certificate below it. A CA:TRUE leaf (what `openssl req -x509` makes with OpenSSL 3's defaults) is refused by rustls only, so it is at most a warning that names the client.",
        fix: "Use a server (leaf) certificate with extendedKeyUsage serverAuth.",
        example: "the CA certificate given as ssl_cert_path";
    "cert-untrusted", Tls, "EN-", "clients refuse the chain: incomplete, no public web root or --ca-file anchor, or a path rule broken",
        why: "SignalWire calls the service over the public internet and trusts the public web roots only. An incomplete chain (certbot's cert.pem instead of fullchain.pem) is refused by every client; the message names the missing issuer. Otherwise it gives the reason rustls-webpki refuses the path: an unknown issuer, a bad signature, a non-CA issuer, a pathLen or name constraint exceeded. A --ca-file that holds an intermediate rather than a root is a warning: OpenSSL's defaults (Python up to 3.12) and Node trust roots only, so the server must send the intermediate.",
        fix: "Serve the full chain of a public CA (leaf, then each intermediate), or pass your private root with --ca-file where that is intended.",
        example: "a certificate from an internal CA";
    "cert-unneeded", Tls, "NNN", "a certificate of the file is not on the path clients build",
        why: "Clients build a path from the leaf to a trusted root and ignore the rest, so an expired cross-sign, a stale copy of the intermediate or an unrelated certificate does not make them refuse the chain (scripts/tls-matrix). It is a warning when it is expired or unrelated: old clients may still try it (Let's Encrypt's expired DST cross-sign), and GnuTLS takes an expired copy that comes before the current one.",
        fix: "Drop it from the certificate file.",
        example: "fullchain.pem with last year's intermediate still appended";
    "cert-key-usage", Tls, "WWN", "a keyUsage some clients refuse: a CA without one, a leaf without digitalSignature",
        why: "Python 3.13's default context verifies strictly (VERIFY_X509_STRICT) and refuses a CA certificate without keyUsage, as the usual `openssl req -x509` CA tutorial makes it. Java and GnuTLS refuse a leaf whose keyUsage lacks digitalSignature (TLS 1.3 and ECDHE sign with the key). The message names the clients that refuse.",
        fix: "Re-issue the CA with keyUsage = critical, keyCertSign, cRLSign; the leaf with keyUsage = critical, digitalSignature (plus keyEncipherment for RSA).",
        example: "a private root made with openssl req -x509 -subj /CN=My CA";
    "domain-unset", Tls, "WN-", "HTTPS is on but `domain` is unset",
        why: "The SDK then builds its callback URLs from the request's Host header, which a client controls.",
        fix: "Set SWML_DOMAIN (or security.domain) to the public host name.",
        example: "export SWML_DOMAIN=agent.example.com";
    "verify-mode-unused", Tls, "NN-", "ssl_verify_mode is set, but no SDK service passes it to the server",
        why: "SecurityConfig reads ssl_verify_mode and no service class uses it: uvicorn is started without it and requests no client certificates. CERT_NONE turns nothing off, CERT_REQUIRED turns nothing on, and a misspelt mode is harmless.",
        fix: "Remove the setting. To authenticate clients by certificate, do it (mTLS) at the proxy.",
        example: "SWML_SSL_VERIFY_MODE=CERT_NONE";
    "tls-hosted", Tls, "NN-", "the app is served by another server (get_app(), as_router()): TLS is configured there",
        why: "AgentBase.get_app() and as_router() hand the agent to a server the project runs (uvicorn, gunicorn, a Lambda adapter, its own FastAPI app): that server decides HTTPS, and the SDK loads no certificate or key. Advice about SWML_SSL_* would change nothing but a header.",
        fix: "Configure TLS on the hosting server or at the proxy or API gateway in front of it, and check it from outside with `swml-sec probe https://…`.",
        example: "app = Agent().get_app(); uvicorn.run(app)  (plain HTTP whatever SWML_SSL_ENABLED says)";
    "tls-config-ignored", Tls, "EEW", "TLS is on in the config file, but the class reads TLS from the environment only (AgentServer): it serves plain HTTP",
        why: "AgentServer reads SWML_SSL_ENABLED, SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH from the environment itself and never looks at SecurityConfig's TLS settings, so ssl_enabled in config.json leaves it on plain HTTP while the agents build https:// URLs.",
        fix: "Set SWML_SSL_ENABLED=true, SWML_SSL_CERT_PATH and SWML_SSL_KEY_PATH in the AgentServer's environment.",
        example: "\"security\": {\"ssl_enabled\": true, ...} in config.json, with AgentServer";
    "auth-password-unset", Auth, "WWN", "no password: the SDK generates a new one at every start",
        why: "The generated password changes at each restart, so SignalWire's stored webhook credentials stop working after every deploy.",
        fix: "Set SWML_BASIC_AUTH_PASSWORD from your secret store (`swml-sec gen-password`). With `check --stage build`, a password nothing in the repository sets is a note: it is provided at deploy.",
        example: "export SWML_BASIC_AUTH_PASSWORD=\"$(swml-sec gen-password)\"";
    "auth-password-weak", Auth, "EWN", "the password is short or easy to guess",
        why: "The Basic password is the only thing between the internet and the agent's routes; it must resist offline and online guessing.",
        fix: "Use at least 16 random characters (`swml-sec gen-password`).",
        example: "Summer2024!";
    "auth-password-placeholder", Auth, "EEW", "the password is a known example or template value",
        why: "Passwords from the SDK's guides and templates are in every attacker's list.",
        fix: "Replace it with a generated secret (`swml-sec gen-password`). With `check --stage build`, a placeholder from an example env file (`.env.example`, `env.sample`, `*.template`) is a note: the real value is provided at deploy.",
        example: "mysecurepassword, your-secure-password, changeme";
    "auth-password-equals-user", Auth, "EEW", "the password equals the user name",
        why: "The first guess of any attacker.",
        fix: "Use a generated password.",
        example: "user admin, password admin";
    "auth-default-user", Auth, "NN-", "the user name is the SDK's default, `signalwire`",
        why: "A known user name halves what an attacker must guess.",
        fix: "Set SWML_BASIC_AUTH_USER to a name of your own.",
        example: "SWML_BASIC_AUTH_USER unset";
    "auth-user-invalid", Auth, "EEE", "the user name contains `:` or a control character",
        why: "Basic auth splits at the first `:`, so such a user can never log in.",
        fix: "Use a user name without `:` and control characters.",
        example: "SWML_BASIC_AUTH_USER=team:agent";
    "auth-credential-whitespace", Auth, "WWW", "the user or password starts or ends with whitespace",
        why: "Pasted secrets often carry a trailing newline or space that clients do not send.",
        fix: "Strip the value where it is set.",
        example: "SWML_BASIC_AUTH_PASSWORD=\"s3cret\\n\"";
    "auth-secret-in-config", Auth, "WWN", "a literal password in the config file, or one used as the default of ${VAR|default}",
        why: "Config files get committed and copied; the password then leaks with them. A ${PW|default} whose variable is unset runs with the default, a password committed in the file.",
        fix: "Reference a variable instead: \"password\": \"${SWML_BASIC_AUTH_PASSWORD}\".",
        example: "\"password\": \"Tr0ub4dor-and-3-in-git\"";
    "auth-secret-committed", Auth, "EEW", "`check --stage build`: the Basic auth password is in the repository",
        why: "The build stage runs on a checkout, so what it finds there is committed: a dotenv file that is not an example (`.env`, `prod.env`) or a literal password in the config file. Whoever can read the repository, its forks or its history has the password.",
        fix: "Remove the password from the repository, rotate it (it stays in the history), and provide it at deploy from a secret store; commit only an example file (`.env.example`) with a placeholder.",
        example: "a committed .env with SWML_BASIC_AUTH_PASSWORD=...";
    "hosts-wildcard", Hosts, "EW-", "allowed_hosts accepts any Host (`*`), in a class that enforces it",
        why: "WebService and SearchService check the Host header against allowed_hosts; with `*` they answer for any Host header, which helps DNS rebinding and host-header attacks.",
        fix: "List the service's host names in SWML_ALLOWED_HOSTS.",
        example: "SWML_ALLOWED_HOSTS=agent.example.com";
    "hosts-not-enforced", Hosts, "WWN", "the class never checks the Host header: allowed_hosts has no effect",
        why: "AgentBase, AgentServer and SWMLService serve any Host header whatever allowed_hosts says, so setting it protects nothing; DNS rebinding and host-header attacks must be stopped in front of the service.",
        fix: "Enforce host names in the proxy or ingress: an nginx default server that refuses unknown names (`return 444`), or Kubernetes Ingress host rules.",
        example: "an AgentBase agent with SWML_ALLOWED_HOSTS=agent.example.com still answers Host: attacker.invalid";
    "cors-wildcard", Hosts, "EW-", "cors_origins allows any origin (`*`), with credentials, in a class that applies it",
        why: "WebService and SearchService apply cors_origins with allow_credentials always on, so `*` lets any web site call the service with a visitor's credentials (a WebService created with enable_cors=False adds no CORS at all).",
        fix: "List the exact origins in SWML_CORS_ORIGINS.",
        example: "SWML_CORS_ORIGINS=https://app.example.com";
    "cors-not-applied", Hosts, "NN-", "the class ignores cors_origins",
        why: "AgentBase's serve(), AgentServer and SWMLService send no CORS headers at all, and AgentBase's get_app() allows every origin without credentials, whatever cors_origins says: the setting neither opens nor closes anything.",
        fix: "Remove cors_origins. If a web app on another origin must call the service, add CORS headers for exactly that origin in the proxy.",
        example: "SWML_CORS_ORIGINS=https://app.example.com with an AgentBase agent";
    "hosts-malformed", Hosts, "WWW", "an allowed host with a scheme, path, port, wildcard or other junk",
        why: "WebService and SearchService compare the Host header, cut at its first `:`, with each item verbatim, so `https://a.com`, `a.com/`, `a.com:8443` (the port is cut from the header), `*.a.com` and `.a.com` (no pattern matching) never match.",
        fix: "List bare host names.",
        example: "https://agent.example.com/  ->  agent.example.com";
    "cors-origin-malformed", Hosts, "WWW", "a CORS origin with a trailing slash, a path, a wildcard, a default port or no scheme",
        why: "Browsers send origins as scheme://host[:port] exactly, without the default port; anything else (`https://*.a.com`, `https://a.com:443`) never matches.",
        fix: "Write origins as https://host or https://host:port.",
        example: "https://app.example.com/  ->  https://app.example.com";
    "cors-insecure-origin", Hosts, "WN-", "a CORS origin over plain http://",
        why: "A page served over HTTP can be altered in transit and then calls the service with credentials.",
        fix: "Allow only https:// origins.",
        example: "http://app.example.com  ->  https://app.example.com";
    "hsts-disabled", Hsts, "EW-", "HTTPS without HSTS, in a class that honours use_hsts",
        why: "WebService and SearchService send Strict-Transport-Security only when use_hsts is on; without it a network attacker can downgrade browsers to plain HTTP.",
        fix: "Leave use_hsts on (unset SWML_USE_HSTS, or set it to true).",
        example: "SWML_USE_HSTS=false";
    "hsts-short-max-age", Hsts, "WN-", "HSTS max-age below one year, in a class that honours hsts_max_age",
        why: "A short max-age lets the protection lapse between visits; preload lists require a year.",
        fix: "Set SWML_HSTS_MAX_AGE=31536000 or more.",
        example: "SWML_HSTS_MAX_AGE=3600";
    "hsts-not-applied", Hsts, "NN-", "the class ignores use_hsts and hsts_max_age",
        why: "AgentBase and AgentServer always send `max-age=31536000; includeSubDomains` when TLS is on, whatever the settings say; SWMLService sends no HSTS header at all (a warning: browsers can be downgraded). Changing the settings changes nothing.",
        fix: "Remove the settings that have no effect; set another HSTS header, or add a missing one, in the proxy.",
        example: "SWML_USE_HSTS=false with an AgentBase agent over HTTPS";
    "limits-not-enforced", Limits, "NN-", "no SDK service enforces rate_limit, max_request_size or request_timeout",
        why: "SecurityConfig reads the three limits and no service class applies them: the service accepts any request rate, body size and duration. A warning when a limit is set, since someone then believes it protects the service.",
        fix: "Enforce limits in the proxy or ingress: nginx `limit_req`, `client_max_body_size`, `proxy_read_timeout`; ingress-nginx annotations `limit-rps`, `proxy-body-size`, `proxy-read-timeout`.",
        example: "SWML_RATE_LIMIT=30 (no service reads it)";
    "trust-remote-user", Flags, "WWN", "SWML_TRUST_REMOTE_USER is on: CGI mode trusts REMOTE_USER",
        why: "If the web server in front does not authenticate, anyone can set REMOTE_USER and skip Basic auth.",
        fix: "Turn it off unless the web server really authenticates every request.",
        example: "SWML_TRUST_REMOTE_USER=true";
    "allow-private-urls", Flags, "WWN", "SWML_ALLOW_PRIVATE_URLS is on: the SSRF guard is off",
        why: "Outbound requests to URLs from the conversation may then reach internal services and cloud metadata.",
        fix: "Leave it off in production.",
        example: "SWML_ALLOW_PRIVATE_URLS=1";
    "trust-proxy-headers", Flags, "NN-", "SWML_TRUST_PROXY_HEADERS is on",
        why: "X-Forwarded-* headers are then trusted to build URLs; safe only behind a proxy that sets them.",
        fix: "Enable it only behind a proxy that overwrites these headers.",
        example: "SWML_TRUST_PROXY_HEADERS=true";
    "schema-validation-skipped", Flags, "NN-", "SWML_SKIP_SCHEMA_VALIDATION is on",
        why: "Invalid SWML then reaches the platform unchecked.",
        fix: "Leave schema validation on in production.",
        example: "SWML_SKIP_SCHEMA_VALIDATION=true";
    "proxy-url-insecure", Flags, "EW-", "SWML_PROXY_URL_BASE uses http://",
        why: "The SDK gives SignalWire this base for webhooks, so credentials travel in clear text.",
        fix: "Use an https:// public base URL.",
        example: "SWML_PROXY_URL_BASE=http://agent.example.com  ->  https://agent.example.com";
    "probe-unreachable", Probe, "EEE", "the service cannot be reached (DNS, refused connection, time-out)",
        why: "SignalWire cannot deliver webhooks to a service it cannot reach. --timeout is one deadline for the whole probe (connect, request and response of every exchange): a server that answers too slowly, even one byte at a time, is stopped there and reported here.",
        fix: "Check the URL, the port, the firewall and that the service runs.",
        example: "swml-sec probe https://agent.example.com/agent  ->  connection refused";
    "probe-tls-failed", Probe, "EEE", "the TLS handshake fails, or a verifying client refuses the peer",
        why: "Every HTTPS client, SignalWire included, fails the same way. The probe sends credentials only to a peer whose chain is trusted (web roots or --ca-file) and covers the URL's host; otherwise it withholds them and says so.",
        fix: "Read the reason in the message: a plain-HTTP port, a protocol or cipher mismatch, a broken chain.",
        example: "https:// URL on a port that serves plain HTTP";
    "probe-route-not-found", Probe, "EEE", "the probed URL is not an agent route (404, 405, or AgentBase's \"Invalid route\")",
        why: "SignalWire would get the same answer; and on a missing route authentication cannot be judged, so the probe does not pass it. AgentBase answers paths outside its route with 200 {\"error\": \"Invalid route\"} and no authentication.",
        fix: "Probe the agent's route as SignalWire calls it (e.g. /agent), and check the route in the service or the proxy.",
        example: "swml-sec probe https://agent.example.com/agnet  ->  404";
    "probe-auth-not-required", Probe, "EEW", "the route answers 2xx without credentials",
        why: "Anyone can fetch the agent's SWML and call its functions.",
        fix: "Serve the agent through AgentBase with basic auth, and probe the agent's route.",
        example: "GET /agent without Authorization  ->  200";
    "probe-auth-rejected", Probe, "EEE", "the configured credentials are refused (401/403)",
        why: "SignalWire uses these credentials; if the service refuses them, every call fails.",
        fix: "Make the service and its configuration use the same user and password (restarts regenerate an unset password).",
        example: "configured SWML_BASIC_AUTH_PASSWORD differs from the one the running service uses";
    "probe-header-missing", Probe, "WWN", "a security header of the SDK's guide is missing",
        why: "The guide promises X-Content-Type-Options, X-Frame-Options DENY, X-XSS-Protection and Referrer-Policy; AgentBase omits X-XSS-Protection. X-XSS-Protection is deprecated and ignored by every current browser (OWASP: send 0 or omit it), so its absence is only a note in every profile.",
        fix: "Add the header in the service or the reverse proxy.",
        example: "no X-XSS-Protection on an AgentBase route";
    "probe-hsts-mismatch", Probe, "WW-", "HSTS missing over HTTPS, or a max-age other than configured",
        why: "AgentBase sends a fixed one-year max-age whatever hsts_max_age says; a proxy may strip the header.",
        fix: "Align the configuration with what is served, or set the header in the proxy.",
        example: "configured hsts_max_age 63072000, served max-age=31536000";
    "probe-cors-permissive", Probe, "EWN", "a foreign Origin is granted access",
        why: "With credentials, any web site can call the service as its visitors; AgentBase ignores cors_origins.",
        fix: "Restrict CORS in the service or the proxy to the origins that need it.",
        example: "Origin: https://swml-sec-probe.invalid  ->  Access-Control-Allow-Origin echoed";
    "probe-host-not-enforced", Probe, "WWN", "a foreign Host header is served although allowed_hosts is restricted",
        why: "AgentBase does not check the Host header, whatever SWML_ALLOWED_HOSTS says.",
        fix: "Enforce allowed hosts in the reverse proxy (or with TrustedHostMiddleware).",
        example: "Host: swml-sec-probe.invalid  ->  401 instead of 400";
    "probe-plain-http-open", Probe, "EW-", "plain HTTP serves content although HTTPS is configured",
        why: "Credentials and call data can then travel in clear text.",
        fix: "Serve HTTPS only, or redirect plain HTTP to HTTPS.",
        example: "http://agent.example.com:3000/agent answers 401 with SWML_SSL_ENABLED=true";
    "probe-cert-mismatch", Probe, "EEW", "the served certificate is not the one in ssl_cert_path",
        why: "The service (or a proxy in front) serves another certificate than the one being checked and renewed.",
        fix: "Restart the service after renewal, or check the certificate of the proxy.",
        example: "renewed file on disk, old certificate still served";
    "policy-unused-ignore", Policy, "WWW", "an ignore in the policy or on the command line matched no finding",
        why: "Stale ignores hide the next real finding of that rule. An ignore is unused only in a profile where its rule is on: an ignore of a rule the profile (or the policy's [rules] for it) turns off is not reported.",
        fix: "Remove the ignore, or move it into the `[profiles.NAME]` section of the profiles that need it.",
        example: "[[ignore]] rule = \"cert-expiring\" after the certificate was renewed";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_explained() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                r.id
            );
            assert!(
                !r.summary.is_empty()
                    && !r.why.is_empty()
                    && !r.fix.is_empty()
                    && !r.example.is_empty(),
                "{}",
                r.id
            );
            assert_eq!(r.levels.len(), 3, "{}", r.id);
            assert!(r.levels.bytes().all(|b| b"EWN-".contains(&b)), "{}", r.id);
        }
    }
}
