// A time-series chart on uPlot: the series (raw readings, or per-bucket means with a min–max band), a station's
// alarm levels as horizontal lines and its forecast with its band; times on the axis in the city's zone.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { locale } from '../lib/i18n';
import { formatDateTime, formatTick, timeZone } from '../lib/time';

export interface ChartSeries {
  /** ms, ascending */
  times: number[];
  values: number[];
  min?: number[];
  max?: number[];
}

export interface ChartInput {
  series: ChartSeries;
  label: string;
  unit: string;
  digits: number;
  levels?: Array<{ value: number; label: string; colour: string }>;
  forecast?: { times: number[]; values: number[]; lower: number[]; upper: number[]; label: string; bandLabel: string };
  /** The legend's labels of the time column and of the band edges. */
  timeLabel: string;
  minLabel: string;
  maxLabel: string;
  /** The x range shown, ms. */
  from: number;
  to: number;
}

const MAIN = '#4cc9f0';
const FORECAST = '#f7b267';

export class TimeChart {
  readonly el: HTMLElement;
  private plot: uPlot | null = null;
  private resize: ResizeObserver;
  private input: ChartInput | null = null;

  constructor() {
    this.el = document.createElement('div');
    this.el.className = 'chart';
    this.resize = new ResizeObserver(() => {
      if (this.plot) this.plot.setSize(this.size());
    });
    this.resize.observe(this.el);
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(260, this.el.clientWidth || 480), height: 250 };
  }

  render(input: ChartInput): void {
    this.input = input;
    const { data, series, bands } = this.build(input);
    const last = input.series.values.length - 1;
    this.el.dataset.points = String(input.series.values.length);
    this.el.dataset.lastValue = last >= 0 ? String(input.series.values[last]) : '';
    this.el.dataset.lastTime = last >= 0 ? new Date(input.series.times[last]).toISOString() : '';
    const zone = timeZone();
    const opts: uPlot.Options = {
      ...this.size(),
      series,
      bands,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), zone),
      scales: { x: { time: true, range: () => [input.from / 1000, input.to / 1000] } },
      axes: [
        {
          stroke: '#9aa5b1',
          grid: { stroke: '#1f2a36', width: 1 },
          ticks: { stroke: '#2a3846', width: 1 },
          space: 60,
          values: (_u, splits, _ax, _space, incr) => splits.map((v) => formatTick(v * 1000, incr * 1000)),
        },
        {
          stroke: '#9aa5b1',
          grid: { stroke: '#1f2a36', width: 1 },
          ticks: { stroke: '#2a3846', width: 1 },
          size: 56,
          values: (_u, splits) =>
            splits.map((v) => v.toLocaleString(locale(), { maximumFractionDigits: Math.min(input.digits, 2) })),
        },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    this.plot?.destroy();
    this.plot = new uPlot(opts, data, this.el);
    // Legend rows of helper series (band edges) stay out of the way: classes only (the CSP forbids style attributes).
    const rows = this.el.querySelectorAll('.u-legend .u-series');
    series.forEach((s, i) => {
      if (i > 0 && !s.label) rows[i]?.classList.add('legend-hidden');
    });
  }

  /** Appends live readings (ms, value) to a raw series and redraws. */
  append(points: Array<{ t: number; v: number }>, to: number, from: number): void {
    if (!this.input) return;
    const s = this.input.series;
    for (const p of points) {
      const last = s.times.length ? s.times[s.times.length - 1] : -Infinity;
      if (p.t > last) {
        s.times.push(p.t);
        s.values.push(p.v);
      } else if (p.t === last) {
        s.values[s.values.length - 1] = p.v;
      } else {
        const i = s.times.findIndex((t) => t >= p.t);
        if (s.times[i] === p.t) s.values[i] = p.v;
        else {
          s.times.splice(i, 0, p.t);
          s.values.splice(i, 0, p.v);
        }
      }
    }
    while (s.times.length && s.times[0] < from) {
      s.times.shift();
      s.values.shift();
    }
    this.render({ ...this.input, from, to: Math.max(to, this.input.forecast ? this.input.to : to) });
  }

  private build(input: ChartInput): { data: uPlot.AlignedData; series: uPlot.Series[]; bands: uPlot.Band[] } {
    // One x axis for everything: the readings' times and the forecast's.
    const xs = new Set<number>(input.series.times);
    input.forecast?.times.forEach((t) => xs.add(t));
    const times = [...xs].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const column = (ts: number[], vs: number[]) => {
      const out: Array<number | null> = new Array(times.length).fill(null);
      ts.forEach((t, i) => (out[index.get(t)!] = vs[i]));
      return out;
    };
    const loc = locale();
    const num = (v: number) => v.toLocaleString(loc, { minimumFractionDigits: input.digits, maximumFractionDigits: input.digits });
    const fmt = (v: number | null) => (v === null || v === undefined ? '–' : `${num(v)} ${input.unit}`.trim());
    const data: Array<Array<number | null>> = [times.map((t) => t / 1000)];
    const series: uPlot.Series[] = [{ label: input.timeLabel, value: (_u, v) => (v === null || v === undefined ? '–' : formatDateTime(v * 1000)) }];
    const bands: uPlot.Band[] = [];

    data.push(column(input.series.times, input.series.values));
    series.push({ label: input.label, stroke: MAIN, width: 2, spanGaps: false, points: { show: false }, value: (_u, v) => fmt(v) });
    const main = 1;
    if (input.series.min && input.series.max) {
      data.push(column(input.series.times, input.series.max));
      series.push({ label: input.maxLabel, stroke: 'rgba(76,201,240,0.35)', width: 1, points: { show: false }, value: (_u, v) => fmt(v) });
      data.push(column(input.series.times, input.series.min));
      series.push({ label: input.minLabel, stroke: 'rgba(76,201,240,0.35)', width: 1, points: { show: false }, value: (_u, v) => fmt(v) });
      bands.push({ series: [main + 1, main + 2], fill: 'rgba(76,201,240,0.14)' });
    }
    if (input.forecast && input.forecast.times.length) {
      const f = input.forecast;
      // The forecast starts from the last reading, so that the lines join.
      const lastT = input.series.times[input.series.times.length - 1];
      const lastV = input.series.values[input.series.values.length - 1];
      const ft = lastT !== undefined && lastT < f.times[0] ? [lastT, ...f.times] : f.times;
      const pre = (vs: number[]) => (ft.length > f.times.length ? [lastV, ...vs] : vs);
      const at = data.length;
      data.push(column(ft, pre(f.upper)));
      series.push({ label: '', stroke: 'rgba(247,178,103,0.45)', width: 1, points: { show: false }, value: (_u, v) => fmt(v) });
      data.push(column(ft, pre(f.lower)));
      series.push({ label: '', stroke: 'rgba(247,178,103,0.45)', width: 1, points: { show: false }, value: (_u, v) => fmt(v) });
      data.push(column(ft, pre(f.values)));
      series.push({ label: f.label, stroke: FORECAST, width: 2, dash: [6, 4], points: { show: false }, spanGaps: true, value: (_u, v) => fmt(v) });
      bands.push({ series: [at, at + 1], fill: 'rgba(247,178,103,0.16)' });
      for (let i = at; i < at + 3; i++) series[i].spanGaps = true;
    }
    for (const l of input.levels ?? []) {
      data.push(times.length ? times.map(() => l.value) : []);
      series.push({ label: l.label, stroke: l.colour, width: 1.5, dash: [3, 3], points: { show: false }, value: () => fmt(l.value) });
    }
    if (!times.length) {
      // uPlot needs at least the x range to draw the axes.
      data[0] = [input.from / 1000, input.to / 1000];
      for (let i = 1; i < data.length; i++) data[i] = [null, null];
    }
    return { data: data as uPlot.AlignedData, series, bands };
  }
}
