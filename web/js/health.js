// Shows the live /healthz result in the page's status line.
const target = document.getElementById('health');

async function show() {
  try {
    const response = await fetch('/healthz', { headers: { Accept: 'application/json' } });
    const body = await response.json();
    if (response.ok) {
      target.textContent = `Operational — database ok (PostgreSQL ${body.postgresVersion}, PostGIS ${body.postgisVersion}).`;
      target.dataset.state = 'ok';
    } else {
      target.textContent = `Degraded — database ${body.database}${body.databaseError ? `: ${body.databaseError}` : ''}.`;
      target.dataset.state = 'degraded';
    }
  } catch (error) {
    target.textContent = `Unreachable — ${error.message}.`;
    target.dataset.state = 'down';
  }
}

show();
