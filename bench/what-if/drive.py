"""One client, one request at a time: per building, the stored report, the what-if as modelled and a corrected what-if."""
import http.client
import json
import statistics
import sys
import time
import urllib.parse

base, ids_file, batch = sys.argv[1], sys.argv[2], sys.argv[3].split()
url = urllib.parse.urlparse(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
ids = [int(line) for line in open(ids_file) if line.strip()]


def ask(method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    t0 = time.perf_counter()
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    ms = (time.perf_counter() - t0) * 1000
    if response.status != 200:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    timing = {}
    for part in (response.getheader("Server-Timing") or "").split(","):
        if ";dur=" in part:
            name, dur = part.strip().split(";dur=")
            timing[name] = float(dur)
    return ms, json.loads(data), timing


def chimney(report):
    """A 2.5 m square on the first module's place (its outline's box, grown by about a metre), 500 Wp modules."""
    panel = report["panels"][0]
    ring = panel["polygonWgs84"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    d_lon, d_lat = 0.000012, 0.000008
    x0, x1, y0, y1 = min(lons) - d_lon, max(lons) + d_lon, min(lats) - d_lat, max(lats) + d_lat
    box = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"obstacles": [{"faceNo": panel["faceNo"], "kind": "chimney", "polygonWgs84": {"type": "Polygon", "coordinates": [box]}}],
            "module": {"peakPowerWp": 500}}


cold_ms, _, cold_timing = ask("POST", f"/api/v1/solar/buildings/{ids[0]}/what-if", {})
results = {"stored report (GET)": [], "what-if, nothing corrected": [], "what-if, chimney + 500 Wp": []}
compute = {"what-if, nothing corrected": [], "what-if, chimney + 500 Wp": []}
load = []
faces = panels = 0
for building in ids:
    ms, stored, _ = ask("GET", f"/api/v1/solar/buildings/{building}")
    results["stored report (GET)"].append(ms)
    ms, plain, timing = ask("POST", f"/api/v1/solar/buildings/{building}/what-if", {})
    results["what-if, nothing corrected"].append(ms)
    compute["what-if, nothing corrected"].append(timing.get("compute", 0))
    load.append(timing.get("load", 0))
    if abs(plain["annualKwhAc"] - stored["annualKwhAc"]) > 1e-6 * max(1, stored["annualKwhAc"]):
        raise SystemExit(f"building {building}: what-if {plain['annualKwhAc']} kWh, stored {stored['annualKwhAc']}")
    ms, _, timing = ask("POST", f"/api/v1/solar/buildings/{building}/what-if", chimney(stored))
    results["what-if, chimney + 500 Wp"].append(ms)
    compute["what-if, chimney + 500 Wp"].append(timing.get("compute", 0))
    faces += len(stored["roofFaces"])
    panels += len(stored["panels"])


def q(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


print(f"{len(ids)} buildings ({faces / len(ids):.1f} faces, {panels / len(ids):.0f} modules on average); one client, sequential")
print(f"first what-if (loads the run's weather and sky): {cold_ms:.0f} ms (server: {cold_timing})")
print(f"{'':34} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8} {'compute p50':>12}")
get_p50 = q(results["stored report (GET)"], 0.5)
for name, values in results.items():
    c = f"{q(compute[name], 0.5):.0f}" if name in compute else ""
    print(f"{name:34} {q(values, 0.5):8.1f} {q(values, 0.9):8.1f} {max(values):8.1f} {c:>12}")
print(f"what-if / stored report (p50): ×{q(results['what-if, nothing corrected'], 0.5) / get_p50:.0f}; "
      f"neighbourhood load p50 {q(load, 0.5):.0f} ms")
print(f"batch peer: {batch[0]} ms of worker time per building over {batch[1]} buildings (tiles share their neighbours' roofs); "
      f"what-if compute p50 / batch = ×{q(compute['what-if, nothing corrected'], 0.5) / float(batch[0]):.1f}")
