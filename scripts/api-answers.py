"""Checks the demo server's answers against the OpenAPI document's response schemas.

Run by scripts/api-fuzz.sh with the schemathesis virtualenv's Python (it has jsonschema_rs):
    api-answers.py URL TOKEN
Every GET operation with a JSON success schema is called with demo values for its path and
required parameters (a few with the parameters that make a populated answer); each 200
answer must validate against its schema. Exits 1 naming every mismatch, or when fewer than
40 answers were checked (the demo no longer reaches them).
"""

import json
import sys
import urllib.error
import urllib.parse
import urllib.request

import jsonschema_rs

url, token = sys.argv[1].rstrip("/"), sys.argv[2]


def get(path):
    req = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"})
    return urllib.request.urlopen(req)


doc = json.load(get("/api/v1/openapi.json"))
org = json.load(get("/api/v1/orgs"))["orgs"][0]["credit_code"]
park = json.load(get("/api/v1/parks"))["parks"][0]["name"]
values = {"org": org, "code": org, "park": park, "year": "2023", "from": "2023-07-10",
          "to": "2023-07-10", "region": "CQ", "month": "7", "date": "2023-07-10", "days": "3",
          "kind": "zero-carbon-park"}
populated = {
    "/api/v1/inventory": {"org": org, "year": "2023"},
    "/api/v1/reports/energy-flow": {"org": org, "year": "2023"},
    "/api/v1/reports/carbon-map": {"park": park, "from": "2023-07-01", "to": "2023-07-31"},
    "/api/v1/evaluate/{kind}": {"park": park, "year": "2023"},
    "/api/v1/evaluate/plan": {"park": park, "year": "2023", "target": "0.2"},
    "/api/v1/reports/bill": {"org": org, "month": "2023-07"},
    "/api/v1/compliance/overview": {"scheme": "cn-ets", "year": "2023"},
    "/api/v1/compliance/coverage": {"scheme": "cn-ets", "year": "2023"},
    "/api/v1/market/book": {"kind": "cea", "vintage": "2023"},
    "/api/v1/market/daily": {"kind": "cea", "vintage": "2023"},
}
checked, mismatches = 0, []
for path, ops in doc["paths"].items():
    op = ops.get("get")
    schema = op and op["responses"].get("200", {}).get("content", {}).get(
        "application/json", {}).get("schema")
    if not schema:
        continue
    params = op["parameters"]
    if any(p["in"] == "path" and p["name"] not in values for p in params):
        continue
    concrete = path
    for p in params:
        if p["in"] == "path":
            concrete = concrete.replace("{%s}" % p["name"], urllib.parse.quote(values[p["name"]]))
    query = populated.get(path) or {p["name"]: values[p["name"]] for p in params
                                     if p["in"] == "query" and p["required"]
                                     and p["name"] in values}
    full = concrete + ("?" + urllib.parse.urlencode(query) if query else "")
    try:
        answer = get(full)
    except urllib.error.HTTPError:
        continue  # a refusal is the fuzzer's business; here only answers count
    if "json" not in answer.headers.get("content-type", ""):
        continue
    body = json.load(answer)
    errors = list(jsonschema_rs.Draft202012Validator(schema).iter_errors(body))
    if errors:
        mismatches += [f"GET {full}: at {list(e.instance_path)}: {e.message}" for e in errors[:3]]
    else:
        checked += 1
for m in mismatches:
    print("api-answers: " + m, file=sys.stderr)
print(f"api-answers: {checked} answers match their schemas, {len(mismatches)} mismatches")
sys.exit(1 if mismatches or checked < 40 else 0)
