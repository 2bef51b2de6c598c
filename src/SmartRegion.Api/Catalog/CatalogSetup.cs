using SmartRegion.Api.Infrastructure;
using SmartRegion.Data.Catalog;

namespace SmartRegion.Api.Catalog;

/// <summary>Registers and maps the catalogue: accounts, keys, datasets, sharing, uploads, records, DCAT.</summary>
internal static class CatalogSetup
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddCatalogAuthentication();
        services.AddSingleton(sp => new CatalogSearch(sp.ReadDataSource()));
        services.AddCatalogOpenApi();
        services.AddSingleton<VersionStore>();
        services.AddSingleton(sp => new RecordsQuery(sp.ReadDataSource()));
        services.AddSingleton<ExportSizes>();
        services.AddSingleton<UploadSettings>();
        services.AddSingleton<UploadSignal>();
        services.AddSingleton(sp => ServerFileSettings.Read(sp.GetRequiredService<IConfiguration>()));
        services.AddHostedService<UploadWorker>();
        services.AddHostedService<UploadStorage>();
        return services;
    }

    public static WebApplication MapCatalogEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1").WithCatalogErrors();
        api.MapAuthEndpoints();
        api.MapOidcEndpoints();
        api.MapKeyEndpoints();
        api.MapOrganisationEndpoints();
        api.MapInvitationEndpoints();
        api.MapDatasetEndpoints();
        api.MapVersionEndpoints();
        api.MapRecordEndpoints();
        api.MapAuditEndpoints();
        app.MapDcatEndpoints();
        return app;
    }
}
