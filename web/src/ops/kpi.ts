// The KPI bar: open alerts by severity, sensors online / stale, the highest alarm level reached now, the worst
// air-quality index, and a slot for overdue citizen dossiers (until that domain lands).
import { clear, h, svgIcon } from '../lib/dom';
import { alarmLevelAt, aqiCategory, displayName, kindOf, SEVERITIES } from '../lib/domain';
import { ICONS, type IconName } from '../lib/icons';
import { lang, onLanguageChange, t } from '../lib/i18n';
import type { State } from './state';

const STALE_MS = 30 * 60_000;

export class KpiBar {
  readonly el: HTMLElement;
  private timer: number | undefined;

  constructor(private readonly state: State, private readonly onPick: (entity: string) => void) {
    this.el = h('section', { class: 'kpis', data: { testid: 'kpis' } });
    const later = () => this.schedule();
    state.on('observations', later);
    state.on('alert', later);
    state.on('alertsReloaded', later);
    state.on('entities', later);
    onLanguageChange(() => this.render());
    window.setInterval(() => this.render(), 30_000);
    this.render();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, 400);
  }

  private card(id: string, icon: IconName, title: string, value: Node | string, sub: Node | string | null, cls = '', pick?: string): HTMLElement {
    const el = h('div', { class: `kpi ${cls}`, data: { kpi: id } },
      h('span', { class: 'kpi-ico' }, svgIcon([...ICONS[icon]])),
      h('div', { class: 'kpi-body' },
        h('span', { class: 'kpi-title', text: title }),
        typeof value === 'string' ? h('span', { class: 'kpi-value', text: value }) : value,
        sub === null ? null : typeof sub === 'string' ? h('span', { class: 'kpi-sub', text: sub }) : sub));
    if (pick) {
      el.classList.add('clickable');
      el.setAttribute('role', 'button');
      el.tabIndex = 0;
      el.addEventListener('click', () => this.onPick(pick));
    }
    return el;
  }

  render(): void {
    const s = this.state;
    clear(this.el);

    // Open alerts by severity.
    const open = s.openAlerts();
    const counts = h('span', { class: 'kpi-value sev-counts' },
      ...SEVERITIES.map((sev) => h('span', { class: `sev-count sev-${sev}`, title: t(`severity.${sev}`), data: { severity: sev } },
        h('span', { class: 'dot' }), String(open.filter((a) => a.severity === sev).length))));
    const worst = open.some((a) => a.severity === 'critical') ? 'critical' : open.some((a) => a.severity === 'major') ? 'major' : '';
    const unacked = open.filter((a) => a.state === 'active').length;
    this.el.append(this.card('alerts', 'bell', t('kpi.alerts'), counts, t('kpi.unacked', { n: unacked }), worst ? `kpi-${worst}` : ''));

    // Sensors: entities of the kinds that report, online when a reading came within 30 minutes.
    let online = 0, stale = 0;
    const now = Date.now();
    for (const e of s.entities.values()) {
      if (!kindOf(e.type).primary && !s.latest.has(e.id)) continue;
      const seen = s.lastSeen(e.id);
      if (seen && now - seen <= STALE_MS) online++;
      else stale++;
    }
    this.el.append(this.card('sensors', 'sensor', t('kpi.sensors'), t('kpi.sensors_value', { online, stale }), null, stale ? 'kpi-warn' : ''));

    // The highest alarm level of the water-level stations now.
    let best: { level: number; id: string; name: string } | null = null;
    for (const e of s.entities.values()) {
      if (e.type !== 'WaterLevelStation') continue;
      const o = s.value(e.id, 'water_level_m');
      if (!o) continue;
      const level = alarmLevelAt(e, o.value);
      if (level === null) continue;
      if (!best || level > best.level) best = { level, id: e.id, name: displayName(e, lang()) };
    }
    this.el.append(best && best.level > 0
      ? this.card('alarm', 'waves', t('kpi.alarm'), t(`alarm.${best.level}`), best.name, `kpi-lvl-${best.level}`, best.id)
      : this.card('alarm', 'waves', t('kpi.alarm'), best ? t('kpi.alarm_none') : t('kpi.no_data'), null, best ? 'kpi-lvl-0' : ''));

    // The worst VN_AQI.
    let aqi: { value: number; id: string; name: string } | null = null;
    for (const e of s.entities.values()) {
      if (e.type !== 'AirQualityStation') continue;
      const o = s.value(e.id, 'aqi_vn');
      if (o && (!aqi || o.value > aqi.value)) aqi = { value: o.value, id: e.id, name: displayName(e, lang()) };
    }
    if (aqi) {
      const cat = aqiCategory(aqi.value);
      this.el.append(this.card('aqi', 'leaf', t('kpi.aqi'), `${Math.round(aqi.value)} · ${t(`aqi.${cat}`)}`, aqi.name, `kpi-aqi-${cat}`, aqi.id));
    } else {
      this.el.append(this.card('aqi', 'leaf', t('kpi.aqi'), t('kpi.aqi_none'), null));
    }

    // Citizen dossiers: a slot until that domain lands.
    this.el.append(this.card('dossiers', 'doc', t('kpi.dossiers'), '—', t('kpi.dossiers_pending'), 'kpi-pending'));
  }
}
