// /docs: the interactive API reference. Scalar's viewer (its script served by the API from the NuGet package, so the
// page works offline) over the live OpenAPI document, inside the platform's chrome. Nothing from outside: no fonts,
// no AI agent, no proxy; the page's CSP would refuse them anyway.
/* global Scalar */
import { initPage } from '../common/chrome.js';

await initPage({ page: 'docs', title: 'docs.title' });
// The viewer is 5 MB of script: loaded once the page and its chrome are drawn, not from <head>, where parsing it held
// the whole page back for seconds (20 s and more on a loaded machine).
await new Promise((resolve, reject) => {
  const script = document.createElement('script');
  script.src = '/scalar/scalar.js';
  script.onload = resolve;
  script.onerror = () => reject(new Error('/scalar/scalar.js did not load'));
  document.head.append(script);
});

Scalar.createApiReference('#reference', {
  sources: [{ title: 'SmartRegion API', slug: 'smartregion', url: '/openapi/v1.json' }],
  withDefaultFonts: false,
  // The platform's pages are light (data-fr-scheme="light"); a dark reference under a light chrome is two sites in one.
  forceDarkModeState: 'light',
  hideDarkModeToggle: true,
  hideDownloadButton: false,
  hideClientButton: true,
  showDeveloperTools: 'never',
  agent: { disabled: true },
  telemetry: false,
  defaultHttpClient: { targetKey: 'shell', clientKey: 'curl' },
});
