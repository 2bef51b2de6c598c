"""The validation's machine-readable result (schema smartregion.validation/1), written by compare.py --json.

The /validation page reads it through GET /api/v1/validation and shows nothing that is not in it: the counts, the
median / p90 |diff| and bias of each comparison, the per-roof pairs (scatter plot, histogram), the largest outliers with
the reason found, the method and the known limits (in French and English, their numbers filled in from this run).

Outlier reasons are rules over each roof's own evidence (IPR's roof form, our roof shape, whether BD TOPO gives a ridge
altitude, our shading loss, the weather gap measured on unshaded flat roofs); the evidence is stored with the reason."""
import datetime
import json
import statistics

OUTLIERS = 12
SCHEMA = "smartregion.validation/1"


def pct(v, signed=True):
    return f"{v:+.1%}" if signed else f"{v:.1%}"


def fr_pct(v, signed=True):
    """1.5 % written the French way (comma, narrow no-break space before %)."""
    return pct(v, signed).replace(".", ",").replace("%", "\u202f%")


def fr_pct0(v):
    return f"{v:.0%}".replace("%", "\u202f%")


def reason(r, weather_gap):
    """The likeliest cause of a roof's irradiation difference, from its own evidence; (code, fr, en)."""
    d, loss, pitched = r["d_mean_900"], r["loss"], r["forme"] in ("toit2pentes", "Npans")
    flat_here = r["shape"] == "flat"
    if d < 0 and loss >= 0.05 and pitched and flat_here and not r["ridge_known"]:
        return ("pitched-computed-flat-in-shade",
                f"Toit en pente pour l'IPR ({r['forme']}) calculé plat à la hauteur de l'égout, faute d'altitude de faîtage dans la BD TOPO : "
                f"il reste dans l'ombre de ses voisins (perte {fr_pct(loss, False)}) alors que le modèle de surface de l'IPR voit ses pans s'en dégager.",
                f"A pitched roof for IPR ({r['forme']}) computed flat at gutter height, as BD TOPO gives no ridge altitude: it stays in its "
                f"neighbours' shade ({pct(loss, False)} loss) where IPR's surface model sees its slopes rise out of it.")
    if d > 0 and pitched and flat_here and (r["ipr_mean"] or 0) < 1000:
        return ("pitched-seen-flat-and-open",
                f"L'IPR voit un toit en pente orienté au nord ou encombré ({r['ipr_mean']:.0f} kWh/m²/an) ; sans altitude de faîtage "
                f"dans la BD TOPO nous le calculons plat et dégagé.",
                f"IPR sees a north-facing or cluttered pitched roof ({r['ipr_mean']:.0f} kWh/m²/yr); with no ridge altitude in BD TOPO "
                f"we compute it flat and open.")
    if d < 0 and loss >= 0.05:
        return ("shaded-by-box-neighbours",
                f"Ombré par des voisins que notre modèle dessine comme des boîtes à la hauteur de l'égout (perte {fr_pct(loss, False)}).",
                f"Shaded by neighbours our model draws as boxes at gutter height ({pct(loss, False)} loss).")
    # The weather explains an unshaded roof's shortfall only up to the gap measured on all unshaded flat roofs (and 3 points of noise).
    if d < 0 and weather_gap is not None and loss < 0.01 and -d <= weather_gap + 0.03:
        return ("weather-year",
                f"La météo : l'année type de l'IPR est plus ensoleillée de {fr_pct(weather_gap)} (rayonnement horizontal) que celle du NSRDB que nous utilisons.",
                f"The weather: IPR's typical year is {pct(weather_gap)} sunnier (horizontal irradiation) than the NSRDB year we use.")
    return ("not-identified", "Cause non identifiée.", "No cause identified.")


