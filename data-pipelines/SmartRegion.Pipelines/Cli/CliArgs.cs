using System.Globalization;

namespace SmartRegion.Pipelines.Cli;

/// <summary>A command's arguments: positionals plus <c>--name value</c> options and <c>--flag</c> switches, with typed, named errors.</summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private CliArgs(List<string> positionals) => Positionals = positionals;

    /// <summary>Arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    /// <summary>
    /// Parses <paramref name="args"/>. <paramref name="flags"/> names the switches that take no value;
    /// every other <c>--name</c> takes the next argument (or <c>--name=value</c>). <c>--</c> ends options.
    /// </summary>
    public static CliArgs Parse(IEnumerable<string> args, params string[] flags)
    {
        var flagSet = new HashSet<string>(flags, StringComparer.Ordinal);
        var positionals = new List<string>();
        var parsed = new CliArgs(positionals);
        var list = args.ToList();
        var onlyPositionals = false;
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (onlyPositionals || !a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                if (a == "--" && !onlyPositionals)
                {
                    onlyPositionals = true;
                    continue;
                }
                positionals.Add(a);
                continue;
            }
            var name = a[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (!flagSet.Contains(name))
            {
                if (i + 1 >= list.Count)
                {
                    throw new CliUsageException($"--{name} needs a value");
                }
                value = list[++i];
            }
            if (!parsed._options.TryAdd(name, value))
            {
                throw new CliUsageException($"--{name} is given more than once");
            }
        }
        return parsed;
    }

    public bool Has(string name)
    {
        _read.Add(name);
        return _options.ContainsKey(name);
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        if (!_options.TryGetValue(name, out var v))
        {
            return false;
        }
        return v switch
        {
            null or "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new CliUsageException($"--{name}: '{v}' is not true or false"),
        };
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var v) ? v : null;
    }

    public string RequiredString(string name) =>
        String(name) is { Length: > 0 } v ? v : throw new CliUsageException($"--{name} is required");

    public double? Double(string name, double? min = null, double? max = null)
    {
        var s = String(name);
        if (s is null)
        {
            return null;
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            throw new CliUsageException($"--{name}: '{s}' is not a number");
        }
        if ((min is not null && v < min) || (max is not null && v > max))
        {
            throw new CliUsageException($"--{name}: {s} is out of range [{min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"}, {max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}]");
        }
        return v;
    }

    public double RequiredDouble(string name, double? min = null, double? max = null) =>
        Double(name, min, max) ?? throw new CliUsageException($"--{name} is required");

    public int? Int(string name, int? min = null, int? max = null)
    {
        var s = String(name);
        if (s is null)
        {
            return null;
        }
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            throw new CliUsageException($"--{name}: '{s}' is not an integer");
        }
        if ((min is not null && v < min) || (max is not null && v > max))
        {
            throw new CliUsageException($"--{name}: {v} is out of range [{min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"}, {max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}]");
        }
        return v;
    }

    /// <summary>One of <paramref name="allowed"/> (case-insensitive), or the default.</summary>
    public string Choice(string name, string defaultValue, params string[] allowed)
    {
        var s = String(name);
        if (s is null)
        {
            return defaultValue;
        }
        var match = allowed.FirstOrDefault(a => string.Equals(a, s, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new CliUsageException($"--{name}: '{s}' is not one of {string.Join(", ", allowed)}");
    }

    /// <summary>Fails on options the command never asked about, so a typo is an error and not silently ignored.</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new CliUsageException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}

/// <summary>The command line is wrong: the message names the argument. Exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>The command could not do its work for a reason the user can act on (bad file, missing data). Exit code 1.</summary>
internal sealed class CliFailureException(string message) : Exception(message);
