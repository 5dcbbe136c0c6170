#!/usr/bin/env python3
"""The conformance corpus: hand-written cases for every paragraph of
SDK-SEMANTICS.md, plus a seeded random differential generator.

    scripts/regen-goldens.sh    # runs these through the real SDK (oracle)

Each case: {"name", "env", "files", optional "config_file" and "service"}.
Paths in "files" are relative to the working directory; "../" reaches $HOME.
"""
import json
import random

CASES = []


def case(name, env=None, files=None, config_file=None, service=None):
    c = {"name": name, "env": env or {}, "files": files or {}}
    if config_file is not None:
        c["config_file"] = config_file
    if service is not None:
        c["service"] = service
    CASES.append(c)


def sec(obj):
    """A config file whose `security` object is obj."""
    return {"config.json": json.dumps({"security": obj})}


# --- Defaults -------------------------------------------------------------
case("defaults-empty")
case("defaults-unrelated-env", env={"FOO": "bar", "SWML_UNKNOWN_THING": "1"})

# --- Environment: ssl_enabled ----------------------------------------------
for i, v in enumerate(["true", "TRUE", "True", "1", "yes", "YES", "on", "y", "enabled",
                       " true", "true ", "false", "0", "", "no", "2"]):
    case(f"env-ssl-enabled-{i:02d}", env={"SWML_SSL_ENABLED": v})

# --- Environment: use_hsts ---------------------------------------------------
for i, v in enumerate(["", "false", "FALSE", "False", "0", "no", "off", " false", "false ",
                       "true", "anything"]):
    case(f"env-use-hsts-{i:02d}", env={"SWML_USE_HSTS": v})

# --- Environment: integers ---------------------------------------------------
INT_VALUES = ["45", " 45 ", "+30", "1_000", "-5", "007", "1e3", "7.5", "10MB", "",
              "\u0661\u0662", "\u00b2", "1__0", "0x10", "1" * 40, "\t12\n", "_1", "1_",
              "-0", "+-1", "\u00a012\u2003"]
for i, v in enumerate(INT_VALUES):
    case(f"env-rate-limit-{i:02d}", env={"SWML_RATE_LIMIT": v})
case("env-max-request-size", env={"SWML_MAX_REQUEST_SIZE": "1048576"})
case("env-request-timeout-bad", env={"SWML_REQUEST_TIMEOUT": "30s"})
case("env-hsts-max-age", env={"SWML_HSTS_MAX_AGE": "63072000"})
case("env-hsts-max-age-bad-with-file-override",
     env={"SWML_HSTS_MAX_AGE": "1y"}, files=sec({"hsts_max_age": 100}))

# --- Environment: lists ------------------------------------------------------
for i, v in enumerate(["*", "a.com", "a.com,,b.com,", ",", " a.com , b.com ", "*,a.com",
                       " * ", "", "a.com;b.com", "\u00a0a.com\u00a0", "\x1ca.com"]):
    case(f"env-allowed-hosts-{i:02d}", env={"SWML_ALLOWED_HOSTS": v})
case("env-cors-origins", env={"SWML_CORS_ORIGINS": "https://a.example.com, https://b.example.com"})

# --- Environment: strings and auth ------------------------------------------
case("env-domain-empty", env={"SWML_DOMAIN": ""})
case("env-domain", env={"SWML_DOMAIN": "agent.example.com"})
case("env-verify-mode-empty", env={"SWML_SSL_VERIFY_MODE": ""})
case("env-verify-mode-none", env={"SWML_SSL_VERIFY_MODE": "CERT_NONE"})
case("env-paths", env={"SWML_SSL_CERT_PATH": "/x/cert.pem", "SWML_SSL_KEY_PATH": "/x/key.pem"})
case("env-user-empty", env={"SWML_BASIC_AUTH_USER": ""})
case("env-user-and-password", env={"SWML_BASIC_AUTH_USER": "admin", "SWML_BASIC_AUTH_PASSWORD": "pw"})
case("env-password-empty", env={"SWML_BASIC_AUTH_PASSWORD": ""})
case("env-password-digits-stays-string", env={"SWML_BASIC_AUTH_PASSWORD": "12345"})

