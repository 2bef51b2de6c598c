using SmartRegion.Geo.Panels;

namespace SmartRegion.Rooftop;

/// <summary>
/// A building's modules as one array of numbers (<c>solar.building_result.panel_layout</c>), stored beside its report instead
/// of the report's <c>panels</c> JSON: per face with modules, <c>faceNo, n</c>, the face's <see cref="PackedModules"/> header
/// (<see cref="PackedModules.HeaderCount"/> numbers: the frame, the module's size, the rack's rise, portrait), the n modules'
/// corners <c>u, v</c>, then their n years (kWh AC). About 24 bytes a module where its JSON took 300 and its polygon 137.
/// </summary>
public static class ReportPanels
{
    /// <summary>The faces that have modules, with their modules' years (NaN where a year is missing).</summary>
    public static List<FacePanels> Of(IReadOnlyList<FaceResult> faces)
    {
        var list = new List<FacePanels>();
        foreach (var f in faces)
        {
            if (f.Modules is not { Count: > 0 } m)
            {
                continue;
            }
            var kwh = f.PanelKwhAc;
            if (kwh is null || kwh.Length != m.Count)
            {
                kwh = new float[m.Count];
                for (var i = 0; i < kwh.Length; i++)
                {
                    kwh[i] = f.PanelKwhAc is { } known && i < known.Length ? known[i] : float.NaN;
                }
            }
            list.Add(new FacePanels(f.FaceNo, m, kwh));
        }
        return list;
    }

    /// <summary>The layout of <paramref name="faces"/>' modules; null when no face has any.</summary>
    public static double[]? Encode(IReadOnlyList<FaceResult> faces)
    {
        var panels = Of(faces);
        if (panels.Count == 0)
        {
            return null;
        }
        var numbers = new double[panels.Sum(p => 2 + PackedModules.HeaderCount + 3 * p.Modules.Count)];
        var at = 0;
        foreach (var (faceNo, m, kwh) in panels)
        {
            numbers[at++] = faceNo;
            numbers[at++] = m.Count;
            m.WriteHeader(numbers.AsSpan(at, PackedModules.HeaderCount));
            at += PackedModules.HeaderCount;
            m.Uv.CopyTo(numbers, at);
            at += m.Uv.Length;
            foreach (var v in kwh)
            {
                numbers[at++] = v; // float → double → float is exact, NaN included
            }
        }
        return numbers;
    }

    /// <summary>The faces' modules and years an <see cref="Encode"/>d layout holds, in its order.</summary>
    /// <exception cref="FormatException">The numbers are not such a layout.</exception>
    public static List<FacePanels> Decode(ReadOnlySpan<double> numbers)
    {
        var faces = new List<FacePanels>();
        var at = 0;
        while (at < numbers.Length)
        {
            if (numbers.Length - at < 2 + PackedModules.HeaderCount)
            {
                throw new FormatException($"a stored panel layout ends inside a face's header at number {at} of {numbers.Length}");
            }
            var faceNo = numbers[at];
            var count = numbers[at + 1];
            if (faceNo != Math.Floor(faceNo) || faceNo < 1 || count != Math.Floor(count) || count < 1 || 3 * count > numbers.Length - at - 2 - PackedModules.HeaderCount)
            {
                throw new FormatException($"a stored panel layout has a face {faceNo} of {count} modules at number {at}, of {numbers.Length}");
            }
            var n = (int)count;
            var header = numbers.Slice(at + 2, PackedModules.HeaderCount);
            at += 2 + PackedModules.HeaderCount;
            var uv = numbers.Slice(at, 2 * n).ToArray();
            at += 2 * n;
            var kwh = new float[n];
            for (var i = 0; i < n; i++)
            {
                kwh[i] = (float)numbers[at++];
            }
            faces.Add(new FacePanels((int)faceNo, PackedModules.FromNumbers(header, uv), kwh));
        }
        return faces;
    }
}

/// <summary>One face's modules as the report writes them.</summary>
/// <param name="KwhAc">Per module its year (kWh AC), NaN when unknown.</param>
public sealed record FacePanels(int FaceNo, PackedModules Modules, float[] KwhAc);
