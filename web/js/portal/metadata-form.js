// The dataset metadata form (create and edit) with the catalogue's controlled vocabularies: licence, EU themes,
// EU update frequency, visibility. Checks what it can before sending; the API's answer (field + reason) is shown
// next to the field it names.
import { h, replace } from '../common/dom.js';
import { t } from '../common/i18n.js';
import { themeLabel, licenceLabel } from '../catalogue/labels.js';

const LIMITS = { title: 500, description: 100_000, keyword: 100, keywords: 100 };

/** A slug from a title: lower case, accents removed, words joined by '-'. */
export function slugify(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
}

/**
 * options: { mode: 'create' | 'edit', vocabularies, dataset (edit), canChangeVisibility, onSubmit(body) → Promise }.
 * Returns { form, showError(error), values() }.
 */
export function metadataForm({ mode, vocabularies, dataset, canChangeVisibility, onSubmit }) {
  const v = dataset ?? {};
  const field = (name, label, control, hint) => {
    const message = h('p', { class: 'fr-message fr-message--error', id: `${name}-error`, hidden: true });
    // The error goes as soon as the person edits the field: a fixed field never keeps its old complaint.
    control.addEventListener('input', () => { message.hidden = true; message.textContent = ''; group.classList.remove('fr-input-group--error'); });
    const group = h('div', { class: 'fr-input-group', dataset: { field: name } },
      h('label', { class: 'fr-label', for: `meta-${name}` }, label, hint ? h('span', { class: 'fr-hint-text' }, hint) : null),
      control, message);
    return group;
  };
  const input = (name, value, attrs = {}) => h('input', { class: 'fr-input', id: `meta-${name}`, name, value: value ?? '', ...attrs });

  const title = input('title', v.title, { maxlength: String(LIMITS.title + 1), required: true, 'aria-describedby': 'title-error' });
  const id = mode === 'create' ? input('id', '', { maxlength: '100', pattern: '[a-z0-9][a-z0-9-]{1,99}', required: true, 'aria-describedby': 'id-error' }) : null;
  let idTouched = false;
  if (id) {
    id.addEventListener('input', () => { idTouched = true; });
    title.addEventListener('input', () => { if (!idTouched) id.value = slugify(title.value); });
  }
  const description = h('textarea', { class: 'fr-input', id: 'meta-description', name: 'description', rows: '6', 'aria-describedby': 'description-error' }, v.description?.markdown ?? '');
  const licence = h('select', { class: 'fr-select', id: 'meta-licence', name: 'licence' },
    vocabularies.licences.map((l) => h('option', { value: l.id, selected: (v.licence?.id ?? 'etalab-2.0') === l.id }, licenceLabel(l.id))));
  const frequency = h('select', { class: 'fr-select', id: 'meta-updateFrequency', name: 'updateFrequency' },
    h('option', { value: '' }, t('portal.form.noFrequency')),
    vocabularies.frequencies.map((f) => h('option', { value: f, selected: v.updateFrequency?.code === f }, t(`catalogue.frequencies.${f}`))));
  const keywords = input('keywords', (v.keywords ?? []).join(', '), { 'aria-describedby': 'keywords-error' });
  const contactName = input('contactName', v.contact?.name, { maxlength: '200', autocomplete: 'name' });
  const contactEmail = input('contactEmail', v.contact?.email, { type: 'email', maxlength: '320', autocomplete: 'email', 'aria-describedby': 'contactEmail-error' });
  const landingPage = input('landingPage', v.landingPage, { type: 'url', maxlength: '2000', 'aria-describedby': 'landingPage-error' });
  const themes = new Set((v.themes ?? []).map((th) => th.code));
  const themeBoxes = h('fieldset', { class: 'fr-fieldset', id: 'meta-themes', 'aria-labelledby': 'themes-legend' },
    h('legend', { class: 'fr-fieldset__legend fr-text--regular', id: 'themes-legend' }, t('portal.form.themes')),
    vocabularies.themes.map((code) => h('div', { class: 'fr-fieldset__element fr-fieldset__element--inline' },
      h('div', { class: 'fr-checkbox-group fr-checkbox-group--sm' },
        h('input', { type: 'checkbox', id: `theme-${code}`, name: 'themes', value: code, checked: themes.has(code) }),
        h('label', { class: 'fr-label', for: `theme-${code}` }, themeLabel(code))))));
  const visibility = h('fieldset', { class: 'fr-fieldset', id: 'meta-visibility', 'aria-labelledby': 'visibility-legend', disabled: !canChangeVisibility },
    h('legend', { class: 'fr-fieldset__legend fr-text--regular', id: 'visibility-legend' }, t('portal.form.visibility'),
      canChangeVisibility ? null : h('span', { class: 'fr-hint-text' }, t('portal.form.visibilityAdminsOnly'))),
    vocabularies.visibilities.map((vis) => h('div', { class: 'fr-fieldset__element' },
      h('div', { class: 'fr-radio-group' },
        h('input', { type: 'radio', id: `visibility-${vis}`, name: 'visibility', value: vis, checked: (v.visibility ?? 'private') === vis }),
        h('label', { class: 'fr-label', for: `visibility-${vis}` }, t(`catalogue.visibility.${vis}`),
          h('span', { class: 'fr-hint-text' }, t(`portal.form.visibilityHint.${vis}`)))))));
  const formMessage = h('div', { id: 'meta-form-message', 'aria-live': 'assertive' });
  const submit = h('button', { class: 'fr-btn', type: 'submit', id: 'meta-submit' }, t(mode === 'create' ? 'portal.form.create' : 'portal.form.save'));

  const fields = { title, id, description, keywords, contactEmail, landingPage };
  const clearErrors = () => {
    for (const node of form.querySelectorAll('.fr-input-group--error')) node.classList.remove('fr-input-group--error');
    for (const node of form.querySelectorAll('.fr-message--error[id$="-error"]')) { node.hidden = true; node.textContent = ''; }
    replace(formMessage);
  };
  const fieldError = (name, text) => {
    const message = form.querySelector(`#${CSS.escape(name)}-error`);
    if (!message) return false;
    message.textContent = text;
    message.hidden = false;
    message.closest('.fr-input-group')?.classList.add('fr-input-group--error');
    fields[name]?.focus();
    return true;
  };

  const values = () => {
    const body = {
      title: title.value.trim(),
      description: description.value,
      licence: licence.value,
      themes: [...themeBoxes.querySelectorAll('input:checked')].map((c) => c.value),
      keywords: keywords.value.split(',').map((k) => k.trim()).filter(Boolean),
      updateFrequency: frequency.value || null,
      contact: contactName.value.trim() || contactEmail.value.trim() ? { name: contactName.value.trim() || null, email: contactEmail.value.trim() || null } : null,
      landingPage: landingPage.value.trim() || null,
    };
    if (canChangeVisibility) body.visibility = visibility.querySelector('input:checked')?.value ?? 'private';
    if (id) body.id = id.value.trim();
    return body;
  };

  const check = (body) => {
    if (!body.title) return ['title', t('portal.form.errors.titleRequired')];
    if (body.title.length > LIMITS.title) return ['title', t('portal.form.errors.titleTooLong', { max: LIMITS.title, length: body.title.length })];
    if (id && !/^[a-z0-9][a-z0-9-]{1,99}$/.test(body.id)) return ['id', t('portal.form.errors.id')];
    if (body.description.length > LIMITS.description) return ['description', t('portal.form.errors.descriptionTooLong', { max: LIMITS.description, length: body.description.length })];
    if (body.keywords.length > LIMITS.keywords || body.keywords.some((k) => k.length > LIMITS.keyword)) return ['keywords', t('portal.form.errors.keywords')];
    if (body.contact?.email && !body.contact.email.includes('@')) return ['contactEmail', t('portal.form.errors.email')];
    if (body.landingPage && !/^https?:\/\/\S+$/i.test(body.landingPage)) return ['landingPage', t('portal.form.errors.url')];
    return null;
  };

  /** Shows an API error next to its field when it names one, else above the button. */
  const showError = (error) => {
    const name = { 'contact.email': 'contactEmail' }[error.field] ?? error.field ?? (error.code === 'dataset_exists' ? 'id' : null);
    if (name && fieldError(name, error.message)) return;
    replace(formMessage, h('div', { class: 'fr-alert fr-alert--error fr-alert--sm fr-mb-2w', role: 'alert' }, h('p', {}, error.message)));
  };

  const form = h('form', { id: 'metadata-form', novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    clearErrors();
    const body = values();
    const problem = check(body);
    if (problem) { fieldError(...problem); return; }
    submit.disabled = true;
    try { await onSubmit(body); } catch (error) { showError(error); } finally { submit.disabled = false; }
  } },
  field('title', t('portal.form.title'), title),
  id ? field('id', t('portal.form.id'), id, t('portal.form.idHint')) : null,
  field('description', t('portal.form.description'), description, t('portal.form.descriptionHint')),
  h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'meta-licence' }, t('portal.form.licence')), licence),
  themeBoxes,
  field('keywords', t('portal.form.keywords'), keywords, t('portal.form.keywordsHint')),
  h('div', { class: 'fr-select-group' }, h('label', { class: 'fr-label', for: 'meta-updateFrequency' }, t('portal.form.frequency')), frequency),
  field('contactName', t('portal.form.contactName'), contactName),
  field('contactEmail', t('portal.form.contactEmail'), contactEmail),
  field('landingPage', t('portal.form.landingPage'), landingPage, t('portal.form.landingPageHint')),
  visibility,
  formMessage,
  submit);
  return { form, showError, values };
}