# --- Precedence ----------------------------------------------------------------
case("precedence-file-over-env", env={"SWML_RATE_LIMIT": "10", "SWML_DOMAIN": "env.example.com"},
     files=sec({"rate_limit": 20}))
case("precedence-absent-key-keeps-env", env={"SWML_SSL_ENABLED": "true"}, files=sec({"domain": "f.example.com"}))
case("precedence-file-false-over-env-true", env={"SWML_SSL_ENABLED": "true"}, files=sec({"ssl_enabled": False}))
case("precedence-file-null-domain", env={"SWML_DOMAIN": "env.example.com"}, files=sec({"domain": None}))
case("precedence-file-empty-password-over-env",
     env={"SWML_BASIC_AUTH_PASSWORD": "envpw"}, files=sec({"auth": {"basic": {"password": ""}}}))
case("precedence-file-empty-user-over-env",
     env={"SWML_BASIC_AUTH_USER": "envuser"}, files=sec({"auth": {"basic": {"user": ""}}}))
case("precedence-relative-path", files={"config.json": json.dumps({"security": {"ssl_cert_path": "certs/c.pem"}})})

# --- Discovery -------------------------------------------------------------------
ONE = json.dumps({"security": {"rate_limit": 1}})
TWO = json.dumps({"security": {"rate_limit": 2}})
THREE = json.dumps({"security": {"rate_limit": 3}})
case("discover-config-json", files={"config.json": ONE})
case("discover-agent-config", files={"agent_config.json": ONE})
case("discover-dot-swml", files={".swml/config.json": ONE})
case("discover-config-before-agent", files={"config.json": ONE, "agent_config.json": TWO})
case("discover-agent-before-dot-swml", files={"agent_config.json": TWO, ".swml/config.json": THREE})
case("discover-swml-config-not-searched", files={"swml_config.json": ONE})
case("discover-service-config", files={"myagent_config.json": ONE, "config.json": TWO}, service="myagent")
case("discover-service-dot-swml", files={".swml/myagent_config.json": ONE, "config.json": TWO}, service="myagent")
case("discover-service-falls-back", files={"config.json": TWO}, service="myagent")
case("discover-other-service-ignored", files={"other_config.json": ONE})
case("discover-home", files={"../.swml/config.json": ONE})
case("discover-cwd-before-home", files={"../.swml/config.json": ONE, ".swml/config.json": THREE})
case("discover-directory-shadows", files={"config.json/x": "{}", "agent_config.json": TWO})
case("discover-invalid-first-stops-search", files={"config.json": "{", "agent_config.json": TWO})
case("explicit-missing-file", files={"config.json": ONE}, config_file="nope.json")
case("explicit-other-name", files={"custom.json": ONE, "config.json": TWO}, config_file="custom.json")
case("explicit-swml-config", files={"swml_config.json": THREE}, config_file="swml_config.json")
case("explicit-directory", files={"conf/x": "{}"}, config_file="conf")

# --- Invalid JSON: silently ignored -------------------------------------------------
ENVRL = {"SWML_RATE_LIMIT": "9"}
for i, text in enumerate([
    '{"security": {"rate_limit": 1,}}',
    '\ufeff{"security": {"rate_limit": 1}}',
    '{"security": {"rate_limit": 1}} // c',
    "{'security': {'rate_limit': 1}}",
    '{security: {"rate_limit": 1}}',
    '{"security": {"rate_limit": 01}}',
    '{"security": {"rate_limit": +1}}',
    '{"security": {"rate_limit": .5}}',
    '{"security": {"domain": "a\tb"}}',
    '',
    '{"security": {}} {}',
    '{"security": {"rate_limit": 0x10}}',
    '{"security": {"rate_limit": -NaN}}',
    '\u00a0{"security": {"rate_limit": 1}}',
    '{"security": {"domain": "\\x41"}}',
]):
    case(f"json-invalid-{i:02d}", env=ENVRL, files={"config.json": text})
