using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace SmartRegion.Api.Operations.Logging;

/// <summary>
/// One JSON object per line for log collectors: time, level, category, event, message, then the entry's fields and its
/// scopes' fields (the request id, the trace id, the job id) flattened to top-level camelCase keys. Every string is
/// passed through the <see cref="SecretRedactor"/>.
/// </summary>
internal sealed class JsonLineFormatter(SecretRedactor redactor) : ConsoleFormatter(Name)
{
    public new const string Name = "smartregion-json";

    // Fields the hosting scope repeats from the request line or that say nothing to an operator.
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "{OriginalFormat}", "RequestPath", "ParentId", "ConnectionId" };

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = true }))
        {
            json.WriteStartObject();
            json.WriteString("time", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("level", Level(logEntry.LogLevel));
            json.WriteString("category", logEntry.Category);
            if (logEntry.EventId.Name is { } eventName)
            {
                json.WriteString("event", eventName);
            }
            json.WriteString("message", redactor.Redact(message ?? ""));
            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", redactor.Redact(exception.ToString()));
            }
            var written = new HashSet<string>(StringComparer.Ordinal) { "time", "level", "category", "event", "message", "exception" };
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                WriteFields(json, fields, written);
            }
            scopeProvider?.ForEachScope((scope, state) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> scopeFields)
                {
                    WriteFields(state.json, scopeFields, state.written);
                }
            }, (json, written));
            json.WriteEndObject();
        }
        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    private void WriteFields(Utf8JsonWriter json, IEnumerable<KeyValuePair<string, object?>> fields, HashSet<string> written)
    {
        foreach (var (key, value) in fields)
        {
            if (Skipped.Contains(key))
            {
                continue;
            }
            var name = JsonNamingPolicy.CamelCase.ConvertName(key);
            if (!written.Add(name))
            {
                continue;
            }
            switch (value)
            {
                case null:
                    json.WriteNull(name);
                    break;
                case bool b:
                    json.WriteBoolean(name, b);
                    break;
                case int or long or short or byte or uint or ulong or ushort:
                    json.WriteNumber(name, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
                case double d when double.IsFinite(d):
                    json.WriteNumber(name, Math.Round(d, 3));
                    break;
                case float or decimal:
                    json.WriteNumber(name, Math.Round(Convert.ToDouble(value, CultureInfo.InvariantCulture), 3));
                    break;
                default:
                    json.WriteString(name, redactor.Redact(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
                    break;
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "none",
    };
}

/// <summary>
/// Short lines for a person at a terminal: <c>23:10:05 GET /catalogue 200 4 ms</c>; warnings and errors are marked,
/// an exception adds its type and message (the stack trace is for the JSON logs). Secrets are masked here too.
/// </summary>
internal sealed class ShortLineFormatter(SecretRedactor redactor) : ConsoleFormatter(Name)
{
    public new const string Name = "smartregion-short";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        var line = new StringBuilder(96);
        line.Append(DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ');
        line.Append(logEntry.LogLevel switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error or LogLevel.Critical => "error: ",
            _ => "",
        });
        line.Append(message);
        if (logEntry.Exception is { } e)
        {
            line.Append(" (").Append(e.GetType().Name).Append(": ").Append(e.Message.ReplaceLineEndings(" ")).Append(')');
        }
        textWriter.Write(redactor.Redact(line.ToString()));
        textWriter.Write('\n');
    }
}

/// <summary>Chooses the console format: <c>Logging:Format</c> (or SMARTREGION_LOG_FORMAT) = json | text | auto (json unless the output is a terminal).</summary>
internal static class LogSetup
{
    public const string FormatVariable = "SMARTREGION_LOG_FORMAT";

    public static ILoggingBuilder AddSmartRegionConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        var format = (configuration["Logging:Format"] ?? Environment.GetEnvironmentVariable(FormatVariable) ?? "auto").Trim().ToLowerInvariant();
        var json = format switch
        {
            "json" => true,
            "text" => false,
            "auto" or "" => Console.IsOutputRedirected,
            _ => throw new InvalidOperationException($"Logging:Format '{format}' is not one of json, text, auto."),
        };
        var redactor = SecretRedactor.FromConfiguration(configuration);
        logging.ClearProviders();
        logging.AddConsole(o => o.FormatterName = json ? JsonLineFormatter.Name : ShortLineFormatter.Name);
        logging.AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>(o => o.IncludeScopes = true);
        logging.AddConsoleFormatter<ShortLineFormatter, ConsoleFormatterOptions>();
        if (!json)
        {
            // A person at a terminal does not want a line per Cesium asset; servers log every request.
            logging.AddFilter(RequestLog.StaticFilesCategory, LogLevel.Warning);
        }
        logging.Services.AddSingleton(redactor);
        return logging;
    }
}
