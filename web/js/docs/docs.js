// The interactive API reference: Scalar (its script served by the API from the NuGet package, so it works offline)
// over the live OpenAPI document. No fonts or proxies from outside: the page's CSP would refuse them anyway.
/* global Scalar */
Scalar.createApiReference('#api-reference', {
  url: '/openapi/v1.json',
  withDefaultFonts: false,
  hideDownloadButton: false,
  defaultHttpClient: { targetKey: 'shell', clientKey: 'curl' },
  metaData: { title: 'SmartRegion API' },
});
