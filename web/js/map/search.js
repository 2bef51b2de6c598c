// Address search with suggestions as the resident types (GET /api/v1/geocode): an ARIA 1.2 combobox — arrow keys move
// through the suggestions, Enter or a click chooses one, Escape closes the list.
import { api } from '/js/common/api.js';
import { h, replace } from '/js/common/dom.js';
import { t } from '/js/common/i18n.js';

const DEBOUNCE_MS = 180;
const MIN_CHARS = 3;

/** Wires the search form; onChoose(match) gets the chosen address ({label, longitude, latitude, …}). */
export function setUpSearch({ form, input, list, status }, onChoose) {
  let matches = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  const close = () => {
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    list.hidden = true;
    active = -1;
  };

  const render = () => {
    replace(list, ...matches.map((m, i) => h('li', {
      id: `search-option-${i}`, role: 'option', class: 'sr-search__option', 'aria-selected': i === active ? 'true' : 'false',
      onmousedown: (e) => { e.preventDefault(); choose(i); },
    }, m.label)));
    list.hidden = matches.length === 0;
    input.setAttribute('aria-expanded', matches.length ? 'true' : 'false');
    if (active >= 0) input.setAttribute('aria-activedescendant', `search-option-${active}`);
    else input.removeAttribute('aria-activedescendant');
  };

  const choose = (i) => {
    const match = matches[i];
    if (!match) return;
    input.value = match.label;
    close();
    onChoose(match);
  };

  const lookUp = async (query) => {
    controller?.abort();
    controller = new AbortController();
    try {
      const answer = await api(`/api/v1/geocode?q=${encodeURIComponent(query)}&limit=6`, { signal: controller.signal, retries: 0 });
      matches = answer.matches ?? [];
      active = -1;
      render();
      status.textContent = matches.length ? t('map.search.count', { count: matches.length }) : t('map.search.none');
    } catch (error) {
      if (error.name === 'AbortError') return;
      matches = [];
      render();
      status.textContent = t('map.search.error', { message: error.message });
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < MIN_CHARS) { matches = []; render(); status.textContent = ''; return; }
    timer = setTimeout(() => lookUp(query), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && matches.length) { active = (active + 1) % matches.length; render(); e.preventDefault(); }
    else if (e.key === 'ArrowUp' && matches.length) { active = (active - 1 + matches.length) % matches.length; render(); e.preventDefault(); }
    else if (e.key === 'Escape') { close(); }
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); choose(active); }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    if (active >= 0) { choose(active); return; }
    await lookUp(query);
    if (matches.length) choose(0);
  });
}
