namespace SmartRegion.Data.Catalog.Uploads;

/// <summary>
/// The server directories each organisation may import files from in place (property 3: server files belong to an
/// organisation). A path is checked when the request names it and again when the worker opens it: the file is opened,
/// then what was opened (the kernel's name for the open descriptor) must lie under the organisation's roots, and the
/// readers read that descriptor — so neither '..', nor a symbolic link, nor a swap of the file between the check and the
/// read leads outside. Any path outside the organisation's roots, existing or not, gets one and the same answer.
/// </summary>
public sealed class ServerFileRoots
{
    private readonly Dictionary<string, string[]> _roots;

    /// <param name="roots">Organisation slug → absolute directories (a root that is itself a link counts as its target).</param>
    public ServerFileRoots(IReadOnlyDictionary<string, IReadOnlyList<string>> roots)
    {
        _roots = roots.ToDictionary(
            r => r.Key,
            r => r.Value.Where(p => p.Length > 0 && Path.IsPathFullyQualified(p))
                .Select(p => Resolve(Path.GetFullPath(p)) ?? Path.GetFullPath(p)).ToArray(),
            StringComparer.Ordinal);
    }

    /// <summary>No roots for anyone.</summary>
    public static readonly ServerFileRoots None = new(new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>The organisations that have at least one root here.</summary>
    public IReadOnlyCollection<string> Organisations => [.. _roots.Where(r => r.Value.Length > 0).Select(r => r.Key)];

    /// <summary>The roots of <paramref name="orgSlug"/>, resolved (empty when it has none).</summary>
    public IReadOnlyList<string> Of(string orgSlug) => _roots.GetValueOrDefault(orgSlug) ?? [];

    /// <summary>The one answer for every path outside the organisation's roots, whether or not it exists.</summary>
    public static readonly ServerFileRefusal Outside = new("path_outside_roots",
        "The path is not a file under your organisation's server directories (Catalog:ServerFileRoots).");

    /// <summary>
    /// Opens <paramref name="path"/> for <paramref name="orgSlug"/>, or says why not. Dispose the result when done reading:
    /// <see cref="OpenedServerFile.ReadPath"/> names the opened file itself as long as it is open.
    /// </summary>
    public (OpenedServerFile? File, ServerFileRefusal? Refusal) Open(string orgSlug, string? path)
    {
        var roots = Of(orgSlug);
        if (roots.Count == 0)
        {
            return (null, new("server_files_disabled",
                "Your organisation has no server directories (Catalog:ServerFileRoots): upload the file instead."));
        }
        if (string.IsNullOrEmpty(path))
        {
            return (null, new("invalid_path", "'path' is required: an absolute path under one of your organisation's server directories."));
        }
        if (path.Any(char.IsControl))
        {
            return (null, new("invalid_path", "The path contains a NUL or control character."));
        }
        if (!Path.IsPathFullyQualified(path))
        {
            return (null, new("invalid_path", "The path must be absolute."));
        }
        if (path.Split('/', '\\').Any(segment => segment is ".." or "."))
        {
            return (null, new("path_traversal", "The path contains a '.' or '..' segment."));
        }
        // Outside (lexically, or once every link is resolved, or a link that loops) answers before anything about the
        // file itself is looked at, so nothing tells whether a file outside exists.
        if (Resolve(path) is not { } resolved || !roots.Any(r => IsUnder(resolved, r)))
        {
            return (null, Outside);
        }
        if (!File.Exists(resolved))
        {
            return (null, new("file_not_found", "No such file in your organisation's server directories."));
        }
        FileStream stream;
        try
        {
            stream = new FileStream(resolved, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, new("file_not_found", "The file cannot be read by the platform (missing, or no permission)."));
        }
        // What was opened: on Linux the descriptor's own name, which no later rename or link swap changes.
        var descriptor = $"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}";
        string readPath = resolved;
        if (OperatingSystem.IsLinux() && new FileInfo(descriptor).LinkTarget is { } opened)
        {
            if (!roots.Any(r => IsUnder(opened, r)))
            {
                stream.Dispose();
                return (null, Outside);
            }
            readPath = descriptor;
        }
        if (!stream.CanSeek)
        {
            stream.Dispose();
            return (null, new("file_not_found", "The path is not a regular file."));
        }
        return (new OpenedServerFile(stream, readPath), null);
    }

    private static bool IsUnder(string path, string root)
    {
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>The path with every symbolic link resolved, component by component (like realpath), or null when links loop.</summary>
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

/// <summary>Why a server file is refused: a stable code and a message for the person.</summary>
public sealed record ServerFileRefusal(string Code, string Message);

/// <summary>
/// A server file opened and checked: read it through <see cref="ReadPath"/> (on Linux the open descriptor's name, so
/// every reader reads this very file) until disposed.
/// </summary>
public sealed class OpenedServerFile(FileStream stream, string readPath) : IDisposable
{
    public string ReadPath { get; } = readPath;

    public long Length => stream.Length;

    public void Dispose() => stream.Dispose();
}
