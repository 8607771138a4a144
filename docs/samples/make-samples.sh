#!/usr/bin/env bash
# Renders the samples in docs/samples/ with the CLI: the demo park's reports (its cement
# plant's GHG inventory and CBAM report, the park's annual report) and the CBAM worked
# example 2 of docs/cbam.md (two products by route). PNG pages need pdftoppm
# (Debian's poppler-utils). Usage: bash docs/samples/make-samples.sh [path/to/zeropark]
set -euo pipefail
cd "$(dirname "$0")/../.."
zp=${1:-target/debug/zeropark}
out=docs/samples
# A fixed folder: the ledger paths the reports cite stay the same from run to run.
tmp=/tmp/zeropark-samples
rm -rf "$tmp"
mkdir -p "$tmp"

# The demo park; its cement plant's clinker production as in its ledger.
"$zp" demo --no-serve --dir "$tmp/demo" --json >/dev/null
demo=(--db "$tmp/demo/zeropark-demo.db")
cement=91500112MA6100000H
"$zp" "${demo[@]}" import production "$out/demo-production-2023.csv" >/dev/null
"$zp" "${demo[@]}" report ghg-inventory --org $cement --year 2023 --lang zh --out "$out/ghg-inventory.pdf"
"$zp" "${demo[@]}" report ghg-inventory --org $cement --year 2023 --lang en --out "$out/ghg-inventory.xlsx"
"$zp" "${demo[@]}" report park-annual --park 重庆两江低碳示范园区 --year 2023 --lang zh --out "$out/park-annual.pdf"
"$zp" "${demo[@]}" report park-annual --park 重庆两江低碳示范园区 --year 2023 --lang en --out "$out/park-annual.xlsx"
"$zp" "${demo[@]}" report cbam --org $cement --year 2023 --out "$out/cbam-demo.json" >/dev/null

# Worked example 2: clinker on the kiln route, cement on the grinding route.
ex=(--db "$tmp/example.db")
"$zp" "${ex[@]}" import orgs "$out/example-orgs.csv" >/dev/null
"$zp" "${ex[@]}" import activity "$out/example-activity.csv" >/dev/null
"$zp" "${ex[@]}" import production "$out/example-production.csv" >/dev/null
"$zp" "${ex[@]}" report cbam --org 91500105MA5YRE01BU --year 2023 --out "$out/cbam.pdf"
"$zp" "${ex[@]}" report cbam --org 91500105MA5YRE01BU --year 2023 --out "$out/cbam.xlsx"
"$zp" "${ex[@]}" report cbam --org 91500105MA5YRE01BU --year 2023 --json > "$out/cbam.json"

if command -v pdftoppm >/dev/null; then
  rm -f "$out"/png/*.png
  mkdir -p "$out/png"
  for pdf in ghg-inventory park-annual cbam; do
    pdftoppm -r 60 -png "$out/$pdf.pdf" "$out/png/$pdf"
  done
fi
