// Sharing a dataset with other organisations (org admins): grants with a purpose, an expiry, and optionally only
// some fields and rows; revoking. Grants apply to restricted datasets.
import { api } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, formatDate } from '../common/i18n.js';

export function sharingPanel(panel, dataset, { names, fields }) {
  const base = `/api/v1/datasets/${encodeURIComponent(dataset.id)}`;
  const list = h('div', { id: 'grants-list' });
  const message = h('div', { id: 'grants-message', 'aria-live': 'polite' });
  const others = [...names.values()].filter((o) => o.id !== dataset.publisher.id).sort((a, b) => a.name.localeCompare(b.name));

  const org = h('select', { class: 'fr-select', id: 'grant-org', required: true },
    h('option', { value: '' }, t('portal.sharing.chooseOrg')), others.map((o) => h('option', { value: o.id }, o.name)));
  const purpose = h('input', { class: 'fr-input', id: 'grant-purpose', maxlength: '501', required: true });
  const inAYear = new Date(Date.now() + 365 * 864e5).toISOString().slice(0, 10);
  const expires = h('input', { class: 'fr-input', type: 'date', id: 'grant-expires', value: inAYear, required: true });
  const fieldBoxes = fields.map((f) => h('div', { class: 'fr-fieldset__element fr-fieldset__element--inline' },
    h('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
      h('input', { type: 'checkbox', id: `grant-field-${f}`, value: f }), h('label', { class: 'fr-label', for: `grant-field-${f}` }, f))));
  const filterField = h('select', { class: 'fr-select', id: 'grant-filter-field' }, h('option', { value: '' }, t('portal.sharing.noFilter')), fields.map((f) => h('option', { value: f }, f)));
  const filterValue = h('input', { class: 'fr-input', id: 'grant-filter-value', maxlength: '200' });
  const formError = h('div', { id: 'grant-error', 'aria-live': 'assertive' });

  const form = h('form', { id: 'grant-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    replace(formError);
    const error = (text, control) => { replace(formError, h('p', { class: 'fr-message fr-message--error' }, text)); control.focus(); };
    if (!org.value) return error(t('portal.sharing.errors.org'), org);
    if (!purpose.value.trim()) return error(t('portal.sharing.errors.purpose'), purpose);
    if (purpose.value.length > 500) return error(t('portal.sharing.errors.purposeTooLong'), purpose);
    if (!expires.value || new Date(`${expires.value}T23:59:59`) <= new Date()) return error(t('portal.sharing.errors.expiry'), expires);
    if (filterField.value && !filterValue.value.trim()) return error(t('portal.sharing.errors.filterValue'), filterValue);
    const chosen = fieldBoxes.map((b) => b.querySelector('input')).filter((c) => c.checked).map((c) => c.value);
    const submit = form.querySelector('button[type=submit]');
    submit.disabled = true;
    try {
      await api(`${base}/grants`, { method: 'POST', body: {
        organisation: org.value, purpose: purpose.value.trim(), expiresAt: `${expires.value}T23:59:59Z`,
        fields: chosen.length ? chosen : null,
        rowFilter: filterField.value ? { [filterField.value]: filterValue.value.trim() } : null,
      } });
      replace(message, alertBox('success', null, t('portal.sharing.granted', { org: names.get(org.value)?.name ?? org.value })));
      form.reset();
      expires.value = inAYear;
      await refresh();
    } catch (e) {
      error(e.message, org);
    } finally {
      submit.disabled = false;
    }
  } },
  h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'grant-org' }, t('portal.sharing.org')), org),
  h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'grant-purpose' }, t('portal.sharing.purpose'),
    h('span', { class: 'fr-hint-text' }, t('portal.sharing.purposeHint'))), purpose),
  h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'grant-expires' }, t('portal.sharing.expires')), expires),
  fields.length ? h('fieldset', { class: 'fr-fieldset', 'aria-labelledby': 'grant-fields-legend' },
    h('legend', { class: 'fr-fieldset__legend fr-text--regular', id: 'grant-fields-legend' }, t('portal.sharing.fields'),
      h('span', { class: 'fr-hint-text' }, t('portal.sharing.fieldsHint'))), fieldBoxes) : null,
  fields.length ? h('div', { class: 'fr-grid-row fr-grid-row--gutters' },
    h('div', { class: 'fr-col-12 fr-col-md-6' }, h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'grant-filter-field' }, t('portal.sharing.filterField')), filterField)),
    h('div', { class: 'fr-col-12 fr-col-md-6' }, h('div', { class: 'fr-input-group' }, h('label', { class: 'fr-label', for: 'grant-filter-value' }, t('portal.sharing.filterValue')), filterValue))) : null,
  formError,
  h('button', { type: 'submit', class: 'fr-btn fr-mt-2w', id: 'grant-submit' }, t('portal.sharing.submit')));

  replace(panel,
    dataset.visibility !== 'restricted' ? alertBox('info', null, t('portal.sharing.onlyRestricted', { visibility: t(`catalogue.visibility.${dataset.visibility}`) })) : null,
    message, list, h('h3', { class: 'fr-mt-4w' }, t('portal.sharing.newGrant')), form);

  async function refresh() {
    const grants = await api(`${base}/grants`);
    if (grants.length === 0) { replace(list, h('p', { class: 'sr-muted' }, t('portal.sharing.none'))); return; }
    replace(list, dataTable({ id: 'grants-table', caption: t('portal.sharing.caption'), hideCaption: true,
        head: ['org', 'purpose', 'expires', 'fields', 'rows', 'state', 'actions'].map((c) => t(`portal.sharing.col.${c}`)),
        rows: grants.map((g) => h('tr', { dataset: { grant: g.id } },
          h('td', {}, names.get(g.organisation)?.name ?? g.organisation),
          h('td', {}, g.purpose),
          h('td', {}, formatDate(g.expiresAt)),
          h('td', {}, g.fields?.length ? g.fields.join(', ') : t('portal.sharing.allFields')),
          h('td', {}, g.rowFilter ? Object.entries(g.rowFilter).map(([k, v]) => `${k} = ${v}`).join(' ; ') : t('portal.sharing.allRows')),
          h('td', {}, h('p', { class: `fr-badge fr-badge--sm ${g.active ? 'fr-badge--success' : ''}` }, t(g.active ? 'portal.sharing.active' : g.revokedAt ? 'portal.sharing.revoked' : 'portal.sharing.expired'))),
          h('td', {}, g.active ? h('button', { type: 'button', class: 'fr-btn fr-btn--sm fr-btn--tertiary', dataset: { revoke: g.id },
            onclick: async (e) => {
              e.currentTarget.disabled = true;
              try {
                await api(`${base}/grants/${g.id}`, { method: 'DELETE' });
                replace(message, alertBox('success', null, t('portal.sharing.revokedDone', { org: names.get(g.organisation)?.name ?? g.organisation })));
              } catch (err) { replace(message, alertBox('error', t('common.error'), err.message)); }
              await refresh();
            } }, t('portal.sharing.revoke')) : null))) }));
  }
  refresh().catch((e) => replace(list, alertBox('error', t('common.error'), e.message)));
}
