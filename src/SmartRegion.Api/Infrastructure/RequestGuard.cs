namespace SmartRegion.Api.Infrastructure;

/// <summary>
/// Refuses, before any endpoint runs, a path or query parameter holding a control character (NUL first of all:
/// PostgreSQL cannot store it in text, and no identifier, filter or search term needs one). The answer names the
/// parameter, so a client learns what was wrong and where.
/// </summary>
internal static class RequestGuard
{
    public static WebApplication UseRequestGuard(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            if (HasControl(ctx.Request.Path.Value))
            {
                await Write(ctx, "path", "The path contains a control character (such as NUL).");
                return;
            }
            foreach (var (name, values) in ctx.Request.Query)
            {
                if (HasControl(name) || values.Any(HasControl))
                {
                    await Write(ctx, Printable(name), $"The query parameter '{Printable(name)}' contains a control character (such as NUL).");
                    return;
                }
            }
            await next(ctx);
        });
        return app;
    }

    /// <summary>A C0 control other than tab, line feed and carriage return, or DEL.</summary>
    public static bool HasControl(string? text)
    {
        foreach (var c in text ?? "")
        {
            if (c is (< '\u0020' and not ('\t' or '\n' or '\r')) or '\u007f')
            {
                return true;
            }
        }
        return false;
    }

    private static string Printable(string name) => new([.. name.Where(c => !char.IsControl(c)).Take(100)]);

    private static Task Write(HttpContext ctx, string parameter, string detail) => ParameterProblem.Invalid(parameter, detail).ExecuteAsync(ctx);
}
