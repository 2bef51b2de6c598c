using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SmartRegion.Api.Catalog;

/// <summary>
/// A small Markdown → HTML renderer that is safe by construction: every character of the input is HTML-escaped
/// and only a fixed set of tags is ever emitted (p, h1–h4, ul/ol/li, strong, em, code, pre, a, br). Links keep
/// only http, https and mailto targets. No raw HTML passes through, so there is nothing to sanitise afterwards.
/// </summary>
internal static partial class SafeMarkdown
{
    public static string ToHtml(string markdown)
    {
        var html = new StringBuilder();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var paragraph = new List<string>();
        string? list = null;
        var inCode = false;

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                html.Append("<p>").Append(string.Join("<br>", paragraph.Select(Inline))).Append("</p>\n");
                paragraph.Clear();
            }
        }
        void CloseList()
        {
            if (list is not null)
            {
                html.Append("</").Append(list).Append(">\n");
                list = null;
            }
        }

        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                FlushParagraph();
                CloseList();
                html.Append(inCode ? "</code></pre>\n" : "<pre><code>");
                inCode = !inCode;
                continue;
            }
            if (inCode)
            {
                html.Append(WebUtility.HtmlEncode(raw)).Append('\n');
                continue;
            }
            if (line.Length == 0)
            {
                FlushParagraph();
                CloseList();
                continue;
            }
            var heading = Heading().Match(line);
            if (heading.Success)
            {
                FlushParagraph();
                CloseList();
                var level = Math.Min(heading.Groups[1].Length, 4);
                html.Append("<h").Append(level).Append('>').Append(Inline(heading.Groups[2].Value)).Append("</h").Append(level).Append(">\n");
                continue;
            }
            var bullet = Bullet().Match(line);
            var numbered = Numbered().Match(line);
            if (bullet.Success || numbered.Success)
            {
                FlushParagraph();
                var kind = bullet.Success ? "ul" : "ol";
                if (list != kind)
                {
                    CloseList();
                    html.Append('<').Append(kind).Append(">\n");
                    list = kind;
                }
                html.Append("<li>").Append(Inline((bullet.Success ? bullet : numbered).Groups[1].Value)).Append("</li>\n");
                continue;
            }
            CloseList();
            paragraph.Add(line.Trim());
        }
        if (inCode)
        {
            html.Append("</code></pre>\n");
        }
        FlushParagraph();
        CloseList();
        return html.ToString();
    }

    /// <summary>Inline spans on already-escaped text: code first (its content stays literal), then links, bold, italic.</summary>
    private static string Inline(string text)
    {
        var parts = CodeSpan().Split(text);
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 1)
            {
                sb.Append("<code>").Append(WebUtility.HtmlEncode(parts[i])).Append("</code>");
                continue;
            }
            var escaped = WebUtility.HtmlEncode(parts[i]);
            escaped = Link().Replace(escaped, m =>
            {
                var label = m.Groups[1].Value;
                var target = WebUtility.HtmlDecode(m.Groups[2].Value).Trim();
                return IsSafeUrl(target)
                    ? $"<a href=\"{WebUtility.HtmlEncode(target)}\" rel=\"nofollow noopener noreferrer\">{label}</a>"
                    : label;
            });
            escaped = Bold().Replace(escaped, "<strong>$1</strong>");
            escaped = Italic().Replace(escaped, "<em>$1</em>");
            sb.Append(escaped);
        }
        return sb.ToString();
    }

    /// <summary>Only absolute http(s) and mailto URLs; anything else (javascript:, data:, vbscript:, relative tricks) is dropped.</summary>
    public static bool IsSafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeMailto)
        && url.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^(#{1,6})\s+(.*)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*[-*+]\s+(.*)$")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"^\s*\d+[.)]\s+(.*)$")]
    private static partial Regex Numbered();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"\*\*([^*]+)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex(@"(?<![*\w])\*([^*]+)\*(?![*\w])")]
    private static partial Regex Italic();
}