case("json-nan-accepted-string-setting", files={"config.json": '{"security": {"domain": NaN}}'})
case("json-nan-int-crashes", files={"config.json": '{"security": {"rate_limit": NaN}}'})
case("json-infinity-int-crashes", files={"config.json": '{"security": {"rate_limit": Infinity}}'})
case("json-neg-infinity-bool", files={"config.json": '{"security": {"ssl_enabled": -Infinity}}'})
case("json-duplicate-keys-last-wins", files={"config.json": '{"security": {"rate_limit": 1, "rate_limit": 2}}'})
case("json-duplicate-security", files={"config.json": '{"security": {"rate_limit": 1}, "security": {"domain": "d"}}'})
case("json-escapes", files={"config.json": '{"security": {"domain": "\\u0061gent.example.com"}}'})
case("json-surrogate-pair", files={"config.json": '{"security": {"domain": "\\ud83d\\ude00"}}'})
case("json-whitespace-crlf", files={"config.json": '{\r\n"security":\t{"rate_limit": 5}\r\n}\r\n'})

# --- Expansion -----------------------------------------------------------------------
def expand_case(name, value, env=None, key="domain"):
    case(name, env=env, files=sec({key: value}))

expand_case("expand-set", "${D}", {"D": "d.example.com"})
expand_case("expand-set-empty", "${D|fallback}", {"D": ""})
expand_case("expand-unset-no-default", "${D}")
expand_case("expand-default", "${D|fallback.example.com}")
expand_case("expand-empty-default", "${D|}")
expand_case("expand-spaced-name", "${ D }", {"D": "d"})
expand_case("expand-spaced-name-set", "${ D }", {" D ": "spaced"})
expand_case("expand-nested", "${A|${B|x}}", {"B": "b"})
expand_case("expand-unterminated", "${A", {"A": "a"})
expand_case("expand-multiple", "${SUB}.${ZONE|example.com}", {"SUB": "agent"})
expand_case("expand-pipe-in-default", "${A|b|c}")
expand_case("expand-adjacent", "${A}${B}", {"A": "1", "B": "2"})
expand_case("expand-dollar-without-brace", "$A", {"A": "x"})
expand_case("expand-empty-name", "${}")
expand_case("expand-empty-name-default", "${|x}")
expand_case("expand-brace-in-default", "${A|{x}")
expand_case("expand-newline-in-name", "${A\nB|d}")
expand_case("expand-value-with-dollar", "${A}", {"A": "${B}", "B": "no"})
expand_case("expand-key-not-expanded", "x")
case("expand-keys-are-not-expanded", env={"K": "rate_limit"}, files={"config.json": json.dumps({"security": {"${K}": 5}})})
case("expand-int-setting-default", files=sec({"rate_limit": "${RL|30}"}))
case("expand-int-setting-env", env={"RL": "45"}, files=sec({"rate_limit": "${RL|30}"}))
case("expand-int-setting-unset", files=sec({"rate_limit": "${RL}"}))
case("expand-password-unset", files=sec({"auth": {"basic": {"user": "admin", "password": "${PASSWORD}"}}}))
case("expand-password-set", env={"PASSWORD": "s3cret-s3cret-s3cret"},
     files=sec({"auth": {"basic": {"user": "admin", "password": "${PASSWORD}"}}}))
case("expand-list-items", env={"H": "a.example.com"}, files=sec({"allowed_hosts": ["${H}", "${UNSET}", "b.example.com"]}))
case("expand-list-string", env={"HOSTS": "a.com, b.com"}, files=sec({"allowed_hosts": "${HOSTS}"}))
case("expand-list-star-from-var", env={"HOSTS": "*"}, files=sec({"allowed_hosts": "${HOSTS}"}))
case("expand-bool-from-var", env={"SSL": "true"}, files=sec({"ssl_enabled": "${SSL}"}))
case("expand-bool-from-var-on", env={"SSL": "on"}, files=sec({"ssl_enabled": "${SSL}"}))
case("expand-bool-from-var-zero", env={"SSL": "0"}, files=sec({"ssl_enabled": "${SSL}"}))
case("expand-bool-unset", files=sec({"ssl_enabled": "${SSL}"}))

# --- Re-typing ---------------------------------------------------------------------------
for i, v in enumerate(["true", "TRUE", "False", "007", "1.5", "2.", ".5", "1.2.3", "-1", "",
                       "\u0661\u0662", "\u00b2", "1" * 30, "tRuE", " true", "1e5", "Infinity", "nan"]):
    case(f"retype-domain-{i:02d}", files=sec({"domain": v}))
