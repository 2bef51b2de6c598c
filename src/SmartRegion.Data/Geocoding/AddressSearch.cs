using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using SmartRegion.Geo.Text;

namespace SmartRegion.Data.Geocoding;

/// <summary>One geocoding answer: the address, its point (Lambert-93 and WGS 84) and how well it matched (0…2.5).</summary>
public sealed record AddressMatch(string Label, int? Number, string? Street, string? Postcode, string? CommuneName,
    double XLambert93, double YLambert93, double Longitude, double Latitude, double Score);

/// <summary>Forward geocoding on <c>region.address</c>: accent- and case-insensitive, typo-tolerant (pg_trgm), house-number aware.</summary>
public static partial class AddressSearch
{
    /// <summary>What the query says, once normalised: house number, suffix, postcode, and the words.</summary>
    public sealed record ParsedQuery(int? Number, string? Suffix, string? Postcode, string Text);

    /// <summary>Splits "12 bis rue de la République, 93200 Saint-Denis" into number 12, suffix bis, postcode 93200 and the words.</summary>
    public static ParsedQuery Parse(string query)
    {
        var normalized = SearchText.Normalize(query);
        var m = LeadingNumber().Match(normalized);
        int? number = null;
        string? suffix = null;
        var rest = normalized;
        if (m.Success)
        {
            number = int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            suffix = m.Groups["s"].Success ? m.Groups["s"].Value : null;
            rest = normalized[m.Length..].Trim();
        }
        var pc = Postcode().Match(rest);
        string? postcode = null;
        if (pc.Success)
        {
            postcode = pc.Value;
            rest = (rest[..pc.Index] + " " + rest[(pc.Index + pc.Length)..]).Trim();
        }
        return new ParsedQuery(number, suffix, postcode, string.Join(' ', rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary>The best <paramref name="limit"/> addresses for <paramref name="query"/>, best first.</summary>
    public static async Task<IReadOnlyList<AddressMatch>> GeocodeAsync(NpgsqlDataSource dataSource, string query, int limit, CancellationToken cancellationToken)
    {
        var q = Parse(query);
        if (q.Text.Length == 0)
        {
            return [];
        }
        await using var conn = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        await using (var set = new NpgsqlCommand("SET LOCAL pg_trgm.word_similarity_threshold = 0.45", conn, tx))
        {
            await set.ExecuteNonQueryAsync(cancellationToken);
        }
        // Words decide (street + commune, typo-tolerant); then the house number: exact first, the nearest number
        // of the same street next; the postcode breaks ties between communes with the same street name.
        await using var cmd = new NpgsqlCommand("""
            SELECT label, number, street, postcode, commune_name, ST_X(point), ST_Y(point),
                   ST_X(ST_Transform(point, 4326)), ST_Y(ST_Transform(point, 4326)), score
            FROM (
                -- How much of the query the label covers, plus how well the street itself appears in the query
                -- (so "rue jofre saint denis" prefers Rue Joffre over any other street of Saint-Denis).
                SELECT a.*, word_similarity(@text, a.search_label) + word_similarity(a.search_street, @text)
                     + CASE WHEN @number IS NULL OR a.number IS NULL THEN 0
                            WHEN a.number = @number THEN 0.4 + CASE WHEN a.suffix IS NOT DISTINCT FROM @suffix THEN 0.05 ELSE 0 END
                            ELSE 0.3 / (1 + abs(a.number - @number)) END
                     + CASE WHEN @postcode IS NOT NULL AND a.postcode = @postcode THEN 0.1 ELSE 0 END AS score
                FROM region.address a
                WHERE @text <% a.search_label
            ) s
            ORDER BY score DESC, label
            LIMIT @limit
            """, conn, tx);
        cmd.Parameters.AddWithValue("text", q.Text);
        cmd.Parameters.AddWithValue("number", NpgsqlDbType.Integer, (object?)q.Number ?? DBNull.Value);
        cmd.Parameters.AddWithValue("suffix", NpgsqlDbType.Text, (object?)q.Suffix ?? DBNull.Value);
        cmd.Parameters.AddWithValue("postcode", NpgsqlDbType.Text, (object?)q.Postcode ?? DBNull.Value);
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<AddressMatch>();
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new AddressMatch(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2),
                r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetDouble(5), r.GetDouble(6),
                r.GetDouble(7), r.GetDouble(8), Math.Round(r.GetDouble(9), 4)));
        }
        return list;
    }

    [GeneratedRegex(@"^(?<n>\d{1,4})(\s*(?<s>bis|ter|quater|[a-h])\b)?")]
    private static partial Regex LeadingNumber();

    [GeneratedRegex(@"\b\d{5}\b")]
    private static partial Regex Postcode();
}
