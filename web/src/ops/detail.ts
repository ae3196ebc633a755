// The detail view of one entity: its state, latest values and open alerts, and the history chart of one metric with
// range presets (1 h, 24 h raw; 7 d, 30 d and long custom ranges as per-bucket means with a min–max band). A station
// shows its alarm levels and the 6-hour forecast band (when the forecast service answers); a camera its live view.
// Live readings of the open metric are appended to a raw chart as they arrive.
import { api, ApiError, serverHas, type Entity, type Forecast, type Observation, type SeriesResult } from '../lib/api';
import { clear, h, svgIcon } from '../lib/dom';
import {
  alarmLevelAt, alarmLevels, aqiCategory, congestionOf, digitsFor, displayName, formatValue, kindOf, UNITS,
} from '../lib/domain';
import { ICONS } from '../lib/icons';
import { has, lang, locale, onLanguageChange, t } from '../lib/i18n';
import { formatAgo, formatDateTime, formatTime, fromLocalInput, toLocalInput } from '../lib/time';
import { TimeChart, type ChartInput, type ChartSeries } from './chart';
import type { State } from './state';

type Range = '1h' | '24h' | '7d' | '30d' | 'custom';
const SPANS: Record<Exclude<Range, 'custom'>, number> = { '1h': 3.6e6, '24h': 8.64e7, '7d': 6.048e8, '30d': 2.592e9 };
const LEVEL_COLOURS = ['#f5c518', '#ff8c1a', '#e5383b'];
const STALE_MS = 30 * 60_000;

/** The bucket for a range: raw up to a day (and a bit), then buckets that keep a chart near 700 points. */
export function intervalFor(spanMs: number): string {
  if (spanMs <= 26 * 3.6e6) return 'raw';
  const candidates: Array<[string, number]> = [['5m', 3e5], ['15m', 9e5], ['1h', 3.6e6], ['3h', 1.08e7], ['6h', 2.16e7], ['1d', 8.64e7]];
  for (const [name, ms] of candidates) if (spanMs / ms <= 800) return name;
  return '1d';
}

export class DetailPanel {
  readonly el: HTMLElement;
  private entity: Entity | null = null;
  private metric = '';
  private range: Range = '24h';
  private custom = { from: 0, to: 0 };
  private chart: TimeChart | null = null;
  private chartNote: HTMLElement | null = null;
  private chartMeta: HTMLElement | null = null;
  private seq = 0;
  private raw = true;
  private forecast: Forecast | null = null;
  private forecastState: 'none' | 'loading' | 'ok' | 'missing' = 'none';
  private snapshotUrl: string | null = null;
  private timers: number[] = [];
  private reloadTimer: number | undefined;

  constructor(private readonly state: State, private readonly onFocus: (id: string) => void) {
    this.el = h('aside', { class: 'detail', attrs: { 'aria-live': 'polite', hidden: '' }, data: { testid: 'detail' } });
    onLanguageChange(() => this.entity && this.render(true));
    state.on('observations', (list) => this.onObservations(list));
    state.on('alert', (a) => {
      if (this.entity && a.entity === this.entity.id) this.renderHeader();
    });
  }

  get openId(): string | null {
    return this.entity?.id ?? null;
  }

  async open(id: string): Promise<void> {
    const e = this.state.entities.get(id);
    if (!e) return;
    this.close(false);
    this.entity = e;
    this.el.hidden = false;
    this.el.dataset.entity = id;
    const kind = kindOf(e.type);
    const known = [...(this.state.latest.get(id)?.keys() ?? [])];
    this.metric = kind.primary && known.includes(kind.primary) ? kind.primary : known.sort()[0] ?? kind.primary ?? '';
    this.render(false);
    // The entity's own metric list (series without a latest value in memory yet).
    try {
      const full = await api.entity(id);
      if (this.entity?.id !== id) return;
      this.entity = { ...e, metrics: full.metrics };
      if (!this.metric && full.metrics?.length) {
        this.metric = full.metrics.includes(kind.primary ?? '') ? kind.primary! : full.metrics[0];
        this.render(false);
      } else {
        this.renderLatest();
      }
    } catch {
      // the list from memory will do
    }
    if (e.type === 'WaterLevelStation') void this.loadForecast();
    if (e.type === 'TrafficCamera') {
      void this.loadSnapshot();
      this.timers.push(window.setInterval(() => void this.loadSnapshot(), 10_000));
    }
    this.timers.push(window.setInterval(() => this.renderHeader(), 30_000));
  }