for i, v in enumerate(["30", " 45 ", "1_000", "-5", "abc", "1.9", "\u00b2", "", "\u0661\u0662"]):
    case(f"retype-rate-limit-{i:02d}", files=sec({"rate_limit": v}))
case("retype-password-digits", files=sec({"auth": {"basic": {"password": "12345"}}}))
case("retype-password-zero", files=sec({"auth": {"basic": {"password": "0"}}}))
case("retype-password-false", files=sec({"auth": {"basic": {"password": "false"}}}))
case("retype-password-float", files=sec({"auth": {"basic": {"password": "3.14"}}}))
case("retype-user-true", files=sec({"auth": {"basic": {"user": "true"}}}))
case("retype-user-zero", files=sec({"auth": {"basic": {"user": "0"}}}))
case("retype-list-string-digits-crashes", files=sec({"allowed_hosts": "123"}))
case("retype-list-string-bool-crashes", files=sec({"cors_origins": "true"}))
case("retype-verify-mode-number", files=sec({"ssl_verify_mode": "2"}))

# --- Depth limit ------------------------------------------------------------------------------
def nest(levels, leaf):
    v = leaf
    for _ in range(levels):
        v = {"k": v}
    return v

case("depth-8-ok", files=sec({"extra": nest(8, "x")}))
case("depth-9-ok", files={"config.json": json.dumps({"security": {"extra": nest(7, [1])}})})
case("depth-10-crashes", files=sec({"extra": nest(8, [1])}))
case("depth-10-scalar-crashes", files=sec({"extra": nest(9, 1)}))
case("depth-empty-container-at-9", files=sec({"extra": nest(8, {})}))
case("depth-outside-security-ok", files={"config.json": json.dumps({"other": nest(50, 1), "security": {"rate_limit": 5}})})

# --- Shape of `security` and the root --------------------------------------------------------------
for i, root in enumerate(['{"security": null}', '{"security": ""}', '{"security": "abc"}',
                          '{"security": "ssl_enabled"}', '{"security": []}', '{"security": ["ssl_enabled"]}',
                          '{"security": ["x"]}', '{"security": 0}', '{"security": 5}', '{"security": true}',
                          '{"security": false}', '{"security": "${X}"}', '{"security": "0"}', '{"security": {}}',
                          '{"other": 1}', '{"security": "${X|{}}"}', '{"security": 0.0}']):
    case(f"shape-security-{i:02d}", env={"SWML_RATE_LIMIT": "9"}, files={"config.json": root})
for i, root in enumerate(['[]', '["security"]', '["x"]', '"security"', '"abc"', '5', '0', 'null', 'true', 'false',
                          '{}', '1.5', '"my security"']):
    case(f"shape-root-{i:02d}", env={"SWML_RATE_LIMIT": "9"}, files={"config.json": root})
for i, auth in enumerate([None, "x", [], {"basic": None}, {"basic": "u:p"}, {"basic": []},
                          {"basic": {}}, {"other": {"user": "u"}}, {"basic": {"user": "u"}},
                          {"basic": {"password": "p4ss-p4ss-p4ss-p4ss"}}, {"basic": {"user": None, "password": None}},
                          {"basic": {"user": ["a"], "password": {"x": 1}}}]):
    case(f"shape-auth-{i:02d}", env={"SWML_BASIC_AUTH_USER": "envuser", "SWML_BASIC_AUTH_PASSWORD": "envpass"},
         files=sec({"auth": auth}))

# --- Booleans in the file -------------------------------------------------------------------
for i, v in enumerate(["no", "off", "0 ", 0, "", False, None, "0", 1, 2, [], [1], {}, "false", "FALSE",
                       " false", 0.0, 0.5, "yes"]):
    case(f"file-ssl-enabled-{i:02d}", env={"SWML_SSL_ENABLED": "true"}, files=sec({"ssl_enabled": v}))
for i, v in enumerate(["no", 0, "0", "", None, False, "off"]):
    case(f"file-use-hsts-{i:02d}", files=sec({"use_hsts": v}))

