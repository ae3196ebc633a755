// The alerts panel: live over the stream, most severe and newest first, filtered by severity, domain and state;
// acknowledge, resolve and comment where the user's role allows (operators and admins); a new critical alert
// brings a banner and a chime.
import { api, type Alert, type Severity } from '../lib/api';
import { clear, h, svgIcon } from '../lib/dom';
import { DOMAINS, displayName, kindOf, SEVERITIES, severityRank, type Domain } from '../lib/domain';
import { ICONS } from '../lib/icons';
import { lang, onLanguageChange, t } from '../lib/i18n';
import { chime } from '../lib/sound';
import { formatAgo, formatDateTime, formatTime } from '../lib/time';
import type { State } from './state';

const stateOrder = { active: 0, acknowledged: 1, resolved: 2 } as const;

export class AlertsPanel {
  readonly el: HTMLElement;
  private list: HTMLElement;
  private count: HTMLElement;
  private severities = new Set<Severity>(SEVERITIES);
  private domain: Domain | 'all' = 'all';
  private showResolved = false;
  private flash = new Set<number>();
  private forms = new Map<number, 'ack' | 'resolve' | 'comment'>();
  private errors = new Map<number, string>();
  private banner: HTMLElement;
  private renderQueued = false;

  constructor(
    private readonly state: State,
    private readonly onPick: (entity: string) => void,
  ) {
    this.list = h('div', { class: 'alert-list', attrs: { role: 'list' } });
    this.count = h('span', { class: 'count-badge' });
    this.el = h('section', { class: 'alerts-panel', data: { testid: 'alerts' } });
    this.banner = h('div', { class: 'critical-banner', attrs: { role: 'alert', hidden: '' }, data: { testid: 'critical-banner' } });
    state.on('alert', (a) => this.onAlert(a));
    state.on('alertsReloaded', () => this.queueRender());
    state.on('entities', () => this.queueRender());
    onLanguageChange(() => this.build());
    this.build();
    window.setInterval(() => this.queueRender(), 60_000); // the "x min ago" texts
  }

  private build(): void {
    clear(this.el);
    const chips = h('div', { class: 'sev-filter', attrs: { role: 'group' } });
    for (const s of SEVERITIES) {
      const b = h('button', { class: `sev-chip sev-${s}${this.severities.has(s) ? ' on' : ''}`, attrs: { type: 'button', 'aria-pressed': String(this.severities.has(s)) }, data: { severity: s } },
        h('span', { class: 'dot' }), h('span', { text: t(`severity.${s}`) }), h('span', { class: 'n' }));
      b.addEventListener('click', () => {
        if (this.severities.has(s)) this.severities.delete(s);
        else this.severities.add(s);
        b.classList.toggle('on', this.severities.has(s));
        b.setAttribute('aria-pressed', String(this.severities.has(s)));
        this.render();
      });
      chips.append(b);
    }
    const select = h('select', { class: 'domain-filter', attrs: { 'aria-label': t('domain.all') } },
      h('option', { attrs: { value: 'all' }, text: t('domain.all') }),
      ...DOMAINS.map((d) => h('option', { attrs: { value: d }, text: t(`domain.${d}`) }))) as HTMLSelectElement;
    select.value = this.domain;
    select.addEventListener('change', () => {
      this.domain = select.value as Domain | 'all';
      this.render();
    });
    const resolved = h('input', { attrs: { type: 'checkbox', id: 'show-resolved' } }) as HTMLInputElement;
    resolved.checked = this.showResolved;
    resolved.addEventListener('change', () => {
      this.showResolved = resolved.checked;
      this.render();
    });
    this.el.append(
      h('header', { class: 'panel-head' },
        h('h2', null, svgIcon([...ICONS.bell]), h('span', { text: t('alerts.title') })), this.count),
      h('div', { class: 'alert-filters' }, chips,
        h('div', { class: 'filter-row' }, select,
          h('label', { class: 'check' }, resolved, h('span', { text: t('alerts.show_resolved') })))),
    );
    if (!this.state.canAct) this.el.append(h('p', { class: 'read-only muted', text: t('alerts.read_only') }));
    this.el.append(this.list);
    this.render();
    this.renderBanner();
  }