  close(notify = true): void {
    this.seq++;
    for (const t of this.timers) window.clearInterval(t);
    this.timers = [];
    window.clearTimeout(this.reloadTimer);
    this.reloadTimer = undefined;
    this.chart?.destroy();
    this.chart = null;
    if (this.snapshotUrl) URL.revokeObjectURL(this.snapshotUrl);
    this.snapshotUrl = null;
    this.forecast = null;
    this.forecastState = 'none';
    const wasOpen = this.entity !== null;
    this.entity = null;
    this.el.hidden = true;
    delete this.el.dataset.entity;
    clear(this.el);
    if (notify && wasOpen) this.state.select(null);
  }

  // --- rendering ------------------------------------------------------------------------------------------------

  private headerEl = h('div');
  private latestEl = h('div');
  private alertsEl = h('div');
  private snapshotEl = h('div');

  private render(keepData: boolean): void {
    const e = this.entity!;
    clear(this.el);
    const kind = kindOf(e.type);
    const close = h('button', { class: 'icon-btn detail-close', attrs: { type: 'button', 'aria-label': t('detail.close') }, title: t('detail.close') }, svgIcon([...ICONS.close]));
    close.addEventListener('click', () => this.close());
    const locate = h('button', { class: 'icon-btn', attrs: { type: 'button', 'aria-label': t('alerts.show_on_map') }, title: t('alerts.show_on_map') }, svgIcon([...ICONS.target]));
    locate.addEventListener('click', () => this.onFocus(e.id));
    this.el.append(
      h('header', { class: 'detail-head' },
        h('span', { class: `detail-ico mk-${kind.icon}` }, svgIcon([...ICONS[kind.icon]], 'glyph')),
        h('div', { class: 'detail-title' },
          h('h2', { text: displayName(e, lang()) }),
          h('p', { class: 'detail-sub', text: `${has(`types.${e.type}`) ? t(`types.${e.type}`) : e.type} · ${e.id}` })),
        locate, close),
    );
    this.headerEl = h('div', { class: 'detail-status' });
    this.snapshotEl = h('div', { class: 'snapshot' });
    this.latestEl = h('div', { class: 'detail-latest' });
    this.alertsEl = h('div', { class: 'detail-alerts' });
    this.el.append(this.headerEl);
    if (e.type === 'TrafficCamera') this.el.append(this.snapshotEl);
    this.el.append(this.chartSection(), this.alertsEl, this.latestEl, this.attributes(e));
    this.renderHeader();
    this.renderLatest();
    this.renderSnapshot();
    void this.loadSeries(keepData);
  }

  private renderHeader(): void {
    const e = this.entity;
    if (!e) return;
    clear(this.headerEl);
    const loc = locale();
    const v = (m: string) => this.state.value(e.id, m);
    const chips: HTMLElement[] = [];
    const big = (text: string) => h('span', { class: 'big-value', text });
    switch (e.type) {
      case 'WaterLevelStation': {
        const o = v('water_level_m');
        const level = o ? alarmLevelAt(e, o.value) : null;
        if (o) chips.push(big(formatValue('water_level_m', o.value, loc)));
        chips.push(h('span', { class: `chip lvl-${o ? level ?? 'none' : 'nodata'}`, text: o ? (level === null ? '–' : t(`alarm.${level}`)) : t('legend.nodata') }));
        const levels = alarmLevels(e);
        const list = levels.map((l, i) => (l === null ? null : `${t(`alarm.short${i + 1}`)} ${formatValue('water_level_m', l, loc)}`)).filter(Boolean).join(' · ');
        if (list) chips.push(h('span', { class: 'levels-list', text: `${t('detail.alarm_levels')}: ${list}` }));
        break;
      }
      case 'TrafficCamera': {
        const count = v('vehicle_count');
        const speed = v('avg_speed_kmh') ?? v('mean_speed_kmh');
        if (count) chips.push(big(t('camera.vehicles_per_min', { count: Math.round(count.value).toLocaleString(loc) })));
        if (speed) chips.push(h('span', { class: 'chip', text: t('camera.speed', { speed: speed.value.toFixed(0) }) }));
        const c = congestionOf(e, speed?.value);
        if (c) chips.push(h('span', { class: `chip cg-${c}`, text: t(`legend.${c}`) }));
        break;
      }
      case 'AirQualityStation': {
        const o = v('aqi_vn');
        if (o) {
          const cat = aqiCategory(o.value);
          chips.push(big(`VN_AQI ${Math.round(o.value)}`), h('span', { class: `chip aqi-${cat}`, text: t(`aqi.${cat}`) }));
        } else {
          chips.push(h('span', { class: 'chip nodata', text: t('kpi.aqi_none') }));
        }
        const pm = v('pm25');
        if (pm) chips.push(h('span', { class: 'chip', text: `PM2.5 ${formatValue('pm25', pm.value, loc)}` }));
        break;
      }
      default: {
        const primary = kindOf(e.type).primary;
        const o = primary ? v(primary) : undefined;
        if (o) chips.push(big(`${metricLabel(o.metric)} ${formatValue(o.metric, o.value, loc)}`));
      }
    }
    const seen = this.state.lastSeen(e.id);
    const when = seen
      ? h('p', { class: `detail-when${Date.now() - seen > STALE_MS ? ' stale' : ''}`, text: Date.now() - seen > STALE_MS ? t('detail.stale', { time: formatDateTime(seen) }) : t('detail.last_update', { time: `${formatTime(seen)} (${formatAgo(seen)})` }) })
      : null;
    this.headerEl.append(h('div', { class: 'chips' }, ...chips));
    if (when) this.headerEl.append(when);
    this.renderAlerts();
  }

