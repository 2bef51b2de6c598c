using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartRegion.Api.Catalog;

/// <summary>An RDF term: an IRI, a blank node or a literal (with a datatype or a language).</summary>
internal abstract record RdfTerm
{
    public sealed record Iri(string Value) : RdfTerm;
    public sealed record Blank(string Label) : RdfTerm;
    public sealed record Literal(string Value, string? Datatype = null, string? Language = null) : RdfTerm;
}

/// <summary>
/// A small RDF graph with Turtle and (flattened) JSON-LD writers, enough for DCAT-AP. Every literal is escaped by
/// the writer, so text from publishers (Markdown, titles) can never break out of its literal.
/// </summary>
internal sealed class RdfGraph
{
    public static readonly IReadOnlyDictionary<string, string> Prefixes = new Dictionary<string, string>
    {
        ["dcat"] = "http://www.w3.org/ns/dcat#",
        ["dct"] = "http://purl.org/dc/terms/",
        ["foaf"] = "http://xmlns.com/foaf/0.1/",
        ["vcard"] = "http://www.w3.org/2006/vcard/ns#",
        ["locn"] = "http://www.w3.org/ns/locn#",
        ["hydra"] = "http://www.w3.org/ns/hydra/core#",
        ["rdf"] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        ["xsd"] = "http://www.w3.org/2001/XMLSchema#",
        ["gsp"] = "http://www.opengis.net/ont/geosparql#",
        ["adms"] = "http://www.w3.org/ns/adms#",
        ["prov"] = "http://www.w3.org/ns/prov#",
        ["rdfs"] = "http://www.w3.org/2000/01/rdf-schema#",
        ["spdx"] = "http://spdx.org/rdf/terms#",
    };

    private readonly List<(RdfTerm Subject, string Predicate, RdfTerm Object)> _triples = [];
    private int _blank;

    public RdfTerm.Blank NewBlank() => new($"b{++_blank}");

    /// <summary>Adds a triple; the predicate is a prefixed name (dct:title). A null object adds nothing.</summary>
    public void Add(RdfTerm subject, string predicate, RdfTerm? obj)
    {
        if (obj is not null)
        {
            _triples.Add((subject, predicate, obj));
        }
    }

    public void Add(RdfTerm subject, string predicate, string? text, string? language = null) =>
        Add(subject, predicate, text is null ? null : new RdfTerm.Literal(text, null, language));

    public static RdfTerm.Literal Typed(string value, string datatype) => new(value, datatype);

    public static RdfTerm.Literal DateTime(DateTimeOffset t) =>
        new(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), "xsd:dateTime");

    /// <summary>An IRI made safe for Turtle and JSON-LD: characters IRIs may not hold are percent-encoded.</summary>
    public static RdfTerm.Iri SafeIri(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var ch in value)
        {
            if (ch <= ' ' || ch is '<' or '>' or '"' or '{' or '}' or '|' or '^' or '`' or '\\')
            {
                foreach (var b in Encoding.UTF8.GetBytes(ch.ToString()))
                {
                    sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                sb.Append(ch);
            }
        }
        return new RdfTerm.Iri(sb.ToString());
    }

    public string ToTurtle()
    {
        var sb = new StringBuilder();
        foreach (var (p, iri) in Prefixes)
        {
            sb.Append("@prefix ").Append(p).Append(": <").Append(iri).Append("> .\n");
        }
        foreach (var group in _triples.GroupBy(t => t.Subject))
        {
            sb.Append('\n').Append(Term(group.Key));
            var first = true;
            foreach (var byPredicate in group.GroupBy(t => t.Predicate))
            {
                sb.Append(first ? "\n    " : " ;\n    ").Append(byPredicate.Key == "rdf:type" ? "a" : byPredicate.Key).Append(' ');
                sb.Append(string.Join(", ", byPredicate.Select(t => Term(t.Object))));
                first = false;
            }
            sb.Append(" .\n");
        }
        return sb.ToString();
    }

    public string ToJsonLd()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("@context");
            foreach (var (p, iri) in Prefixes)
            {
                json.WriteString(p, iri);
            }
            json.WriteEndObject();
            json.WriteStartArray("@graph");
            foreach (var group in _triples.GroupBy(t => t.Subject))
            {
                json.WriteStartObject();
                json.WriteString("@id", Id(group.Key));
                foreach (var byPredicate in group.GroupBy(t => t.Predicate))
                {
                    if (byPredicate.Key == "rdf:type")
                    {
                        json.WriteStartArray("@type");
                        foreach (var t in byPredicate)
                        {
                            json.WriteStringValue(((RdfTerm.Iri)t.Object).Value);
                        }
                        json.WriteEndArray();
                        continue;
                    }
                    json.WriteStartArray(byPredicate.Key);
                    foreach (var (_, _, o) in byPredicate)
                    {
                        json.WriteStartObject();
                        switch (o)
                        {
                            case RdfTerm.Literal l:
                                json.WriteString("@value", l.Value);
                                if (l.Datatype is not null) { json.WriteString("@type", l.Datatype); }
                                if (l.Language is not null) { json.WriteString("@language", l.Language); }
                                break;
                            default:
                                json.WriteString("@id", Id(o));
                                break;
                        }
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Id(RdfTerm t) => t switch
    {
        RdfTerm.Iri i => i.Value,
        RdfTerm.Blank b => "_:" + b.Label,
        _ => throw new InvalidOperationException("a literal cannot be a subject"),
    };

    private static string Term(RdfTerm t) => t switch
    {
        RdfTerm.Iri i when IsPrefixed(i.Value) => i.Value,
        RdfTerm.Iri i => "<" + i.Value + ">",
        RdfTerm.Blank b => "_:" + b.Label,
        RdfTerm.Literal l => "\"" + Escape(l.Value) + "\"" + (l.Language is not null ? "@" + l.Language : l.Datatype is not null ? "^^" + l.Datatype : ""),
        _ => throw new InvalidOperationException(),
    };

    private static bool IsPrefixed(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && Prefixes.ContainsKey(value[..colon]) && !value.Contains("//", StringComparison.Ordinal)
            && value[(colon + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
    }

    private static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(ch))
                    {
                        sb.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }
                    break;
            }
        }
        return sb.ToString();
    }
}
