#!/usr/bin/env bash
# Builds the MkDocs Material and Hugo sample sites into OUT (default tests/docsites/out/):
#   OUT/mkdocs        mkdocs build --strict       (mkdocs/mkdocs.yml)
#   OUT/hugo          hugo                        (hugo/hugo.toml: Hugo's default inline styles,
#                                                  line numbers in a table)
#   OUT/hugo-classes  hugo --config hugo.toml,classes.toml  (Chroma classes, inline line numbers)
# MkDocs Material comes from PyPI at the versions in mkdocs/requirements.txt, into a venv kept
# outside the clone (GD_DOCSITES_VENV, default ~/.cache/gateway-doctor/docsites-venv) and
# reinstalled only when that file changes. Hugo is Debian's `hugo` package (apt-get install hugo).
# The Docusaurus site is committed output: docusaurus/regenerate.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mkdir -p "${1:-$here/out}" && cd "${1:-$here/out}" && pwd)"
venv="${GD_DOCSITES_VENV:-$HOME/.cache/gateway-doctor/docsites-venv}"

stamp="$venv/requirements.sha256"
wanted="$(sha256sum "$here/mkdocs/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/mkdocs/requirements.txt"
  echo "$wanted" >"$stamp"
fi

export NO_MKDOCS_2_WARNING=1
"$venv/bin/mkdocs" --version
"$venv/bin/mkdocs" build --quiet --strict --config-file "$here/mkdocs/mkdocs.yml" --site-dir "$out/mkdocs"

hugo version
hugo --quiet --source "$here/hugo" --destination "$out/hugo" --cleanDestinationDir
hugo --quiet --source "$here/hugo" --config hugo.toml,classes.toml --destination "$out/hugo-classes" --cleanDestinationDir