  private renderAlerts(): void {
    const e = this.entity;
    if (!e) return;
    clear(this.alertsEl);
    const open = this.state.openAlerts().filter((a) => a.entity === e.id);
    if (!open.length) return;
    this.alertsEl.append(
      h('h3', { text: t('detail.open_alerts') }),
      h('ul', null, ...open.map((a) =>
        h('li', { class: `mini-alert sev-${a.severity}` },
          h('span', { class: 'sev-badge', text: t(`severity.${a.severity}`) }),
          h('span', { class: 'mini-msg', text: a.message }),
          h('span', { class: 'state-badge', text: t(`state.${a.state}`) })))),
    );
  }

  private renderLatest(): void {
    const e = this.entity;
    if (!e) return;
    clear(this.latestEl);
    const known = new Map(this.state.latest.get(e.id) ?? []);
    const metrics = [...new Set([...(e.metrics ?? []), ...known.keys()])].sort();
    this.latestEl.append(h('h3', { text: t('detail.latest') }));
    if (!metrics.length) {
      this.latestEl.append(h('p', { class: 'muted', text: t('detail.no_metrics') }));
      return;
    }
    const rows = metrics.map((m) => {
      const o = known.get(m);
      const row = h('tr', { class: m === this.metric ? 'active' : '', data: { metric: m }, attrs: { tabindex: '0' } },
        h('td', { text: metricLabel(m) }),
        h('td', { class: 'num', text: o ? formatValue(m, o.value, locale()) : '–' }),
        h('td', { class: 'muted', text: o ? formatTime(o.time) : '' }));
      const pick = () => {
        if (this.metric === m) return;
        this.metric = m;
        this.render(false);
      };
      row.addEventListener('click', pick);
      row.addEventListener('keydown', (ev) => (ev as KeyboardEvent).key === 'Enter' && pick());
      return row;
    });
    this.latestEl.append(h('table', { class: 'latest-table' },
      h('thead', null, h('tr', null, h('th', { text: t('detail.metric') }), h('th', { text: t('detail.value') }), h('th', { text: t('detail.time') }))),
      h('tbody', null, ...rows)));
  }

  private attributes(e: Entity): HTMLElement {
    const keys = ['river', 'street', 'cross_street', 'direction', 'area', 'site', 'category', 'note'];
    const items = keys.filter((k) => typeof e.attributes?.[k] === 'string').map((k) =>
      h('div', null, h('dt', { text: t(`attrs.${k}`) }), h('dd', { text: String(e.attributes[k]) })));
    return items.length ? h('dl', { class: 'attrs' }, ...items) : h('span');
  }

