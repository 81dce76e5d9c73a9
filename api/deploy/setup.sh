#!/usr/bin/env bash
# One-time setup of residue on a Cloudflare account (the local app needs none of this).
# Creates the D1 database and R2 bucket, applies migrations, uploads the CLI release the server hands
# out, generates the secrets and stores them.
# Needs `npx wrangler login` first. Safe to re-run: existing resources are reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
WRANGLER=(node_modules/.bin/wrangler)
DB_NAME=residue
BUCKET=residue-sessions

say() { printf '\n==> %s\n' "$*"; }

"${WRANGLER[@]}" whoami >/dev/null 2>&1 || { echo "Not logged in to Cloudflare: run 'npx wrangler login' first." >&2; exit 1; }

say "D1 database '$DB_NAME'"
id=$("${WRANGLER[@]}" d1 list --json | node -e 'const l=JSON.parse(require("fs").readFileSync(0));const d=l.find(x=>x.name===process.argv[1]);process.stdout.write(d?d.uuid:"")' "$DB_NAME")
if [ -z "$id" ]; then
  "${WRANGLER[@]}" d1 create "$DB_NAME" >/dev/null
  id=$("${WRANGLER[@]}" d1 list --json | node -e 'const l=JSON.parse(require("fs").readFileSync(0));process.stdout.write(l.find(x=>x.name===process.argv[1]).uuid)' "$DB_NAME")
fi
sed -i.bak -E "s/^database_id = \".*\"/database_id = \"$id\"/" wrangler.toml && rm -f wrangler.toml.bak
echo "database_id = $id (written to wrangler.toml)"

say "R2 bucket '$BUCKET'"
"${WRANGLER[@]}" r2 bucket create "$BUCKET" 2>/dev/null || echo "(exists)"

say "Building and applying migrations"
npm run build --silent
"${WRANGLER[@]}" d1 migrations apply DB --remote --config site/dist/server/wrangler.json

say "The CLI release (served at /install.sh and /releases/)"
node cli/release/publish.ts

say "Secrets"
token="rsd_$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')"
password="$(node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("base64url"))')"
put() { printf '%s' "$2" | "${WRANGLER[@]}" secret put "$1" --config site/dist/server/wrangler.json >/dev/null; echo "set $1"; }
put AUTH_TOKEN "$token"
put ADMIN_USERNAME admin
put ADMIN_PASSWORD "$password"

echo
echo "R2 S3 credentials let the CLI upload straight to R2 (R2 → Manage R2 API Tokens → Object Read & Write)."
read -r -p "R2 Access Key ID (empty to skip): " key || key=""
if [ -n "$key" ]; then
  read -r -s -p "R2 Secret Access Key: " secret; echo
  read -r -p "Cloudflare account id: " account
  put R2_ACCESS_KEY_ID "$key"
  put R2_SECRET_ACCESS_KEY "$secret"
  put R2_ACCOUNT_ID "$account"
  put R2_BUCKET_NAME "$BUCKET"
fi

say "Deploy with: npm run deploy"
echo "API token:  $token"
echo "UI login:   admin / $password"
echo "Then:       residue login --url https://<your worker>.workers.dev --token $token"
