// A dataset's versions for its members: status, rows, the validation report (errors by row and column, the inferred
// schema — correctable by sending the file again with a corrected schema), publish, roll back, compare two versions.
import { api } from '../common/api.js';
import { h, replace, alertBox, dataTable } from '../common/dom.js';
import { t, hasKey, formatNumber, formatDateTime, formatBytes, formatNumber as n } from '../common/i18n.js';

const TYPES = ['text', 'integer', 'number', 'boolean', 'date', 'datetime', 'geometry'];
const TABLE_SCHEMA_TYPE = { text: 'string', geometry: 'geojson' };
const STATUS_BADGE = { ready: 'fr-badge--info', published: 'fr-badge--success', superseded: '', failed: 'fr-badge--error', queued: 'fr-badge--new', processing: 'fr-badge--new' };

/** What the reader found out about the file (encoding, delimiter, coordinate system…), in words; its internals left out. */
function detected(found) {
  const said = Object.entries(found ?? {})
    .filter(([key, value]) => value != null && value !== '' && hasKey(`portal.report.detectedKeys.${key}`))
    .map(([key, value]) => t(`portal.report.detectedKeys.${key}`, { value: String(value) }));
  return said.length ? said.join(' ; ') : null;
}

const table = (id, caption, head, rows, hideCaption = false) => dataTable({ id, caption, head, rows, hideCaption });

/**
 * panel: the element to draw into; canEdit: editor or admin; onChange(): the dataset changed (published / rolled back);
 * resend(file, tableSchema): sends a file again (from the upload panel). Returns { refresh(showNumber, file) }.
 */
