using SmartRegion.Rooftop;

namespace SmartRegion.Api.Solar;

/// <summary>A stored report sent as it is (application/json), its pooled buffer given back once Kestrel has copied it.</summary>
internal sealed class ReportResult(ReportBytes report) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        using (report)
        {
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = report.Length;
            await httpContext.Response.Body.WriteAsync(report.Memory, httpContext.RequestAborted);
        }
    }
}