# --- Integers in the file --------------------------------------------------------------------
for i, raw in enumerate(["7.5", "true", "false", "null", "-7.9", "1e20", "[]", "{}", "1" * 40, "7.0", "1e400",
                         "-0.0", "1E2"]):
    case(f"file-rate-limit-{i:02d}", files={"config.json": '{"security": {"rate_limit": %s}}' % raw})

# --- Lists in the file ---------------------------------------------------------------------------
for i, v in enumerate([["a.com", "b.com"], [], ["*"], "a.com,b.com", "*", " * ", "a.com,,b.com", ",", 5, True, None,
                       [1, True, 2.5], [" a.com "], ["a.com", ""], {"a": 1}, [["x"]], 1.5]):
    case(f"file-allowed-hosts-{i:02d}", files=sec({"allowed_hosts": v}))
case("file-cors-list", files=sec({"cors_origins": ["https://a.example.com"]}))

# --- Strings in the file -------------------------------------------------------------------------
for i, v in enumerate([123, True, 1.5, None, "", ["a"], {"a": "b"}, 1e16, 1e-5, -0.0, "path with space"]):
    case(f"file-cert-path-{i:02d}", files=sec({"ssl_cert_path": v}))
case("file-full", env={"PW": "correct-horse-battery-staple-9"}, files=sec({
    "ssl_enabled": True, "ssl_cert_path": "/etc/ssl/c.pem", "ssl_key_path": "/etc/ssl/k.pem",
    "domain": "agent.example.com", "ssl_verify_mode": "CERT_REQUIRED",
    "allowed_hosts": ["agent.example.com"], "cors_origins": ["https://app.example.com"],
    "max_request_size": 1048576, "rate_limit": 120, "request_timeout": 60, "use_hsts": True,
    "hsts_max_age": 63072000, "auth": {"basic": {"user": "agent", "password": "${PW}"}}}))


# --- Random differential cases ---------------------------------------------------------------------
ENV_POOL = {
    "SWML_SSL_ENABLED": ["true", "1", "yes", "on", "false", "", "TRUE", " yes"],
    "SWML_USE_HSTS": ["false", "0", "no", "", "true", "FALSE"],
    "SWML_RATE_LIMIT": ["10", " 20 ", "+5", "1_0", "x", "", "-1"],
    "SWML_ALLOWED_HOSTS": ["*", "a.com,b.com", ",a.com,", "", " * "],
    "SWML_DOMAIN": ["", "d.example.com"],
    "SWML_BASIC_AUTH_USER": ["", "u", "admin"],
    "SWML_BASIC_AUTH_PASSWORD": ["", "p", "123"],
    "V": ["", "true", "7", "2.5", "a,b", "*", "0", "no"],
}
FILE_POOL = {
    "ssl_enabled": [True, False, "${V}", "${V|true}", "no", 0, 1, None, "${NOPE}"],
    "use_hsts": [True, False, "${V}", "0", "", "false"],
    "rate_limit": [5, 7.5, "${V|30}", "${V}", True, "12", "x"],
    "request_timeout": [10, "${V|60}", 2.0],
    "allowed_hosts": [["a.com"], "${V}", "${V|*}", "a.com,,b.com", [], ["${V}"]],
    "cors_origins": ["*", ["https://a.com"], "${V|https://b.com}"],
    "domain": ["${V}", "d.com", "${V|x.com}", 5, None],
    "ssl_verify_mode": ["CERT_NONE", "${V|CERT_OPTIONAL}"],
    "auth": [{"basic": {"user": "${V}", "password": "${V|pw}"}}, {"basic": {"password": "${V}"}}, "x"],
}


def random_cases(seed, count):
    rng = random.Random(seed)
    for n in range(count):
        env = {k: rng.choice(v) for k, v in ENV_POOL.items() if rng.random() < 0.4}
        security = {k: rng.choice(v) for k, v in FILE_POOL.items() if rng.random() < 0.35}
        where = rng.choice(["config.json", "agent_config.json", ".swml/config.json"])
        case(f"random-{seed}-{n:03d}", env=env, files={where: json.dumps({"security": security})})


random_cases(seed=20261129, count=120)


if __name__ == "__main__":
    print(json.dumps(CASES))
