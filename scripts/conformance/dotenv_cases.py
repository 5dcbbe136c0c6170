#!/usr/bin/env python3
"""Dotenv conformance corpus: python-dotenv's documented examples, one case
per rule of the --env-file issue, and seeded random mixes.

    scripts/regen-dotenv-goldens.sh   # runs them through python-dotenv 1.2.4

Each case: {"name", "env": {...}, "files": [[name, text], ...]}; the files are
loaded in order, as successive load_dotenv(path) calls. The tested variables
are those swml-sec shows as string settings (TESTED); other names (A, B, ...)
only feed interpolation.
"""
import json
import random

TESTED = ["SWML_DOMAIN", "SWML_SSL_CERT_PATH", "SWML_SSL_KEY_PATH",
          "SWML_SSL_VERIFY_MODE", "SWML_BASIC_AUTH_PASSWORD"]
CASES = []


def case(name, text=None, env=None, files=None):
    files = files if files is not None else [[".env", text]]
    CASES.append({"name": name, "env": env or {}, "files": files})


D = "SWML_DOMAIN"
P = "SWML_BASIC_AUTH_PASSWORD"

# --- The issue, item by item -------------------------------------------------
case("issue-dollar-dollar", f"{P}=pa$$word\n")
case("issue-default-unset", f"{D}=${{X:-d}}\n")
case("issue-default-set", f"{D}=${{X:-d}}\n", env={"X": "xv"})
case("issue-default-set-in-file", f"X=xf\n{D}=${{X:-d}}\n")
case("issue-single-quoted-interp", f"{D}='${{X}}'\n", env={"X": "xv"})
case("issue-space-unquoted", f"{D}=a b\n")
case("issue-dq-tab", f'{D}="a\\tb"\n')
case("issue-dq-u-escape", f'{D}="caf\\u00e9"\n')
case("issue-sq-escaped-quote", f"{D}='it\\'s'\n")
case("issue-bom", f"\ufeff{D}=bom.example\n")
case("issue-bom-second-line", f"\ufeffX=1\n{D}=bom.example\n")
case("issue-no-equals", f"{D}\n{P}=pw\n")
case("issue-colon", f"{D}: a.example\n{P}=pw\n")
case("issue-unterminated-dq", f'{P}="pw\n{D}=a.example\n')
case("issue-unterminated-sq", f"{P}='pw\n{D}=a.example\n")
case("issue-sq-then-comment", f"{D}='a'#c\n")
case("issue-dq-then-sq", f"{D}=\"a\"'b'\nSWML_SSL_CERT_PATH=/c\n")
case("issue-crlf-in-value", f'{D}="a\r\nb"\r\n')
case("issue-cr-in-value", f'{D}="a\rb"\r')
case("issue-bare-cr-separates", f"{D}=a\rSWML_SSL_CERT_PATH=b\r")
case("issue-disabled", f"{D}=a\n", env={"PYTHON_DOTENV_DISABLED": "1"})
for i, v in enumerate(["true", "TRUE", "t", "Yes", "y", "0", "false", "", "no", " 1", "ye\u017f"]):
    case(f"issue-disabled-{i:02d}", f"{D}=a\n", env={"PYTHON_DOTENV_DISABLED": v})
case("issue-disabled-by-earlier-file", files=[["a.env", "PYTHON_DOTENV_DISABLED=1\n"], ["b.env", f"{D}=b\n"]])
case("issue-several-files-share", files=[["a.env", "X=from-a\n"], ["b.env", f"{D}=${{X}}\n"]])
case("issue-several-files-no-override", files=[["a.env", f"{D}=a\n"], ["b.env", f"{D}=b\n"]])
case("issue-env-wins-over-file-in-interp", f"X=file\n{D}=${{X}}\n", env={"X": "env"})
case("issue-env-not-overridden", f"{D}=file\n", env={D: "env"})
case("issue-comment-after-equals", f"{D}= # comment\n")
case("issue-hash-no-space", f"{D}=#novalue\n")

# --- python-dotenv's README examples ----------------------------------------
readme = [
    "# a comment that will be ignored.\nREDIS_ADDRESS=localhost:6379\nMEANING_OF_LIFE=42\nMULTILINE_VAR=\"hello\\nworld\"\n",
    "DOMAIN=example.org\nADMIN_EMAIL=admin@${DOMAIN}\nROOT_URL=${DOMAIN}/app\n",
    "FOO=\"first line\nsecond line\"\n",
    "FOO=\"first line\\nsecond line\"\n",
    "FOO\n",
    "FOO=\n",
    "export FOO=bar\n",
]
for i, t in enumerate(readme):
    t = t.replace("ROOT_URL", D).replace("ADMIN_EMAIL", P).replace("MULTILINE_VAR", "SWML_SSL_KEY_PATH").replace("FOO", "SWML_SSL_CERT_PATH")
    case(f"readme-{i:02d}", t)

