// The map's layer switcher and legend: one checkbox per entity type (with its count), the colour keys of the
// stations, cameras and air-quality stations, and a note when the basemap is not available.
import type L from 'leaflet';
import { h, clear, svgIcon } from '../lib/dom';
import { ICONS } from '../lib/icons';
import { kindOf } from '../lib/domain';
import { has, onLanguageChange, t } from '../lib/i18n';
import type { EntityLayers } from './markers';

export class LayerPanel {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private note: HTMLElement;
  private offline = false;

  constructor(
    private readonly layers: EntityLayers,
    private readonly tilesConfigured: boolean,
  ) {
    this.body = h('div', { class: 'layers-body' });
    this.note = h('p', { class: 'layers-note' });
    const toggle = h(
      'button',
      { class: 'layers-toggle', attrs: { type: 'button', 'aria-expanded': 'true' }, data: { i18nTitle: 'layers.title' } },
      svgIcon([...ICONS.layers]),
      h('span', { i18n: 'layers.title', text: t('layers.title') }),
    );
    toggle.addEventListener('click', () => {
      const collapsed = this.el.classList.toggle('collapsed');
      toggle.setAttribute('aria-expanded', String(!collapsed));
    });
    this.el = h('section', { class: 'layers-panel', data: { testid: 'layers' } }, toggle, this.body, this.note);
    onLanguageChange(() => this.render());
  }

  setOffline(): void {
    this.offline = true;
    this.render();
  }

  /** Stops the map from panning/zooming when the panel is used. */
  attach(map: L.Map, container: HTMLElement, leaflet: typeof L): void {
    container.append(this.el);
    leaflet.DomEvent.disableClickPropagation(this.el);
    leaflet.DomEvent.disableScrollPropagation(this.el);
    void map;
  }

  render(): void {
    clear(this.body);
    const list = h('ul', { class: 'layer-list' });
    for (const l of this.layers.types.values()) {
      const id = `layer-${l.type}`;
      const box = h('input', { attrs: { type: 'checkbox', id }, data: { layer: l.type } }) as HTMLInputElement;
      box.checked = l.visible;
      box.addEventListener('change', () => this.layers.setVisible(l.type, box.checked));
      const kind = kindOf(l.type);
      list.append(
        h(
          'li',
          null,
          box,
          h(
            'label',
            { attrs: { for: id } },
            h('span', { class: `layer-ico mk-${kind.icon}` }, svgIcon([...ICONS[kind.icon]], 'glyph')),
            h('span', { class: 'layer-name', text: has(`types.${l.type}`) ? t(`types.${l.type}`) : l.type }),
            h('span', { class: 'layer-count', text: String(l.count) }),
          ),
        ),
      );
    }
    const key = (cls: string, label: string) => h('li', null, h('span', { class: `swatch ${cls}` }), h('span', { text: label }));
    const legend = h(
      'div',
      { class: 'legend' },
      h('h3', { text: t('types.WaterLevelStation') }),
      h('ul', null, key('lvl-0', t('legend.level0')), key('lvl-1', t('legend.level1')), key('lvl-2', t('legend.level2')),
        key('lvl-3', t('legend.level3')), key('nodata', t('legend.nodata'))),
      h('h3', { text: t('types.TrafficCamera') }),
      h('ul', null, key('cg-free', t('legend.free')), key('cg-moderate', t('legend.moderate')),
        key('cg-heavy', t('legend.heavy')), key('cg-congested', t('legend.congested'))),
      h('h3', { text: t('kpi.aqi') }),
      h('ul', { class: 'legend-aqi' }, ...[1, 2, 3, 4, 5, 6].map((c) => key(`aqi-${c}`, t(`aqi.${c}`)))),
      h('ul', null, key('ring sev-critical', t('legend.alert')), key('zone-flood', t('legend.flood_zone')),
        key('stale-key', t('legend.stale'))),
    );
    this.body.append(list, h('details', { class: 'legend-wrap', attrs: { open: '' } }, h('summary', { text: t('layers.legend') }), legend));
    this.note.textContent = this.offline ? t('layers.basemap_offline') : this.tilesConfigured ? '' : t('layers.basemap_none');
    this.note.classList.toggle('warn', this.offline);
  }
}