  private chartSection(): HTMLElement {
    const presets = h('div', { class: 'range-presets', attrs: { role: 'group' } });
    for (const r of ['1h', '24h', '7d', '30d', 'custom'] as Range[]) {
      const b = h('button', { class: r === this.range ? 'active' : '', attrs: { type: 'button' }, data: { range: r }, text: t(`detail.range_${r}`) });
      b.addEventListener('click', () => {
        if (r === 'custom' && !this.custom.to) {
          this.custom = { to: Date.now(), from: Date.now() - SPANS['24h'] * 3 };
        }
        this.range = r;
        this.render(false);
      });
      presets.append(b);
    }
    const section = h('section', { class: 'chart-section' },
      h('div', { class: 'chart-head' }, h('h3', { text: this.metric ? metricLabel(this.metric) : '' }), presets));
    if (this.range === 'custom') {
      const from = h('input', { attrs: { type: 'datetime-local', value: toLocalInput(this.custom.from) } }) as HTMLInputElement;
      const to = h('input', { attrs: { type: 'datetime-local', value: toLocalInput(this.custom.to) } }) as HTMLInputElement;
      const err = h('span', { class: 'form-error' });
      const apply = h('button', { class: 'btn small', attrs: { type: 'submit' }, text: t('detail.apply') });
      const form = h('form', { class: 'custom-range' },
        h('label', null, h('span', { text: t('detail.from') }), from),
        h('label', null, h('span', { text: t('detail.to') }), to), apply, err);
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const f = fromLocalInput(from.value);
        const tt = fromLocalInput(to.value);
        if (f === null || tt === null || f >= tt) {
          err.textContent = t('detail.custom_invalid');
          return;
        }
        this.custom = { from: f, to: tt };
        this.render(false);
      });
      section.append(form);
    }
    this.chart?.destroy();
    this.chart = new TimeChart();
    this.chart.el.dataset.testid = 'chart';
    this.chartNote = h('p', { class: 'chart-note muted', text: t('detail.loading') });
    this.chartMeta = h('p', { class: 'chart-meta muted' });
    section.append(this.chart.el, this.chartNote, this.chartMeta);
    return section;
  }

  private window(): { from: number; to: number } {
    if (this.range === 'custom') return this.custom;
    const to = Date.now();
    return { from: to - SPANS[this.range], to };
  }

  private live(): boolean {
    return this.range !== 'custom';
  }

  // --- data ------------------------------------------------------------------------------------------------------

  private async loadSeries(_keep: boolean): Promise<void> {
    const e = this.entity;
    if (!e || !this.metric || !this.chart) {
      if (this.chartNote) this.chartNote.textContent = t('detail.no_metrics');
      return;
    }
    const seq = ++this.seq;
    const { from, to } = this.window();
    const interval = intervalFor(to - from);
    this.raw = interval === 'raw';
    const base = { metric: this.metric, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    try {
      let series: ChartSeries;
      if (this.raw) {
        const r = await api.series(e.id, { ...base, limit: 100000 });
        series = toSeries(r);
      } else {
        const [avg, min, max] = await Promise.all(
          (['avg', 'min', 'max'] as const).map((agg) => api.series(e.id, { ...base, interval, agg, limit: 100000 })));
        series = toSeries(avg);
        const byTime = (r: SeriesResult) => new Map(r.points.map((p) => [Date.parse(p.time), p.value]));
        const mins = byTime(min), maxs = byTime(max);
        series.min = series.times.map((t, i) => mins.get(t) ?? series.values[i]);
        series.max = series.times.map((t, i) => maxs.get(t) ?? series.values[i]);
      }
      if (seq !== this.seq) return;
      this.draw(series, from, to, interval);
    } catch (err) {
      if (seq !== this.seq) return;
      this.chartNote!.textContent = t('detail.load_failed', { message: err instanceof Error ? err.message : String(err) });
    }
  }

  private draw(series: ChartSeries, from: number, to: number, interval: string): void {
    const e = this.entity!;
    const input: ChartInput = {
      series,
      label: metricLabel(this.metric),
      unit: UNITS[this.metric] ?? '',
      digits: digitsFor(this.metric),
      timeLabel: t('detail.time'),
      minLabel: t('detail.min'),
      maxLabel: t('detail.max'),
      from,
      to,
    };
    if (e.type === 'WaterLevelStation' && this.metric === 'water_level_m') {
      input.levels = alarmLevels(e)
        .map((l, i) => (l === null ? null : { value: l, label: t(`alarm.short${i + 1}`), colour: LEVEL_COLOURS[i] }))
        .filter((x): x is { value: number; label: string; colour: string } => x !== null);
      const f = this.forecast;
      if (f && f.points.length && this.live()) {
        input.forecast = {
          times: f.points.map((p) => Date.parse(p.time)),
          values: f.points.map((p) => p.value),
          lower: f.points.map((p) => p.lower),
          upper: f.points.map((p) => p.upper),
          label: t('detail.forecast'),
          bandLabel: t('detail.forecast_band'),
        };
        input.to = Math.max(to, input.forecast.times[input.forecast.times.length - 1]);
      }
    }
    this.chart!.render(input);
    this.chartNote!.textContent = series.times.length ? '' : t('detail.no_points');
    const notes = [this.raw ? t('detail.raw') : t('detail.aggregated', { interval })];
    if (e.type === 'WaterLevelStation' && this.metric === 'water_level_m') {
      if (this.forecastState === 'missing') notes.push(t('detail.forecast_none'));
    }
    this.chartMeta!.textContent = notes.join(' · ');
    this.chart!.el.dataset.metric = this.metric;
  }

  private async loadForecast(): Promise<void> {
    const e = this.entity;
    if (!e) return;
    this.forecastState = 'loading';
    if (!(await serverHas('/api/v1/flood/stations/{id}/forecast'))) {
      this.forecastState = 'missing';
      if (this.metric === 'water_level_m') void this.loadSeries(true);
      return;
    }
    try {
      const f = await api.forecast(e.id);
      if (this.entity?.id !== e.id) return;
      this.forecast = f && Array.isArray(f.points) ? f : null;
      this.forecastState = this.forecast ? 'ok' : 'missing';
    } catch (err) {
      if (this.entity?.id !== e.id) return;
      // 404 until the forecast service lands (or for a station without one): the chart goes on without it.
      this.forecast = null;
      this.forecastState = 'missing';
      if (!(err instanceof ApiError)) console.warn('forecast', err);
    }
    if (this.metric === 'water_level_m') void this.loadSeries(true);
  }

  private async loadSnapshot(): Promise<void> {
    const e = this.entity;
    if (!e) return;
    // Only a live camera that is connected has a frame: ask for it then (no 404 per refresh otherwise).
    let ready = await serverHas('/api/v1/cameras/{id}/snapshot.jpg');
    if (ready && (await serverHas('/api/v1/cameras/{id}'))) {
      try {
        const cam = await api.camera(e.id);
        ready = cam.live && cam.state === 'connected' && cam.snapshot_url !== null;
      } catch {
        ready = false;
      }
    }
    if (this.entity?.id !== e.id) return;
    if (!ready) {
      if (this.snapshotUrl) URL.revokeObjectURL(this.snapshotUrl);
      this.snapshotUrl = null;
      this.renderSnapshot();
      return;
    }
    try {
      const url = await api.snapshot(e.id);
      if (this.entity?.id !== e.id) {
        URL.revokeObjectURL(url);
        return;
      }
      if (this.snapshotUrl) URL.revokeObjectURL(this.snapshotUrl);
      this.snapshotUrl = url;
    } catch {
      if (this.snapshotUrl) URL.revokeObjectURL(this.snapshotUrl);
      this.snapshotUrl = null;
    }
    this.renderSnapshot();
  }

  private renderSnapshot(): void {
    if (this.entity?.type !== 'TrafficCamera') return;
    clear(this.snapshotEl);
    this.snapshotEl.append(h('h3', { text: t('detail.snapshot') }));
    if (this.snapshotUrl) {
      this.snapshotEl.append(h('img', { attrs: { src: this.snapshotUrl, alt: t('detail.snapshot') } }));
    } else {
      this.snapshotEl.append(h('div', { class: 'snapshot-none' }, svgIcon([...ICONS.camera]), h('span', { text: t('detail.snapshot_none') })));
    }
  }

  private onObservations(list: Observation[]): void {
    const e = this.entity;
    if (!e) return;
    const mine = list.filter((o) => o.entity === e.id);
    if (!mine.length) return;
    this.renderHeader();
    this.renderLatest();
    const points = mine.filter((o) => o.metric === this.metric && o.quality !== 'bad').map((o) => ({ t: Date.parse(o.time), v: o.value }));
    if (!points.length || !this.live() || !this.chart) return;
    if (this.raw) {
      const { from, to } = this.window();
      this.chart.append(points, Math.max(to, ...points.map((p) => p.t)), from);
      this.chartNote!.textContent = '';
    } else if (this.reloadTimer === undefined) {
      // Buckets: fetch again, at most once a minute.
      this.reloadTimer = window.setTimeout(() => {
        this.reloadTimer = undefined;
        void this.loadSeries(true);
      }, 60_000);
    }
  }
}

function toSeries(r: SeriesResult): ChartSeries {
  const pts = r.points.filter((p) => p.quality !== 'bad');
  return { times: pts.map((p) => Date.parse(p.time)), values: pts.map((p) => p.value) };
}

export function metricLabel(metric: string): string {
  return has(`metrics.${metric}`) ? t(`metrics.${metric}`) : metric;
}
