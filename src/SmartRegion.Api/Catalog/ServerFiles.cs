namespace SmartRegion.Api.Catalog;

/// <summary>
/// Files already on the server that a publisher may ingest in place: only under the configured roots
/// (<c>Catalog:ServerFileRoots</c>), checked after every symbolic link is resolved, so neither '..' nor a link can
/// lead outside them.
/// </summary>
internal sealed class ServerFiles(IConfiguration configuration)
{
    /// <summary>The configured roots, each resolved (a root that is itself a link counts as its target).</summary>
    public IReadOnlyList<string> Roots { get; } = [.. (configuration.GetSection("Catalog:ServerFileRoots").Get<string[]>() ?? [])
        .Where(r => r.Length > 0 && Path.IsPathFullyQualified(r))
        .Select(r => Resolve(Path.GetFullPath(r)) ?? Path.GetFullPath(r))];

    /// <summary>The problem with <paramref name="path"/> (code, message) or null, and the resolved file path.</summary>
    public (string? Code, string? Message, string? Resolved) Check(string? path)
    {
        if (Roots.Count == 0)
        {
            return ("server_files_disabled", "No server directories are configured (Catalog:ServerFileRoots): upload the file instead.", null);
        }
        if (string.IsNullOrEmpty(path))
        {
            return ("invalid_path", "'path' is required: an absolute path under one of the server directories.", null);
        }
        if (path.Contains('\0', StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            return ("invalid_path", "The path contains a NUL or control character.", null);
        }
        if (!Path.IsPathFullyQualified(path))
        {
            return ("invalid_path", "The path must be absolute.", null);
        }
        if (path.Split('/', '\\').Any(segment => segment is ".." or "."))
        {
            return ("path_traversal", "The path contains a '.' or '..' segment.", null);
        }
        var resolved = Resolve(path);
        if (resolved is null || !File.Exists(resolved))
        {
            return ("file_not_found", "No such file on the server (or a link in the path is broken or loops).", null);
        }
        var root = Roots.FirstOrDefault(r => IsUnder(resolved, r));
        if (root is null)
        {
            return Roots.Any(r => IsUnder(Path.GetFullPath(path), r))
                ? ("symlink_escape", "A symbolic link in the path leads outside the server directories.", null)
                : ("path_outside_roots", "The path is not under one of the server directories (Catalog:ServerFileRoots).", null);
        }
        return (null, null, resolved);
    }

    private static bool IsUnder(string path, string root)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>The path with every symbolic link resolved, component by component (like realpath), or null when a link is broken or loops.</summary>
    public static string? Resolve(string path)
    {
        var current = Path.GetPathRoot(path)!;
        var pending = new Stack<string>(path[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40)
                {
                    return null;
                }
                // The link's target replaces it; its own components are resolved in turn.
                var absolute = Path.IsPathFullyQualified(target) ? target : Path.Combine(current, target);
                foreach (var p in absolute[Path.GetPathRoot(absolute)!.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.Push(p);
                }
                current = Path.GetPathRoot(absolute)!;
                continue;
            }
            current = next;
        }
        return current;
    }
}