def write(path, meta_path, *, rows, metrics, statuses, ipr_total, ghi, unshaded_flat, ours, threshold):
    meta = json.load(open(meta_path, encoding="utf-8")) if meta_path else {}
    implied = statistics.median(unshaded_flat) if unshaded_flat else None
    gap = implied / ghi - 1 if implied and ghi else None
    headline = next(m for m in metrics if m["quantity"] == "d_mean_900" and m["group"] == "headline")
    level = next((m for m in metrics if m["group"] == "diagnostic"), None)
    usable = next(m for m in metrics if m["quantity"] == "d_usable" and m["group"] == "headline")
    ratio = lambda a, b: statistics.median([r[a] / r[b] for r in rows if r[a] and r[b]])
    ipr_share, our_share = ratio("ipr_usable", "ipr_roof_m2"), ratio("ours_usable", "roof_m2")
    computed = [o for o in ours.values() if o["status"] == "ok"]
    no_ridge = sum(1 for o in ours.values() if not o.get("roof_max_altitude_ngfign69_m"))
    # Without a ridge altitude, a roof of tiles or slates is pitched at that material's minimum slope (roof_pitch_from_covering).
    sloped = sum(1 for o in ours.values() if not o.get("roof_max_altitude_ngfign69_m")
                 and {"tiles", "slates"} & set((o.get("roof_covering") or "").split("+")))

    outliers = []
    for r in sorted((r for r in rows if r["d_mean_900"] is not None), key=lambda r: abs(r["d_mean_900"]), reverse=True)[:OUTLIERS]:
        code, fr, en = reason(r, gap)
        outliers.append(dict(id=r["id"], forme=r["forme"], shape=r["shape"], shadingLoss=r["loss"], ridgeAltitudeKnown=r["ridge_known"],
                             referenceKwhPerM2=r["ipr_mean"], oursKwhPerM2=r["ours_mean_900"], diff=r["d_mean_900"],
                             reason=dict(code=code, fr=fr, en=en), longitudeDeg=r["lon"], latitudeDeg=r["lat"]))

    method_fr = [
        f"Référence : « Le potentiel solaire des toitures » de L'Institut Paris Region pour Saint-Denis ({ipr_total} toits). Chaque toit est "
        f"apparié au bâtiment BD TOPO de même identifiant (id IPR = cleabs) : {len(rows)} toits appariés à un bâtiment que nous avons calculé.",
        f"Nos chiffres : le calcul n° {meta.get('runId', '?')} (modèle {meta.get('modelVersion', '?')}) sur les {len(ours)} bâtiments BD TOPO du jeu "
        f"({len(computed)} calculés), avec l'année type « {meta.get('station', '?')} » ({ghi:.0f} kWh/m²/an de rayonnement horizontal).",
        f"Grandeur comparée : l'irradiation moyenne de la partie utile. L'IPR retient les surfaces à plus de {threshold} kWh/m²/an sans obstacle ; "
        f"nous prenons la moyenne de nos points d'échantillonnage à {threshold} kWh/m²/an ou plus. Écart = (nous − IPR) / IPR ; biais = médiane des écarts signés.",
        f"Ce qui est déduit : les pans de toit viennent de l'emprise et des hauteurs BD TOPO (toit plat sous 0,5 m de dénivelé) ; "
        f"{no_ridge} des {len(ours)} bâtiments n'ont pas d'altitude de faîtage : leurs toits sont calculés plats à la hauteur de l'égout, "
        f"sauf {sloped} couverts de tuiles ou d'ardoises (matériau de toiture BD TOPO), qui ne se posent qu'en pente : ceux-là sont en pente, "
        f"à la pente minimale du matériau (NF DTU 40.21, 40.11) depuis l'égout.",
    ]
    method_en = [
        f"Reference: L'Institut Paris Region's rooftop solar potential for Saint-Denis ({ipr_total} roofs). Each roof is matched to the "
        f"BD TOPO building with the same id (IPR id = cleabs): {len(rows)} roofs matched a building we computed.",
        f"Ours: solar run {meta.get('runId', '?')} (model {meta.get('modelVersion', '?')}) over the data set's {len(ours)} BD TOPO buildings "
        f"({len(computed)} computed), with the typical year '{meta.get('station', '?')}' ({ghi:.0f} kWh/m²/yr horizontal irradiation).",
        f"Quantity compared: the mean irradiation of the usable part. IPR keeps surfaces above {threshold} kWh/m²/yr with no obstacle; we take "
        f"the mean of our sample points at {threshold} kWh/m²/yr or more. Difference = (ours − IPR) / IPR; bias = median of the signed differences.",
        f"What is inferred: roof faces come from the footprint and BD TOPO heights (flat under 0.5 m of rise); {no_ridge} of the {len(ours)} "
        f"buildings have no ridge altitude: their roofs are computed flat at gutter height, but for {sloped} covered with tiles or slates "
        f"(BD TOPO's roof material), which are laid only on a slope: those are pitched at the material's minimum slope (NF DTU 40.21, 40.11) "
        f"from the gutter.",
    ]
    limits_fr, limits_en = [], []
    if gap is not None:
        limits_fr.append(
            f"Météo : sur les {len(unshaded_flat)} toits plats que nous trouvons sans ombre, l'IPR donne une médiane de {implied:.0f} kWh/m²/an contre "
            f"{ghi:.0f} pour notre année type, soit un rayonnement horizontal {fr_pct(gap)} plus fort chez l'IPR : c'est l'essentiel du biais."
            + (f" Mises à niveau (diagnostic, jamais appliqué aux résultats), l'écart médian serait de {fr_pct(level['medianAbsDiff'], False)} et le biais de {fr_pct(level['bias'])}." if level else ""))
        limits_en.append(
            f"Weather: on the {len(unshaded_flat)} flat roofs we find unshaded, IPR's median is {implied:.0f} kWh/m²/yr against {ghi:.0f} for our "
            f"typical year: IPR's horizontal irradiation is {pct(gap)} higher, most of the bias."
            + (f" Put level (a diagnostic, never applied to results), the median difference would be {pct(level['medianAbsDiff'], False)} and the bias {pct(level['bias'])}." if level else ""))
    limits_fr.append(
        "Toits en pente sans altitude de faîtage : calculés plats à la hauteur de l'égout, et les voisins sont des boîtes à cette hauteur ; "
        "les toits ombragés sont ceux qui s'écartent le plus.")
    limits_en.append(
        "Pitched roofs without a ridge altitude are computed flat at gutter height, and neighbours are boxes at that height; shaded roofs "
        "differ most.")
    limits_fr.append(
        f"Surface utile : l'IPR garde {fr_pct0(ipr_share)} d'un toit (médiane), nous {fr_pct0(our_share)} — son modèle de surface retire les "
        f"équipements, lucarnes, acrotères et les pans nord que la BD TOPO ne montre pas ; écart médian {fr_pct(usable['medianAbsDiff'], False)}.")
    limits_en.append(
        f"Usable area: IPR keeps {ipr_share:.0%} of a roof (median), we keep {our_share:.0%} — its surface model removes equipment, skylights, "
        f"parapets and north slopes that BD TOPO cannot show; median difference {pct(usable['medianAbsDiff'], False)}.")

    document = {
        "schema": SCHEMA,
        "generatedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "bench/validation/run",
        "area": {"name": "Saint-Denis", "communeCode": "93066"},
        "run": meta,
        "reference": {
            "name": "L'Institut Paris Region — Le potentiel solaire des toitures",
            "file": "saint-denis_ipr_potentiel_solaire_toitures.geojson",
            "attribution": "L'Institut Paris Region",
            "roofs": ipr_total,
        },
        "buildings": {"total": len(ours), "byStatus": statuses, "matchedRoofs": len(rows), "withoutRidgeAltitude": no_ridge},
        "weather": {"station": meta.get("station"), "ghiKwhPerM2": ghi, "referenceUnshadedFlatMedianKwhPerM2": implied,
                    "unshadedFlatRoofs": len(unshaded_flat), "referenceSunnierBy": gap},
        "headline": {k: headline[k] for k in ("n", "medianAbsDiff", "p90AbsDiff", "bias", "meanDiff")},
        "metrics": metrics,
        "pairs": [dict(id=r["id"], forme=r["forme"], shape=r["shape"], shadingLoss=r["loss"],
                       referenceKwhPerM2=r["ipr_mean"], oursKwhPerM2=r["ours_mean_900"], diff=r["d_mean_900"],
                       referenceUsableM2=r["ipr_usable"], oursUsableM2=r["ours_usable"], referenceKwh=r["ipr_kwh"], oursKwh=r["ours_kwh"])
                  for r in rows],
        "outliers": outliers,
        "method": {"fr": method_fr, "en": method_en},
        "limits": {"fr": limits_fr, "en": limits_en},
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)
        f.write("\n")
