using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

/// <summary>
/// A large CityGML 2.0 LOD2 file made from small real ones (Lyon's): each source building, whole (attributes, textures'
/// coordinates, boundedBy surfaces, the lod2Solid's xlink:href), copied on a grid of 40 m cells with its own gml:ids, so a
/// loader does per building what it does on the real file. EPSG:3946, named in the model's envelope.
/// </summary>
internal static partial class CityGmlSynthetic
{
    private const double CellM = 40;

    public static int Write(string output, int count, string[] sources)
    {
        var members = sources.SelectMany(s => Member().Matches(File.ReadAllText(s)).Select(m => m.Value)).ToArray();
        if (members.Length == 0)
        {
            Console.Error.WriteLine("no cityObjectMember in the sources");
            return 1;
        }
        var side = (int)Math.Ceiling(Math.Sqrt(count));
        using var file = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 20);
        file.Write("""
            <?xml version="1.0" encoding="UTF-8"?>
            <CityModel xmlns="http://www.opengis.net/citygml/2.0" xmlns:app="http://www.opengis.net/citygml/appearance/2.0" xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:gen="http://www.opengis.net/citygml/generics/2.0" xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">
              <gml:name>synthetic from Lyon's CityGML</gml:name>
              <gml:boundedBy><gml:Envelope srsName="urn:ogc:def:crs:EPSG::3946" srsDimension="3"><gml:lowerCorner>1841000 5175000 150</gml:lowerCorner><gml:upperCorner>1861000 5195000 300</gml:upperCorner></gml:Envelope></gml:boundedBy>

            """);
        for (var k = 0; k < count; k++)
        {
            var member = members[k % members.Length];
            double dx = CellM * (k % side), dy = CellM * (k / side);
            var suffix = "-" + k.ToString(CultureInfo.InvariantCulture);
            // Ids and the references to them get the copy's suffix; every coordinate list moves by the copy's offset.
            var text = Id().Replace(member, m => m.Groups[1].Value + m.Groups[2].Value + suffix + "\"");
            text = Coordinates().Replace(text, m => m.Groups[1].Value + Shift(m.Groups[2].Value, dx, dy) + m.Groups[3].Value);
            file.Write("  ");
            file.Write(text);
            file.Write('\n');
        }
        file.Write("</CityModel>\n");
        return 0;
    }

    // x y z triples moved by (dx, dy), written with the source's number of decimals.
    private static string Shift(string list, double dx, double dy)
    {
        var tokens = list.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder(list.Length + 8);
        for (var i = 0; i < tokens.Length; i++)
        {
            var t = tokens[i];
            var offset = (i % 3) switch { 0 => dx, 1 => dy, _ => 0 };
            if (offset != 0)
            {
                var decimals = t.Contains('.') ? t.Length - t.IndexOf('.') - 1 : 0;
                t = (double.Parse(t, CultureInfo.InvariantCulture) + offset).ToString("F" + decimals, CultureInfo.InvariantCulture);
            }
            sb.Append(t).Append(' ');
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"<cityObjectMember>.*?</cityObjectMember>", RegexOptions.Singleline)]
    private static partial Regex Member();

    [GeneratedRegex(@"((?:gml:id|xlink:href|uri|ring)="")(#?[^""]+)""")]
    private static partial Regex Id();

    [GeneratedRegex(@"(<gml:(?:posList|pos|lowerCorner|upperCorner)\b[^>]*>)([^<]*)(</gml:)")]
    private static partial Regex Coordinates();
}
