#!/usr/bin/env bash
# The certificate checks of `swml-sec check`, done the usual way with the
# openssl CLI: the baseline that scripts/bench.py compares against.
# Usage: openssl-check.sh CERT KEY DOMAIN CAFILE
set -u
cert=$1 key=$2 domain=$3 ca=$4
fail=0
openssl x509 -in "$cert" -noout -checkend 0 >/dev/null || { echo "cert-expired"; fail=1; }
openssl x509 -in "$cert" -noout -checkend $((30 * 86400)) >/dev/null || echo "cert-expiring"
cert_pub=$(openssl x509 -in "$cert" -noout -pubkey)
key_pub=$(openssl pkey -in "$key" -pubout 2>/dev/null) || { echo "key-invalid"; fail=1; }
[ "$cert_pub" = "$key_pub" ] || { echo "key-mismatch"; fail=1; }
openssl x509 -in "$cert" -noout -checkhost "$domain" | grep -q "does match" || { echo "cert-hostname-mismatch"; fail=1; }
subject=$(openssl x509 -in "$cert" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
issuer=$(openssl x509 -in "$cert" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
[ "$subject" = "$issuer" ] && echo "cert-self-signed"
openssl x509 -in "$cert" -noout -text | grep -q "Signature Algorithm: sha1" && { echo "cert-weak-signature"; fail=1; }
bits=$(openssl x509 -in "$cert" -noout -text | sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p' | head -1)
[ "${bits:-0}" -ge 256 ] || { echo "cert-weak-key"; fail=1; }
openssl verify -CAfile "$ca" -untrusted "$cert" "$cert" >/dev/null 2>&1 || { echo "cert-untrusted"; }
perm=$(stat -c %a "$key")
[ "${perm: -2}" = "00" ] || echo "key-permissions"
exit $fail
