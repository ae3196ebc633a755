// What the dashboard holds in memory: the entities, the latest value of every series, the alerts, and who is
// logged in. Fed by the initial loads and the live stream; components listen for changes.
import type { Alert, Entity, Me, Observation } from '../lib/api';
import { severityRank } from '../lib/domain';

type Events = {
  observations: Observation[];
  alert: Alert;
  alertsReloaded: void;
  entities: void;
  select: string | null;
};

export class State {
  entities = new Map<string, Entity>();
  /** entity -> metric -> latest observation */
  latest = new Map<string, Map<string, Observation>>();
  alerts = new Map<number, Alert>();
  selected: string | null = null;
  private listeners = new Map<keyof Events, Array<(v: any) => void>>();

  constructor(readonly me: Me) {}

  get canAct(): boolean {
    return this.me.role === 'admin' || this.me.role === 'operator';
  }

  on<K extends keyof Events>(event: K, cb: (v: Events[K]) => void): void {
    const list = this.listeners.get(event) ?? [];
    list.push(cb);
    this.listeners.set(event, list);
  }

  emit<K extends keyof Events>(event: K, v: Events[K]): void {
    for (const cb of this.listeners.get(event) ?? []) cb(v);
  }

  setEntities(list: Entity[]): void {
    this.entities.clear();
    for (const e of list) this.entities.set(e.id, e);
    this.emit('entities', undefined);
  }

  /** Keeps the newest observation per series; returns those that changed something. */
  applyObservations(list: Observation[], notify = true): Observation[] {
    const changed: Observation[] = [];
    for (const o of list) {
      let m = this.latest.get(o.entity);
      if (!m) this.latest.set(o.entity, (m = new Map()));
      const prev = m.get(o.metric);
      if (!prev || Date.parse(prev.time) <= Date.parse(o.time)) {
        m.set(o.metric, o);
        changed.push(o);
      }
    }
    if (notify && changed.length) this.emit('observations', changed);
    return changed;
  }

  value(entity: string, metric: string): Observation | undefined {
    return this.latest.get(entity)?.get(metric);
  }

  /** The newest reading of any metric of the entity (ms), 0 without any. */
  lastSeen(entity: string): number {
    let t = 0;
    for (const o of this.latest.get(entity)?.values() ?? []) t = Math.max(t, Date.parse(o.time));
    return t;
  }

  setAlerts(list: Alert[]): void {
    this.alerts.clear();
    for (const a of list) this.alerts.set(a.id, a);
    this.emit('alertsReloaded', undefined);
  }

  applyAlert(a: Alert): void {
    const prev = this.alerts.get(a.id);
    // Frames arrive in commit order; a reload may race with them: keep the later update.
    if (prev && Date.parse(prev.updated_at) > Date.parse(a.updated_at)) return;
    this.alerts.set(a.id, { ...prev, ...a });
    this.emit('alert', a);
  }

  openAlerts(): Alert[] {
    return [...this.alerts.values()].filter((a) => a.state !== 'resolved');
  }

  /** The most severe open alert of each entity. */
  worstOpenAlertByEntity(): Map<string, Alert> {
    const out = new Map<string, Alert>();
    for (const a of this.alerts.values()) {
      if (a.state === 'resolved') continue;
      const cur = out.get(a.entity);
      if (!cur || severityRank(a.severity) > severityRank(cur.severity)) out.set(a.entity, a);
    }
    return out;
  }

  select(id: string | null): void {
    this.selected = id;
    this.emit('select', id);
  }
}
