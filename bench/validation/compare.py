#!/usr/bin/env python3
"""Compares SmartRegion's rooftop results for Saint-Denis with the Institut Paris Region (IPR) roofs and APUR footprints.

stdin: CSV from the run script (one row per computed building). Arguments: [--json RESULT --meta RUN_JSON] IPR GeoJSON, APUR GeoJSON.
--json writes the machine-readable result the /validation page reads (see result.py); --meta is the run's facts (run id, model
version, timings) to put in it.
Prints a line per roof with the relative differences (largest first), then for irradiation, usable area and production:
median |diff|, p90 |diff| and bias (median signed diff), overall and by class, and the evidence on the weather input.

What IPR's fields are (read from the data itself, see the README's validation section):
- production = surf_util x moyenne2 x 0.1224 on every pitched roof and x 0.09112 on every flat one (to 1e-9), so moyenne2 is
  the mean irradiation of the usable surface surf_util, not of the whole roof; the headline compares it with our mean over
  the samples that pass IPR's own usable threshold (900 kWh/m2/yr: no moyenne2 is below 936, and "surface utile = irradiation
  > 900 kWh/m2/an, sans obstacle" is the definition reused by Data For Good from the IPR layer).
- surf_util is a multiple of 2.25 m2 on every roof: 1.5 m cells of IPR's surface model."""
import csv, json, statistics, sys

IPR_THRESHOLD_KWH_M2 = 900

args = sys.argv[1:]
json_out = meta_path = None
while len(args) > 2 and args[0].startswith("--"):
    flag, value, args = args[0], args[1], args[2:]
    if flag == "--json":
        json_out = value
    elif flag == "--meta":
        meta_path = value
    else:
        sys.exit(f"compare.py: unknown option {flag}")
ipr_path, apur_path = args[0], args[1]
ours = {r["cleabs"]: r for r in csv.DictReader(sys.stdin)}
ipr = [f["properties"] for f in json.load(open(ipr_path, encoding="utf-8"))["features"]]
apur = json.load(open(apur_path, encoding="utf-8"))["features"]


def rings(geometry):
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def inside(lon, lat, polygon):
    """Even-odd rule over all rings of a polygon (holes included)."""
    hit = False
    for ring in polygon:
        for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def apur_mean(lon, lat):
    for f in apur:
        for polygon in rings(f["geometry"]):
            if inside(lon, lat, polygon):
                return f["properties"].get("c_ens_moy")
    return None


def rel(a, b):
    return (a - b) / b if a is not None and b not in (None, 0) else None


def num(text):
    return float(text) if text not in (None, "") else None


statuses = {}
for o in ours.values():
    statuses[o["status"]] = statuses.get(o["status"], 0) + 1
rows = []
ghi = None
for p in ipr:
    o = ours.get(p["id"])
    if o is None or o["status"] != "ok":
        continue
    ghi = num(o["station_ghi_kwh_m2"])
    mean, usable, kwh = num(o["mean_kwh_m2"]), num(o["usable_m2"]), num(o["annual_kwh_ac"])
    mean_900 = num(o["mean_900_kwh_m2"])
    rows.append(dict(id=p["id"], forme=p["forme"], shape=o["shape"], tilt=num(o["max_tilt_deg"]), loss=num(o["shading_loss"]) or 0,
                     ipr_mean=p["moyenne2"], ours_mean=mean, d_mean=rel(mean, p["moyenne2"]),
                     ours_mean_900=mean_900, d_mean_900=rel(mean_900, p["moyenne2"]),
                     d_usable_mean=rel(num(o["usable_mean_kwh_m2"]), p["moyenne2"]),
                     ipr_usable=p["surf_util"], ours_usable=usable, d_usable=rel(usable, p["surf_util"]),
                     area_900=num(o["area_900_m2"]), d_area_900=rel(num(o["area_900_m2"]), p["surf_util"]),
                     ipr_kwh=p["production"], ours_kwh=kwh, d_kwh=rel(kwh, p["production"]),
                     ours_kwh_per_usable=kwh / usable if usable else None,
                     ipr_kwh_per_usable=p["production"] / p["surf_util"] if p["surf_util"] else None,
                     apur_mean=None, d_apur=None, roof_m2=num(o["roof_m2"]), ipr_roof_m2=p["st_areashape"],
                     ridge_known=num(o["roof_max_altitude_ngfign69_m"]) is not None, lon=num(o["lon"]), lat=num(o["lat"])))
    a = apur_mean(num(o["lon"]), num(o["lat"]))
    rows[-1].update(apur_mean=a, d_apur=rel(mean, a))

print(f"{'cleabs':26} {'forme':11} {'ours':7} {'loss':>5} {'IPR kWh/m2':>10} {'ours900':>7} {'diff':>7} {'APUR':>5} {'whole':>6} {'diff':>7}"
      f" {'IPR m2':>7} {'ours':>7} {'diff':>8} {'>=900':>7} {'IPR kWh':>8} {'ours':>8} {'diff':>8}")
