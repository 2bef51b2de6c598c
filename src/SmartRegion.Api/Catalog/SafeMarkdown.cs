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

    /// <summary>Inline spans of one line: code, links, bold, italic; every other character escaped.</summary>
    private static string Inline(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        new InlineScanner(text).Render(sb, 0, text.Length, links: true);
        return sb.ToString();
    }

    /// <summary>
    /// One left-to-right pass over a line. Where a backtracking pattern would rescan the rest of the line from every
    /// opening '[', '*' or '`' that never closes (quadratic: 100 kB of "[a](" took 14 s), this asks "where is the next
    /// ']' (or '*', '`', end of a link target)" through cursors that only move forward, so each character is looked
    /// at a bounded number of times whatever the input.
    /// </summary>
    private sealed class InlineScanner(string text)
    {
        private readonly NextOf _backtick = new(text, "`");
        private readonly NextOf _star = new(text, "*");
        private readonly NextOf _closeBracket = new(text, "]");
        private readonly NextOf _targetEnd = new(text, ") \t\n\r\f\v");

        public void Render(StringBuilder sb, int start, int end, bool links)
        {
            var literal = start;
            var i = start;
            while (i < end)
            {
                var c = text[i];
                var next = c switch
                {
                    '`' => CodeSpan(sb, i, end, ref literal),
                    '[' when links => Link(sb, i, end, ref literal),
                    '*' => Emphasis(sb, i, end, links, ref literal),
                    _ => -1,
                };
                i = next > i ? next : i + 1;
            }
            Flush(sb, literal, end);
        }

        private void Flush(StringBuilder sb, int from, int to)
        {
            if (to > from)
            {
                sb.Append(WebUtility.HtmlEncode(text[from..to]));
            }
        }

        // `code`: up to the next backtick; its content stays literal.
        private int CodeSpan(StringBuilder sb, int i, int end, ref int literal)
        {
            var close = _backtick.From(i + 1);
            if (close >= end || close == i + 1)
            {
                return -1;
            }
            Flush(sb, literal, i);
            sb.Append("<code>").Append(WebUtility.HtmlEncode(text[(i + 1)..close])).Append("</code>");
            literal = close + 1;
            return close + 1;
        }

        // [label](target): the label holds no ']', the target no ')' or white space; unsafe targets keep only the label.
        private int Link(StringBuilder sb, int i, int end, ref int literal)
        {
            var close = _closeBracket.From(i + 1);
            if (close >= end - 1 || close == i + 1 || text[close + 1] != '(')
            {
                return -1;
            }
            var targetEnd = _targetEnd.From(close + 2);
            if (targetEnd >= end || text[targetEnd] != ')' || targetEnd == close + 2)
            {
                return -1;
            }
            Flush(sb, literal, i);
            var target = text[(close + 2)..targetEnd].Trim();
            var safe = IsSafeUrl(target);
            if (safe)
            {
                sb.Append("<a href=\"").Append(WebUtility.HtmlEncode(target)).Append("\" rel=\"nofollow noopener noreferrer\">");
            }
            Render(sb, i + 1, close, links: false);
            if (safe)
            {
                sb.Append("</a>");
            }
            literal = targetEnd + 1;
            return targetEnd + 1;
        }

        // **bold** (no '*' inside), else *italic* (no '*' inside, not touching a word or another '*' outside).
        private int Emphasis(StringBuilder sb, int i, int end, bool links, ref int literal)
        {
            if (i + 1 < end && text[i + 1] == '*')
            {
                var close = _star.From(i + 2);
                if (close < end - 1 && close > i + 2 && text[close + 1] == '*')
                {
                    return Wrap(sb, "strong", i, i + 2, close, close + 2, links, ref literal);
                }
            }
            if ((i + 1 < end && text[i + 1] == '*') || (i > 0 && (text[i - 1] == '*' || IsWord(text[i - 1]))))
            {
                return -1;
            }
            var end1 = _star.From(i + 1);
            if (end1 >= end || (end1 + 1 < text.Length && (text[end1 + 1] == '*' || IsWord(text[end1 + 1]))))
            {
                return -1;
            }
            return Wrap(sb, "em", i, i + 1, end1, end1 + 1, links, ref literal);
        }

        /// <summary>Emits the literal text before <paramref name="open"/>, then the span's content inside the tag; returns where scanning resumes.</summary>
        private int Wrap(StringBuilder sb, string tag, int open, int contentStart, int contentEnd, int after, bool links, ref int literal)
        {
            Flush(sb, literal, open);
            sb.Append('<').Append(tag).Append('>');
            Render(sb, contentStart, contentEnd, links);
            sb.Append("</").Append(tag).Append('>');
            literal = after;
            return after;
        }

        private static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';
    }

    /// <summary>The next index at or after a position holding one of some characters; positions asked only grow, so the scans add up to one pass.</summary>
    private sealed class NextOf(string text, string chars)
    {
        private int _from = -1;
        private int _found = -1;

        public int From(int position)
        {
            if (position > _found || position < _from)
            {
                var i = position >= text.Length ? -1 : text.AsSpan(position).IndexOfAny(chars);
                _from = position;
                _found = i < 0 ? int.MaxValue : position + i;
            }
            return _found;
        }
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
}
