#!/usr/bin/env python3
"""Compares SmartRegion's rooftop results for Saint-Denis with the Institut Paris Region (IPR) roofs and APUR footprints.

stdin: CSV from the run script (one row per computed building). Arguments: IPR GeoJSON, APUR GeoJSON.
Prints a line per roof with the relative differences, then median |diff|, p90 |diff| and bias (median signed diff)."""
import csv, json, statistics, sys

ipr_path, apur_path = sys.argv[1], sys.argv[2]
ours = {r["cleabs"]: r for r in csv.DictReader(sys.stdin)}
ipr = [f["properties"] for f in json.load(open(ipr_path, encoding="utf-8"))["features"]]
apur = json.load(open(apur_path, encoding="utf-8"))["features"]


def rings(geometry):
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [p for p in polys]


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


rows = []
for p in ipr:
    o = ours.get(p["id"])
    if o is None or o["status"] != "ok":
        continue
    mean, usable, kwh = float(o["mean_kwh_m2"]), float(o["usable_m2"]), float(o["annual_kwh_ac"])
    apur_value = apur_mean(float(o["lon"]), float(o["lat"]))
    rows.append(dict(id=p["id"], forme=p["forme"], shape=o["shape"], tilt=float(o["max_tilt_deg"]),
                     ipr_mean=p["moyenne2"], ours_mean=mean, d_mean=rel(mean, p["moyenne2"]),
                     ours_usable_mean=float(o["usable_mean_kwh_m2"]) if o["usable_mean_kwh_m2"] else None,
                     ipr_usable=p["surf_util"], ours_usable=usable, d_usable=rel(usable, p["surf_util"]),
                     ipr_kwh=p["production"], ours_kwh=kwh, d_kwh=rel(kwh, p["production"]),
                     apur_mean=apur_value, d_apur=rel(mean, apur_value), roof_m2=float(o["roof_m2"]), ipr_roof_m2=p["st_areashape"]))

print(f"{'cleabs':26} {'forme':11} {'ours':8} {'tilt':>5} {'IPR kWh/m2':>10} {'ours':>7} {'diff':>7} {'APUR':>7} {'diff':>7}"
      f" {'IPR m2':>8} {'ours':>8} {'diff':>7} {'IPR kWh':>9} {'ours':>9} {'diff':>7}")
fmt = lambda v: "    n/a" if v is None else f"{v:+7.1%}"
num = lambda v, w: " " * (w - 3) + "n/a" if v is None else f"{v:{w}.0f}"
for r in sorted(rows, key=lambda r: abs(r["d_mean"] or 0), reverse=True):
    print(f"{r['id']:26} {r['forme']:11} {r['shape']:8} {r['tilt']:5.1f} {num(r['ipr_mean'], 10)} {r['ours_mean']:7.0f} {fmt(r['d_mean'])}"
          f" {num(r['apur_mean'], 7)} {fmt(r['d_apur'])} {num(r['ipr_usable'], 8)} {r['ours_usable']:8.0f} {fmt(r['d_usable'])}"
          f" {num(r['ipr_kwh'], 9)} {r['ours_kwh']:9.0f} {fmt(r['d_kwh'])}")


def summary(name, key, subset=rows):
    values = sorted(r[key] for r in subset if r[key] is not None)
    if not values:
        return
    absolute = sorted(abs(v) for v in values)
    p90 = absolute[min(len(absolute) - 1, int(0.9 * len(absolute)))]
    print(f"{name:44} n={len(values):4}  median |diff| {statistics.median(absolute):6.1%}  p90 |diff| {p90:6.1%}"
          f"  bias (median diff) {statistics.median(values):+6.1%}  mean diff {statistics.fmean(values):+6.1%}")


print()
print(f"IPR roofs: {len(ipr)}; matched to a computed building (status ok): {len(rows)}")
summary("mean irradiation vs IPR moyenne2", "d_mean")
for forme in ("plat", "toit2pentes", "Npans", "petit_toit"):
    summary(f"  … IPR forme = {forme}", "d_mean", [r for r in rows if r["forme"] == forme])
for r in rows:
    r["d_usable_mean"] = rel(r["ours_usable_mean"], r["ipr_mean"])
summary("usable-area mean irradiation vs IPR moyenne2", "d_usable_mean")
summary("mean irradiation vs APUR c_ens_moy", "d_apur")
summary("usable area vs IPR surf_util", "d_usable")
summary("production vs IPR production", "d_kwh")