  bannerElement(): HTMLElement {
    return this.banner;
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private onAlert(a: Alert): void {
    const isNewCritical = a.severity === 'critical' && a.state === 'active' && (a.transition === 'raise' || a.transition === 'escalate');
    if (a.transition === 'raise' || a.transition === 'escalate') {
      this.flash.add(a.id);
      window.setTimeout(() => {
        this.flash.delete(a.id);
        this.el.querySelector(`[data-alert-id="${a.id}"]`)?.classList.remove('flash');
      }, 6000);
    }
    if (isNewCritical) {
      this.pendingBanner = a;
      this.renderBanner();
      chime();
    }
    this.queueRender();
  }

  private pendingBanner: Alert | null = null;

  private renderBanner(): void {
    const a = this.pendingBanner;
    clear(this.banner);
    this.banner.hidden = !a;
    if (!a) return;
    const e = this.state.entities.get(a.entity);
    const show = h('button', { class: 'btn small light', attrs: { type: 'button' }, text: t('alerts.show_on_map') });
    show.addEventListener('click', () => {
      this.onPick(a.entity);
      this.dismissBanner();
    });
    const dismiss = h('button', { class: 'icon-btn', attrs: { type: 'button', 'aria-label': t('alerts.dismiss') }, title: t('alerts.dismiss') }, svgIcon([...ICONS.close]));
    dismiss.addEventListener('click', () => this.dismissBanner());
    this.banner.dataset.alertId = String(a.id);
    this.banner.append(
      svgIcon([...ICONS.warning], 'icon banner-ico'),
      h('div', { class: 'banner-text' },
        h('strong', { text: `${t('alerts.new_critical')}: ${e ? displayName(e, lang()) : a.entity}` }),
        h('span', { text: a.message })),
      show, dismiss);
  }

  private dismissBanner(): void {
    this.pendingBanner = null;
    this.renderBanner();
  }

  private visible(a: Alert): boolean {
    if (!this.showResolved && a.state === 'resolved') return false;
    if (!this.severities.has(a.severity)) return false;
    if (this.domain !== 'all') {
      const e = this.state.entities.get(a.entity);
      if ((e ? kindOf(e.type).domain : 'other') !== this.domain) return false;
    }
    return true;
  }

  private render(): void {
    const all = [...this.state.alerts.values()];
    const shown = all
      .filter((a) => this.visible(a))
      .sort((x, y) =>
        stateOrder[x.state] - stateOrder[y.state] ||
        (x.state === 'resolved' ? 0 : severityRank(y.severity) - severityRank(x.severity)) ||
        Date.parse(y.raised_at) - Date.parse(x.raised_at) || y.id - x.id);
    const open = all.filter((a) => a.state !== 'resolved');
    this.count.textContent = String(open.length);
    this.count.classList.toggle('has-critical', open.some((a) => a.severity === 'critical'));
    for (const s of SEVERITIES) {
      const n = this.el.querySelector(`.sev-chip[data-severity="${s}"] .n`);
      if (n) n.textContent = String(open.filter((a) => a.severity === s).length);
    }
    clear(this.list);
    if (!shown.length) {
      this.list.append(h('p', { class: 'empty muted', text: t('alerts.empty') }));
      return;
    }
    for (const a of shown.slice(0, 300)) this.list.append(this.item(a));
    if (shown.length > 300) this.list.append(h('p', { class: 'more muted', text: t('alerts.more', { n: shown.length - 300 }) }));
  }

  private item(a: Alert): HTMLElement {
    const e = this.state.entities.get(a.entity);
    const name = e ? displayName(e, lang()) : a.entity;
    const lastBy = [...(a.history ?? [])].reverse().find((x) => x.by !== 'rule');
    const actions = h('div', { class: 'alert-actions' });
    if (this.state.canAct && a.state !== 'resolved') {
      if (a.state === 'active') actions.append(this.button(a, 'ack', ICONS.check));
      actions.append(this.button(a, 'resolve', ICONS.check), this.button(a, 'comment', ICONS.comment));
    } else if (this.state.canAct) {
      actions.append(this.button(a, 'comment', ICONS.comment));
    }
    const el = h('article',
      {
        class: `alert sev-${a.severity} st-${a.state}${this.flash.has(a.id) ? ' flash' : ''}`,
        attrs: { role: 'listitem', tabindex: '0' },
        data: { alertId: a.id, state: a.state, severity: a.severity, rule: a.rule, entity: a.entity },
      },
      h('div', { class: 'alert-bar' }),
      h('div', { class: 'alert-main' },
        h('header', null,
          h('span', { class: 'sev-badge', text: t(`severity.${a.severity}`) }),
          h('span', { class: 'alert-entity', text: name }),
          h('time', { attrs: { datetime: a.raised_at }, title: formatDateTime(a.raised_at), text: formatTime(a.raised_at) })),
        h('p', { class: 'alert-msg', text: a.message }),
        h('footer', null,
          h('span', { class: 'state-badge', data: { testid: 'state' }, text: t(`state.${a.state}`) }),
          h('span', { class: 'alert-meta muted', text: [formatAgo(a.updated_at), lastBy ? t('alerts.by', { user: lastBy.by }) : ''].filter(Boolean).join(' · ') }),
          actions),
        this.form(a),
        this.errors.has(a.id) ? h('p', { class: 'form-error', text: this.errors.get(a.id)! }) : null));
    el.addEventListener('click', (ev) => {
      if ((ev.target as HTMLElement).closest('button, textarea, form')) return;
      this.onPick(a.entity);
    });
    el.addEventListener('keydown', (ev) => {
      if ((ev as KeyboardEvent).key === 'Enter' && ev.target === el) this.onPick(a.entity);
    });
    return el;
  }

  private button(a: Alert, action: 'ack' | 'resolve' | 'comment', icon: readonly string[]): HTMLElement {
    const b = h('button', { class: `btn small act-${action}`, attrs: { type: 'button' }, data: { action } },
      svgIcon([...icon]), h('span', { text: t(`alerts.${action}`) }));
    b.addEventListener('click', () => {
      if (action === 'ack') {
        void this.run(a, 'ack');
        return;
      }
      this.forms.set(a.id, action);
      this.render();
      (this.el.querySelector(`[data-alert-id="${a.id}"] textarea`) as HTMLTextAreaElement | null)?.focus();
    });
    return b;
  }

  private form(a: Alert): HTMLElement | null {
    const action = this.forms.get(a.id);
    if (!action) return null;
    const text = h('textarea', { attrs: { rows: '2', maxlength: '2000', placeholder: t('alerts.comment_placeholder') } }) as HTMLTextAreaElement;
    const cancel = h('button', { class: 'btn small ghost', attrs: { type: 'button' }, text: t('alerts.cancel') });
    cancel.addEventListener('click', () => {
      this.forms.delete(a.id);
      this.render();
    });
    const form = h('form', { class: 'alert-form', data: { action } }, text,
      h('div', { class: 'form-buttons' }, cancel,
        h('button', { class: 'btn small primary', attrs: { type: 'submit' }, text: action === 'resolve' ? t('alerts.resolve') : t('alerts.send') })));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const comment = text.value.trim();
      if (action === 'comment' && !comment) {
        this.errors.set(a.id, t('alerts.comment_required'));
        this.render();
        return;
      }
      void this.run(a, action, comment || undefined);
    });
    return form;
  }

  private async run(a: Alert, action: 'ack' | 'resolve' | 'comment', comment?: string): Promise<void> {
    this.errors.delete(a.id);
    try {
      const updated = await api.alertAction(a.id, action, comment);
      this.forms.delete(a.id);
      this.state.applyAlert(updated);
    } catch (err) {
      this.errors.set(a.id, t('alerts.failed', { message: err instanceof Error ? err.message : String(err) }));
    }
    this.render();
  }
}