fmt = lambda v, w=7: " " * (w - 3) + "n/a" if v is None else f"{v:+{w}.1%}"
val = lambda v, w: " " * (w - 3) + "n/a" if v is None else f"{v:{w}.0f}"
for r in sorted(rows, key=lambda r: abs(r["d_mean_900"] or 0), reverse=True):
    print(f"{r['id']:26} {r['forme']:11} {r['shape']:7} {r['loss']:5.1%} {val(r['ipr_mean'], 10)} {val(r['ours_mean_900'], 7)} {fmt(r['d_mean_900'])}"
          f" {val(r['apur_mean'], 5)} {val(r['ours_mean'], 6)} {fmt(r['d_apur'])}"
          f" {val(r['ipr_usable'], 7)} {val(r['ours_usable'], 7)} {fmt(r['d_usable'], 8)} {val(r['area_900'], 7)}"
          f" {val(r['ipr_kwh'], 8)} {val(r['ours_kwh'], 8)} {fmt(r['d_kwh'], 8)}")


metrics = []


def summary(name, key, subset=None, group=None):
    subset = rows if subset is None else subset
    values = sorted(r[key] for r in subset if r[key] is not None)
    if not values:
        return
    absolute = sorted(abs(v) for v in values)
    p90 = absolute[min(len(absolute) - 1, int(0.9 * len(absolute)))]
    metrics.append(dict(quantity=key, label=name.strip(" …"), group=group, n=len(values), medianAbsDiff=statistics.median(absolute),
                        p90AbsDiff=p90, bias=statistics.median(values), meanDiff=statistics.fmean(values)))
    print(f"{name:58} n={len(values):4}  median |diff| {statistics.median(absolute):6.1%}  p90 |diff| {p90:6.1%}"
          f"  bias (median diff) {statistics.median(values):+6.1%}  mean diff {statistics.fmean(values):+6.1%}")


print()
print(f"Computed buildings by status: {statuses}. IPR roofs: {len(ipr)}; matched to a computed building (status ok): {len(rows)}")
print()
print("IRRADIATION (IPR moyenne2 = mean over its usable surface)")
summary(f"mean over our samples >= {IPR_THRESHOLD_KWH_M2} vs IPR moyenne2 [headline]", "d_mean_900", group="headline")
for forme in ("plat", "toit2pentes", "Npans", "petit_toit"):
    summary(f"  … IPR forme = {forme}", "d_mean_900", [r for r in rows if r["forme"] == forme], group=f"forme:{forme}")
for name, lo, hi in (("  … our shading loss < 1 %", 0, 0.01), ("  … our shading loss 1–5 %", 0.01, 0.05), ("  … our shading loss >= 5 %", 0.05, 2)):
    summary(name, "d_mean_900", [r for r in rows if lo <= r["loss"] < hi], group=f"shading:{lo}-{hi}")
summary("mean over our usable samples (run threshold) vs moyenne2", "d_usable_mean", group="all")
summary("whole-roof mean vs IPR moyenne2", "d_mean", group="all")
summary("whole-roof mean vs APUR c_ens_moy", "d_apur", group="apur")
unshaded_flat = [r["ipr_mean"] for r in rows if r["forme"] == "plat" and r["loss"] < 0.01 and r["ipr_mean"]]
if ghi and unshaded_flat:
    implied = statistics.median(unshaded_flat)
    print(f"weather: IPR flat roofs that we find unshaded (n={len(unshaded_flat)}): median moyenne2 {implied:.0f} kWh/m2/yr; our station's GHI "
          f"{ghi:.0f} (an unshaded flat roof receives exactly GHI in any transposition model): IPR's climate is {implied / ghi - 1:+.1%} sunnier")
    # A diagnostic only (never applied to results): what is left of the bias once the two weather inputs are put level.
    for r in rows:
        r["d_mean_900_level"] = rel(r["ours_mean_900"] * implied / ghi if r["ours_mean_900"] else None, r["ipr_mean"])
    summary("  diagnostic: headline with the weather inputs put level", "d_mean_900_level", group="diagnostic")
print()
print("USABLE AREA")
summary("usable area vs IPR surf_util", "d_usable", group="headline")
for forme in ("plat", "toit2pentes", "Npans"):
    summary(f"  … IPR forme = {forme}", "d_usable", [r for r in rows if r["forme"] == forme], group=f"forme:{forme}")
summary(f"our roof area with samples >= {IPR_THRESHOLD_KWH_M2} (no setback) vs surf_util", "d_area_900", group="all")
ratio = lambda a, b: statistics.median([r[a] / r[b] for r in rows if r[a] and r[b]])
print(f"usable share of the roof: IPR {ratio('ipr_usable', 'ipr_roof_m2'):.0%}, ours {ratio('ours_usable', 'roof_m2'):.0%} (medians); "
      f"roof areas agree (IPR/ours median {ratio('ipr_roof_m2', 'roof_m2'):.2f})")
print()
print("PRODUCTION")
summary("production vs IPR production", "d_kwh", group="headline")
for forme in ("plat", "toit2pentes", "Npans"):
    summary(f"  … IPR forme = {forme}", "d_kwh", [r for r in rows if r["forme"] == forme], group=f"forme:{forme}")
for r in rows:
    r["d_kwh_per_usable"] = rel(r["ours_kwh_per_usable"], r["ipr_kwh_per_usable"])
summary("production per m2 of usable area vs IPR's", "d_kwh_per_usable", group="all")

if json_out:
    import result
    result.write(json_out, meta_path, rows=rows, metrics=metrics, statuses=statuses, ipr_total=len(ipr), ghi=ghi,
                 unshaded_flat=unshaded_flat, ours=ours, threshold=IPR_THRESHOLD_KWH_M2)