export function versionsPanel(panel, datasetId, { canEdit, onChange, resend }) {
  const base = `/api/v1/datasets/${encodeURIComponent(datasetId)}`;
  const report = h('div', { id: 'version-report', tabindex: '-1' });
  const compare = h('div', { id: 'version-compare' });
  const list = h('div', { id: 'versions-list' });
  const message = h('div', { id: 'versions-message', 'aria-live': 'polite' });
  replace(panel, message, list, report, compare);
  let versions = [];
  const files = new Map();

  let shown = null;
  async function refresh(showNumber, file) {
    if (file && showNumber) files.set(showNumber, file);
    versions = await api(`${base}/versions`);
    drawList();
    drawCompare();
    // The report on screen follows the version's new state (a published version has no "publish" button any more).
    const number = showNumber ?? shown;
    if (number) showReport(versions.find((v) => v.number === number), Boolean(showNumber));
  }

  function drawList() {
    if (versions.length === 0) { replace(list, h('p', { class: 'sr-muted' }, t('portal.versions.none'))); return; }
    replace(list, table('versions-table', t('portal.versions.caption'),
      ['number', 'status', 'file', 'rows', 'date', 'actions'].map((c) => t(`portal.versions.col.${c}`)),
      versions.slice().reverse().map((v) => h('tr', { dataset: { version: v.number, status: v.status } },
        h('td', {}, String(v.number)),
        h('td', {}, h('p', { class: `fr-badge fr-badge--sm ${STATUS_BADGE[v.status] ?? ''}` }, v.current ? t('catalogue.versions.current') : t(`portal.status.${v.status}`))),
        h('td', { class: 'fr-cell--multiline sr-file-cell' }, v.fileName ?? '—', v.byteCount ? h('span', { class: 'sr-muted' }, ` (${formatBytes(v.byteCount)})`) : null),
        h('td', { class: 'sr-num' }, v.rowCount != null ? formatNumber(v.rowCount) : '—'),
        h('td', {}, formatDateTime(v.publishedAt ?? v.processedAt ?? v.createdAt)),
        h('td', {}, h('ul', { class: 'fr-btns-group fr-btns-group--sm sr-row-actions' },
          v.report || v.error ? h('li', {}, h('button', { type: 'button', class: 'fr-btn fr-btn--tertiary', onclick: () => showReport(v) },
            t('portal.versions.report', { version: v.number }))) : null,
          canEdit && v.status === 'ready' ? h('li', {}, publishButton(v)) : null,
          canEdit && v.status === 'superseded' ? h('li', {}, h('button', { type: 'button', class: 'fr-btn fr-btn--secondary',
            onclick: (e) => act(e.currentTarget, `${base}/rollback`, { version: v.number }, 'portal.versions.rolledBack', v.number) },
          t('portal.versions.rollback', { version: v.number }))) : null))))));
  }

  function publishButton(v) {
    return h('button', { type: 'button', class: 'fr-btn', dataset: { publish: v.number },
      onclick: (e) => act(e.currentTarget, `${base}/versions/${v.number}/publish`, undefined, 'portal.versions.published', v.number) },
    t('portal.versions.publish', { version: v.number }));
  }

  // A second click while the first is on its way does nothing; a 409 "already current" from a click made in another
  // tab is the same outcome and is not an error for the person.
  async function act(button, url, body, doneKey, number) {
    if (button.dataset.busy) return;
    button.dataset.busy = '1';
    button.disabled = true;
    let outcome = null;
    try {
      await api(url, { method: 'POST', body });
      outcome = alertBox('success', null, t(doneKey, { version: number }));
    } catch (error) {
      if (error.code !== 'already_current') outcome = alertBox('error', t('common.error'), error.message);
    }
    // The page is brought up to date first, then the outcome is said: what the person reads matches the screen.
    await refresh();
    await onChange?.();
    if (outcome) replace(message, outcome);
  }

  function showReport(v, focus = true) {
    if (!v) return;
    shown = v.number;
    const r = v.report;
    const schema = v.schema?.fields ?? r?.fields ?? [];
    const file = files.get(v.number);
    const selects = new Map();
    replace(report,
      h('h3', { class: 'fr-mt-4w', id: 'report-title' }, t('portal.report.title', { version: v.number })),
      v.status === 'failed' ? alertBox('error', t('portal.report.failed'), v.error ?? '') : null,
      r ? h('ul', { id: 'report-summary' },
        h('li', {}, t('portal.report.read', { count: r.rowsRead })),
        h('li', {}, t('portal.report.loaded', { count: r.rowsLoaded })),
        h('li', {}, t('portal.report.rejected', { count: r.rowsRejected })),
        detected(r.detected) ? h('li', {}, t('portal.report.detected', { detected: detected(r.detected) })) : null) : null,
      r && r.errors.length ? table('report-errors', t('portal.report.errorsCaption', { count: r.errorCount }),
        ['row', 'column', 'message', 'value'].map((c) => t(`portal.report.col.${c}`)),
        r.errors.map((e) => h('tr', {}, h('td', { class: 'sr-num' }, n(e.row)), h('td', {}, e.column ?? '—'), h('td', { class: 'fr-cell--multiline' }, e.message), h('td', {}, h('code', {}, e.value ?? ''))))) : null,
      r?.errorsTruncated ? h('p', { class: 'sr-muted' }, t('portal.report.truncated', { shown: r.errors.length, count: r.errorCount })) : null,
      schema.length ? h('h4', { class: 'fr-mt-3w' }, t('portal.report.schema')) : null,
      schema.length ? table('report-schema', t('portal.report.schemaCaption'),
        ['field', 'type', 'confidence'].map((c) => t(`portal.report.col.${c}`)),
        schema.map((f) => {
          const select = h('select', { class: 'fr-select', id: `schema-${f.column ?? f.name}`, 'aria-label': t('portal.report.typeOf', { field: f.name }), disabled: !canEdit },
            TYPES.map((ty) => h('option', { value: ty, selected: ty === f.type }, t(`portal.types.${ty}`))));
          selects.set(f.name, select);
          return h('tr', {}, h('td', {}, h('code', {}, f.name)), h('td', {}, select),
            h('td', { class: 'sr-num' }, f.confidence != null ? formatNumber(f.confidence, { style: 'percent' }) : '—'));
        }), true) : null,
      canEdit && schema.length ? h('div', { class: 'fr-mt-2w' },
        file ? h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', id: 'schema-resend', onclick: () => {
          const tableSchema = { fields: schema.map((f) => ({ name: f.name, type: TABLE_SCHEMA_TYPE[selects.get(f.name).value] ?? selects.get(f.name).value })) };
          resend(file, tableSchema);
        } }, t('portal.report.resend', { name: file.name }))
          : h('p', { class: 'fr-hint-text' }, t('portal.report.resendNeedsFile'))) : null,
      canEdit && v.status === 'ready' ? h('div', { class: 'fr-mt-3w' }, publishButton(v)) : null);
    if (focus) report.focus();
  }

  // The versions chosen for comparison survive a redraw of the panel (a publish or an upload finishing meanwhile).
  const chosen = { a: null, b: null };
  function drawCompare() {
    const comparable = versions.filter((v) => v.schema || v.rowCount != null);
    if (comparable.length < 2) { replace(compare); return; }
    const has = (n) => comparable.some((v) => v.number === n);
    const pick = (id, side, label, fallback) => h('div', { class: 'fr-select-group' },
      h('label', { class: 'fr-label', for: id }, label),
      h('select', { class: 'fr-select', id, onchange: (e) => { chosen[side] = Number(e.target.value); } },
        comparable.map((v) => h('option', { value: v.number, selected: v.number === (has(chosen[side]) ? chosen[side] : fallback) }, t('portal.compare.option', { version: v.number })))));
    const a = pick('compare-a', 'a', t('portal.compare.from'), comparable[comparable.length - 2].number);
    const b = pick('compare-b', 'b', t('portal.compare.to'), comparable[comparable.length - 1].number);
    const out = h('div', { id: 'compare-result' });
    const run = () => {
      const va = versions.find((v) => v.number === Number(a.querySelector('select').value));
      const vb = versions.find((v) => v.number === Number(b.querySelector('select').value));
      const fa = new Map((va.schema?.fields ?? []).map((f) => [f.name, f.type]));
      const fb = new Map((vb.schema?.fields ?? []).map((f) => [f.name, f.type]));
      const names = [...new Set([...fa.keys(), ...fb.keys()])];
      const change = (name) => (!fa.has(name) ? 'added' : !fb.has(name) ? 'removed' : fa.get(name) !== fb.get(name) ? 'retyped' : 'same');
      const delta = (vb.rowCount ?? 0) - (va.rowCount ?? 0);
      replace(out,
        h('p', { id: 'compare-rows' }, t('portal.compare.rows', { a: va.number, b: vb.number, rowsA: formatNumber(va.rowCount ?? 0), rowsB: formatNumber(vb.rowCount ?? 0),
          delta: `${delta > 0 ? '+' : ''}${formatNumber(delta)}` })),
        table('compare-fields', t('portal.compare.caption', { a: va.number, b: vb.number }),
          [t('portal.report.col.field'), t('portal.compare.typeIn', { version: va.number }), t('portal.compare.typeIn', { version: vb.number }), t('portal.compare.change')],
          names.map((name) => { const c = change(name); return h('tr', { dataset: { change: c } },
            h('td', {}, h('code', {}, name)), h('td', {}, fa.has(name) ? t(`portal.types.${fa.get(name)}`) : '—'),
            h('td', {}, fb.has(name) ? t(`portal.types.${fb.get(name)}`) : '—'),
            h('td', {}, h('p', { class: `fr-badge fr-badge--sm ${c === 'same' ? '' : 'fr-badge--warning'}` }, t(`portal.compare.changes.${c}`)))); })));
    };
    replace(compare, h('h3', { class: 'fr-mt-4w' }, t('portal.compare.title')),
      h('div', { class: 'fr-grid-row fr-grid-row--gutters' }, h('div', { class: 'fr-col-12 fr-col-md-4' }, a), h('div', { class: 'fr-col-12 fr-col-md-4' }, b),
        h('div', { class: 'fr-col-12 fr-col-md-4 sr-align-end' }, h('button', { type: 'button', class: 'fr-btn fr-btn--secondary', id: 'compare-run', onclick: run }, t('portal.compare.run')))),
      out);
  }

  return { refresh };
}