# --- Grammar, one point each ---------------------------------------------------
G = [
    f"export {D}=a", f"export  {D}=a", f"export\t{D}=a", f"export{D}=a", f"export {D} = a",
    f"  {D}  =  a  ", f"{D}=a # c", f"{D}=a# c", f"{D}=a #c #d", f"{D}='a' # c", f"{D}=\"a\" # c",
    f"{D}=\"a\" b", f"{D}='a' b", f"{D}=\"a\"#c", f"'{D}'=q", f"'{D} x'=q", "''=q", "'unterminated=q",
    f"{D}=\"a\\\"b\"", f"{D}=\"a\\'b\"", f"{D}='a\\\"b'", f"{D}='a\\\\b'", f"{D}=\"a\\\\b\"",
    f"{D}=\"\\a\\b\\f\\n\\r\\t\\v\"", f"{D}=\"\\x41\\101\\N{{DASH}}\"", f"{D}='\\n\\t'",
    f"{D}=a\\nb", f"{D}=\\'a\\'", f"{D}=\"a\\\\\"", f"{D}=\"a\\\\\\\"\"", f"{D}='a\\\\'", f"{D}='a\\'",
    f"{D}=\"\"", f"{D}=''", f"{D}=", f"{D}=  ", f"{D}= #", f"{D}=\t# c", f"{D}=#", f"{D}= a#b",
    f"=a", f"{D}==a", f"{D}=a=b", f"{D} a=b", f"#{D}=a", f" # {D}=a", f"{D}=a\n#c\n{P}=b",
    f"{D}=\u00e9t\u00e9", f"{D}=\u65e5\u672c", f"{D}=a\u00a0# c", f"{D}=a\u00a0", f"{D}=\u00a0a",
    f"\u00a0{D}=a", f"{D}\u00a0=a", f"{D}=a\u2028b", f"{D}=a\x85b", f"{D}=a\x0cb # c", f"{D}=a\x0b",
    f"{D}=\"multi\nline\nvalue\"", f"{D}='multi\nline'", f"{D}=\"a\n\n\nb\"\n{P}=x",
    f"{D}=$HOME", f"{D}=${{}}", f"{D}=${{:-d}}", f"{D}=${{X:d}}", f"{D}=${{X:-}}", f"{D}=${{X:-a:-b}}",
    f"{D}=${{X:-${{Y}}}}", f"{D}=${{X", f"{D}=${{X:-d", f"{D}=${{ X }}", f"{D}=$${{X}}", f"{D}=\\${{X}}",
    f"{D}=a${{X}}b${{Y:-y}}c", f"X=\nY\n{D}=${{X:-dx}}|${{Y:-dy}}|${{Z:-dz}}", f"{D}=${{{D}:-self}}",
    f"X=1\nX\n{D}=${{X:-d}}", f"X=1\nX\n{P}=${{X}}", f"{D}=1\n{D}", f"{D}=1\n{D}=2", f"{D}\n{D}=2",
    f"{D}=a\r\n{P}=b\r\n", f"\n\n\n{D}=a\n\n", f"\n\n  bad line\n{D}=a", f"\t\n \n{D}: a",
    f"{D}=a\\", f"{D}=\"a\\", f"{D}='a\\", f"{D}=\"\\", f"{D}=\"a\"\"b\"", f"{D}=\"a\" \"b\"",
    f"{D}=a  \t", f"{D}=a \\# b", f"{D}='#'", f"{D}=\"#\"", f"{D}=a'b'c", f"{D}=a\"b",
    f"export", f"export ", f"export=1\n{D}=${{export}}", f"export {D}", f"{D}=x\nexport {D}",
    f"{P}=\"${{SWML_DOMAIN}}\"\n{D}=late", f"{D}=\u0000x", f"'a=b'=1", f"'{D}'='q'",
    f"{D}=a\u3000# c", f"{D}=\u2003", f"{D}=a\u001c# c", f"\u001c{D}=a",
]
for i, t in enumerate(G):
    case(f"grammar-{i:03d}", t + "\n")
for i, t in enumerate(G[:40]):
    case(f"grammar-noeol-{i:03d}", t)

# --- Seeded random mixes -------------------------------------------------------
rng = random.Random(20261130)
KEYS = TESTED + ["A", "B", "C"]
WORDS = ["a", "b.example", "x y", "p@ss", "#", " # c", "é", "日本", "$", "$A", "\\", "'", '"',
         "${A}", "${B:-def}", "${UNSET:-u}", "${C:-}", "${A:x}", "${", "}", ":-", "\\n", "\\t",
         "\\'", '\\"', "\\\\", "\\u00e9", "=", "\u00a0", "\t"]


def rand_value():
    body = "".join(rng.choice(WORDS) for _ in range(rng.randint(0, 4)))
    form = rng.random()
    if form < 0.4:
        return body
    if form < 0.65:
        q = "'"
    else:
        q = '"'
    inner = body.replace(q, "\\" + q) if rng.random() < 0.8 else body
    if rng.random() < 0.15:
        inner += "\n" + rng.choice(WORDS)
    close = q if rng.random() < 0.93 else ""
    return q + inner + close


def rand_line():
    r = rng.random()
    if r < 0.06:
        return "# " + rng.choice(WORDS)
    if r < 0.1:
        return ""
    if r < 0.13:
        return rng.choice(["bad line", "a: b", "=x", rng.choice(KEYS)])
    key = rng.choice(KEYS)
    if rng.random() < 0.15:
        key = "export " + key
    eq = rng.choice(["=", "=", "=", " =", "= ", " = ", "\t=\t"])
    tail = rng.choice(["", "", "", " # c", "#c", "  "])
    return rng.choice(["", "", " ", "\t"]) + key + eq + rand_value() + tail


for i in range(200):
    n = rng.randint(1, 8)
    eol = rng.choice(["\n"] * 6 + ["\r\n", "\r"])
    text = eol.join(rand_line() for _ in range(n)) + rng.choice([eol, ""])
    if rng.random() < 0.05:
        text = "\ufeff" + text
    env = {}
    for k in ["A", "B", D]:
        if rng.random() < 0.25:
            env[k] = rng.choice(["envA", "", "e v", "é"])
    files = [[".env", text]]
    if rng.random() < 0.15:
        files.append(["second.env", f"{rng.choice(KEYS)}=${{{rng.choice(KEYS)}:-second}}\n"])
    case(f"random-{i:03d}", env=env, files=files)

if __name__ == "__main__":
    print(json.dumps(CASES, ensure_ascii=True))
