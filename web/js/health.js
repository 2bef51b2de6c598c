// Shows the live readiness (/healthz: "up" or "down"; details are for operators) in the page's status line.
const target = document.getElementById('health');

async function show() {
  try {
    const response = await fetch('/healthz', { headers: { Accept: 'application/json' } });
    const body = await response.json();
    const up = response.ok && body.status === 'up';
    target.textContent = up ? 'Operational.' : 'Degraded: the service is unavailable for a moment.';
    target.dataset.state = up ? 'ok' : 'degraded';
  } catch (error) {
    target.textContent = `Unreachable — ${error.message}.`;
    target.dataset.state = 'down';
  }
}

show();
