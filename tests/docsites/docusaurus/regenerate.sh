#!/usr/bin/env bash
# Regenerates output/, the committed Docusaurus build that tests/docsites/ tests the embed on
# (too heavy to build in every CI run: about 200 MB of node_modules and a minute of webpack).
#   npm ci                     @docusaurus/core and @docusaurus/preset-classic 3.10.2, React 19
#                              (package.json, package-lock.json)
#   docusaurus build           into a temporary directory
#   trim                       only what the page needs is kept: index.html and assets/ (the
#                              CSS, and the JS that hydrates the page, with their license
#                              notices); 404.html and sitemap.xml are dropped
# Nothing in output/ is edited by hand.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
npx docusaurus build --out-dir "$build"
rm -f "$build/404.html" "$build/sitemap.xml"
rm -rf output
cp -r "$build" output
find output -type f | sort
