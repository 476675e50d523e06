#!/bin/sh
# Refresh the vendored uPlot from the npm registry and record its version and checksums.
# Usage: sh update.sh [version]   (default: the version pinned below)
set -eu
VERSION="${1:-1.6.32}"
HERE="$(cd "$(dirname "$0")" && pwd)"
DEST="$HERE/uplot"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "uplot@$VERSION" >/dev/null)
TARBALL="$WORK/uplot-$VERSION.tgz"
TARBALL_SHA="$(sha256sum "$TARBALL" | cut -d' ' -f1)"
tar -xzf "$TARBALL" -C "$WORK"

mkdir -p "$DEST"
cp "$WORK/package/dist/uPlot.esm.js" "$DEST/uPlot.esm.js"
cp "$WORK/package/dist/uPlot.min.css" "$DEST/uPlot.min.css"
cp "$WORK/package/LICENSE" "$DEST/LICENSE"

{
  echo "# Vendored libraries"
  echo
  echo "Served by the playground's own server; nothing is loaded from a CDN."
  echo "Refresh with \`sh update.sh [version]\` (needs \`npm\`; it runs \`npm pack uplot@VERSION\`)."
  echo
  echo "## uPlot $VERSION"
  echo
  echo "- source: https://www.npmjs.com/package/uplot (\`npm pack uplot@$VERSION\`), MIT licence (uplot/LICENSE)"
  echo "- tarball sha256: \`$TARBALL_SHA\`"
  echo
  echo "| file | sha256 |"
  echo "|---|---|"
  for f in uPlot.esm.js uPlot.min.css LICENSE; do
    echo "| uplot/$f | \`$(sha256sum "$DEST/$f" | cut -d' ' -f1)\` |"
  done
} > "$HERE/README.md"
echo "uPlot $VERSION vendored in $DEST"
