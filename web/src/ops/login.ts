// The sign-in screen: POST /api/v1/auth/login, the token kept in sessionStorage for this tab.
import { api, ApiError, session, type UiConfig } from '../lib/api';
import { h, svgIcon } from '../lib/dom';
import { ICONS } from '../lib/icons';
import { apply, languageSwitch, t } from '../lib/i18n';
import { unlockAudio } from '../lib/sound';

export function showLogin(root: HTMLElement, cfg: UiConfig, notice: string | null, onDone: () => void): void {
  const user = h('input', { attrs: { name: 'username', autocomplete: 'username', required: '', autocapitalize: 'none', spellcheck: 'false' } }) as HTMLInputElement;
  const pass = h('input', { attrs: { name: 'password', type: 'password', autocomplete: 'current-password', required: '' } }) as HTMLInputElement;
  const error = h('p', { class: 'form-error', attrs: { role: 'alert' }, data: { testid: 'login-error' } });
  if (notice) error.textContent = notice;
  const submit = h('button', { class: 'btn primary wide', attrs: { type: 'submit' }, i18n: 'login.submit' });
  const form = h('form', { class: 'login-form', data: { testid: 'login' } },
    h('label', null, h('span', { i18n: 'login.username' }), user),
    h('label', null, h('span', { i18n: 'login.password' }), pass),
    error, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    unlockAudio(); // the click that logs in also allows the alert chime later
    submit.disabled = true;
    submit.textContent = t('login.busy');
    error.textContent = '';
    try {
      const r = await api.login(user.value.trim(), pass.value);
      session.set(r.token);
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) error.textContent = t('login.failed');
      else if (err instanceof ApiError && err.status === 429) error.textContent = t('login.throttled', { seconds: err.retryAfter || 1 });
      else error.textContent = t('login.error', { message: err instanceof Error ? err.message : String(err) });
      submit.disabled = false;
      submit.textContent = t('login.submit');
      pass.select();
    }
  });
  root.replaceChildren(
    h('div', { class: 'login-screen' },
      h('div', { class: 'login-card' },
        h('div', { class: 'login-top' }, languageSwitch()),
        h('div', { class: 'brand big' }, h('span', { class: 'brand-mark' }, svgIcon([...ICONS.logo])),
          h('div', null, h('span', { class: 'brand-city', text: `${t('app.short')} ${cfg.city}` }), h('span', { class: 'brand-product', i18n: 'app.product' }))),
        h('h1', { i18n: 'login.title' }),
        h('p', { class: 'muted', i18n: 'login.subtitle' }),
        form,
        h('a', { class: 'public-link', attrs: { href: '/public' }, i18n: 'login.public_link' })),
      h('p', { class: 'login-foot muted', text: 'cityops · Apache-2.0' })),
  );
  apply(root);
  user.focus();
}
