// Partner datasets beside the roofs: the open datasets with a geometry that the visitor may see (the catalogue's search
// API), each a checkbox; checked, its GeoJSON export is drawn on the ground; a click on a feature shows its fields and a
// link to the dataset's page.
import { api } from '/js/common/api.js';
import { h, replace } from '/js/common/dom.js';
import { t } from '/js/common/i18n.js';

const COLOURS = ['#0063cb', '#18753c', '#b34000', '#6e445a', '#009099', '#7f3e3b'];
const PLATFORM_DATASETS = /^solar-potential-/;   // the platform's own results are the 3D buildings themselves

/** Lists the layers into host; onToggle(dataset, colour, on) when one is checked or unchecked. Returns the datasets. */
export async function listLayers(host, active, onToggle) {
  let datasets;
  try {
    const answer = await api('/api/v1/datasets?hasGeometry=true&pageSize=50&sort=title');
    datasets = (answer.items ?? []).filter((d) => d.currentVersion && !PLATFORM_DATASETS.test(d.id));
  } catch (error) {
    replace(host, h('p', { class: 'fr-text--sm', id: 'layers-error' }, t('map.layers.error', { message: error.message })));
    return [];
  }
  if (!datasets.length) {
    replace(host, h('p', { class: 'fr-text--sm' }, t('map.layers.none')));
    return [];
  }
  replace(host, h('fieldset', { class: 'fr-fieldset', id: 'layers' },
    h('legend', { class: 'fr-fieldset__legend fr-text--sm' }, t('map.layers.legend')),
    datasets.map((d, i) => {
      const colour = COLOURS[i % COLOURS.length];
      const id = `layer-${d.id}`;
      return h('div', { class: 'fr-fieldset__element' },
        h('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
          h('input', { type: 'checkbox', id, checked: active.includes(d.id), 'data-dataset': d.id,
            onchange: (e) => onToggle(d, colour, e.target.checked) }),
          h('label', { class: 'fr-label', for: id },
            h('span', { class: 'sr-swatch', style: `background: ${colour}`, 'aria-hidden': 'true' }),
            d.title, h('span', { class: 'fr-hint-text' }, d.publisher?.name ?? ''))));
    })));
  for (const d of datasets) if (active.includes(d.id)) onToggle(d, COLOURS[datasets.indexOf(d) % COLOURS.length], true);
  return datasets;
}

/** The popup of a layer feature: its fields and a link to the dataset. */
export function renderPopup(popup, { datasetId, title, entity }, time, onClose) {
  const props = entity.properties;
  const names = props?.propertyNames ?? [];
  const rows = names.filter((name) => !/^(geometry|geom|geo_shape|the_geom)$/i.test(name)).slice(0, 14).map((name) => {
    const value = props[name]?.getValue(time);
    return h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)));
  });
  replace(popup,
    h('div', { class: 'sr-popup__head' },
      h('h2', { class: 'fr-h6 fr-mb-1w', id: 'layer-popup-title' }, title),
      h('button', { class: 'fr-btn--close fr-btn', type: 'button', title: t('common.close'), onclick: onClose }, t('common.close'))),
    h('table', { class: 'sr-table sr-table--compact' }, h('caption', { class: 'fr-sr-only' }, title), h('tbody', {}, rows)),
    h('p', { class: 'fr-mt-1w fr-mb-0' }, h('a', { class: 'fr-link fr-icon-arrow-right-line fr-link--icon-right', href: `/catalogue/${encodeURIComponent(datasetId)}` }, t('map.layers.open'))));
  popup.hidden = false;
  popup.querySelector('button')?.focus();
}
