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

// Scalar names every operation's response card "Example Responses" and every code sample alike, each a region
// landmark: with a group open, dozens of landmarks share one name (axe landmark-unique) and a screen reader's landmark
// list is a wall of the same words. A name several regions share becomes a labelled group: the cards keep their name,
// the landmarks left are the page's own and Scalar's uniquely named ones (its tag sections, named by their heading).
const reference = document.getElementById('reference');
function demoteSharedRegions() {
  const named = reference.querySelectorAll('[role=region][aria-label], section[aria-label]:not([role])');
  const count = new Map();
  for (const el of named) {
    const name = el.getAttribute('aria-label');
    count.set(name, (count.get(name) ?? 0) + 1);
  }
  for (const el of named) {
    if (count.get(el.getAttribute('aria-label')) > 1) {
      el.setAttribute('role', 'group');
    }
  }
}
// In the observer's own callback (a microtask after each change), so no later task, a click or axe, sees them as regions.
new MutationObserver(demoteSharedRegions)
  .observe(reference, { childList: true, subtree: true, attributes: true, attributeFilter: ['role', 'aria-label'] });
demoteSharedRegions();
