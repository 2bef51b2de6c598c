# The API host in a container, for servers with a Docker engine (docker compose up). Same settings as ./smartregion.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig SmartRegion.sln ./
COPY src/ src/
COPY data-pipelines/ data-pipelines/
COPY config/ config/
RUN dotnet publish src/SmartRegion.Api/SmartRegion.Api.csproj -c Release -o /out/api \
 && dotnet publish data-pipelines/SmartRegion.Pipelines/SmartRegion.Pipelines.csproj -c Release -o /out/cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out/api ./
COPY --from=build /out/cli ./cli/
COPY web/ ./web/
COPY bench/validation/result.json ./validation/result.json
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    Web__Root=/app/web \
    Validation__ResultPath=/app/validation/result.json \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD ["dotnet", "cli/SmartRegion.Pipelines.dll", "db", "info"]
USER app
ENTRYPOINT ["dotnet", "SmartRegion.Api.dll"]
