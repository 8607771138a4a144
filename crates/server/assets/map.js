// Electricity-carbon map: China -> province -> park (its outline and its enterprises at
// their sites) -> enterprise -> meter, with a month slider and an hour-of-day slider every
// level's panel follows and an hour-by-day heatmap.
(function () {
  'use strict';
  const D = zp.data('map-data');
  if (!D) return;
  const L = D.labels;
  const en = D.lang === 'en';
  const state = { level: 'country', region: null, park: null, org: null, meter: null, month: 0, hour: 0 };
  let regions = null;       // from /api/v1/carbon-map/regions
  let parkData = null;      // from /api/v1/carbon-map/parks/{park}
  const chart = zp.chart('map-chart');
  const heat = zp.chart('heatmap');
  const side = document.getElementById('side-panel');
  const hint = document.getElementById('map-hint');
  const slider = document.getElementById('month-slider');
  const monthLabel = document.getElementById('month-label');
  const hourSlider = document.getElementById('hour-slider');
  const hourLabel = document.getElementById('hour-label');
  const regionName = code => (D.regions[code] ? (en ? D.regions[code].en : D.regions[code].zh) : code);
  const fmt = (v, dp) => zp.fmt(Number(v), dp || 0);
  // The slider's month (1-12) of a twelve-month list, else the year's figure.
  const pick = (year, months) => (state.month === 0 ? Number(year) : Number(months[state.month - 1]));
  const period = () => (state.month === 0 ? `${D.year} ${L['map.whole_year']}` : `${D.year}-${String(state.month).padStart(2, '0')}`);
  // A figure the panel shows, with its exact value for the tests and the eye.
  const fig = (name, v, dp) => `<b data-figure="${name}" data-value="${Number(v)}">${fmt(v, dp)}</b>`;
  // The hour slider: 0 the whole day, h the hour (h - 1):00-h:00, Beijing time.
  const hourName = h => `${String(h - 1).padStart(2, '0')}:00–${String(h).padStart(2, '0')}:00`;
  // Hour-of-day profiles (/api/v1/carbon-map/hours) by scope and period, fetched once each.
  const profiles = new Map();
  function profile(scope) {
    const q = `year=${D.year}` + (state.month ? `&month=${state.month}` : '') + (scope ? `&${scope}` : '');
    if (!profiles.has(q)) {
      profiles.set(q, zp.api(`/api/v1/carbon-map/hours?${q}`).catch(e => { profiles.delete(q); throw e; }));
    }
    return profiles.get(q);
  }
  // The profile of the park on screen while the hour slider is on an hour, else null.
  let parkHours = null;
  // Grid import and Scope 2 emissions of a profile's enterprises (those `keep` keeps) in
  // the slider's hour over the slider's period.
  function hourLine(p, keep) {
    const orgs = p.orgs.filter(keep || (() => true));
    const h = state.hour - 1;
    const sum = f => orgs.reduce((a, o) => a + Number(f(o)[h]), 0);
    return `<p id="map-hour-figures">${zp.esc(period())} · ${hourName(state.hour)} · ${L['map.hour_figures']}: ${L['map.hour_grid']} ${fig('hour_grid_mwh', sum(o => o.grid_import_mwh), 1)} MWh · ${L['map.hour_emissions']} ${fig('hour_tco2', sum(o => o.emissions_tco2), 2)} tCO2</p>` +
      (orgs.length ? '' : `<p class="hint">${L['map.hour_none']}</p>`);
  }
  // A region's mean hourly factor in the slider's hour, null where it has none.
  function hourFactor(p, code) {
    const r = p && p.regions.find(x => x.region === code);
    return r ? r.grid_tco2_per_mwh[state.hour - 1] : null;
  }
  // Energy and market-based emissions of the visible enterprises in the slider's period.
  const totals = cells => {
    const sum = f => cells.reduce((a, x) => a + f(x), 0);
    return `<p id="map-figures">${zp.esc(period())} · ${L['map.orgs_here']}: ${L['overview.energy']} ${fig('energy', sum(x => pick(x.energy_tce, x.monthly_energy_tce)))} tce ·
      ${L['overview.emissions_market']} ${fig('emissions_market', sum(x => pick(x.emissions_market_tco2, x.monthly_emissions_market_tco2)))} tCO2</p>`;
  };

  function crumbs() {
    const items = [['country', L['map.country']]];
    if (state.region) items.push(['region', regionName(state.region)]);
    if (state.park) items.push(['park', state.park]);
    if (state.org && parkData) {
      const o = parkData.orgs.find(x => x.credit_code === state.org);
      items.push(['org', o ? o.name : state.org]);
    }
    if (state.meter) items.push(['meter', state.meter]);
    const nav = document.getElementById('crumbs');
    nav.innerHTML = items.map(([lvl, name], i) =>
      (i ? '<span class="sep">›</span>' : '') +
      `<button type="button" data-level="${lvl}" class="${lvl === state.level ? 'current' : ''}">${zp.esc(name)}</button>`).join('');
    nav.querySelectorAll('button').forEach(b => b.addEventListener('click', () => up(b.dataset.level)));
    document.getElementById('map-title').textContent = items[items.length - 1][1];
  }

  function up(level) {
    const order = ['country', 'region', 'park', 'org', 'meter'];
    const keep = order.indexOf(level);
    if (keep < 1) state.region = null;
    if (keep < 2) { state.park = null; parkData = null; }
    if (keep < 3) state.org = null;
    if (keep < 4) state.meter = null;
    state.level = level;
    draw();
  }

  async function loadRegions() {
    if (!regions) regions = await zp.api(`/api/v1/carbon-map/regions?year=${D.year}`);
    return regions;
  }

  // A later draw (the slider moved again) supersedes an earlier one still waiting.
  let drawGen = 0;

  async function draw() {
    drawGen += 1;
    crumbs();
    try {
      if (state.level === 'country' || state.level === 'region') await drawCountry();
      else await drawPark();
      await drawHeatmap();
    } catch (e) {
      side.innerHTML = `<p class="alert">${zp.esc(e.message)}</p>`;
    }
  }

  async function drawCountry() {
    const r = await loadRegions();
    // On an hour, provinces with hourly factors are coloured by the hour's mean.
    const hp = state.hour ? await profile(state.level === 'region' ? `region=${state.region}` : '') : null;
    const shade = x => { const f = hourFactor(hp, x.code); return f !== null ? f : (x.grid_tco2_per_mwh === null ? null : Number(x.grid_tco2_per_mwh)); };
    const values = r.regions.map(shade).filter(v => v !== null);
    chart.clear();
    chart.setOption({
      tooltip: {
        trigger: 'item',
        formatter: p => {
          const x = r.regions.find(y => y.name_zh === p.name);
          if (!x) return zp.esc(p.name);
          const f = hourFactor(hp, x.code);
          return `<b>${zp.esc(en ? x.name_en : x.name_zh)}</b><br>${L['map.grid_intensity']}: ${x.grid_tco2_per_mwh === null ? '—' : Number(x.grid_tco2_per_mwh).toFixed(4)} tCO2/MWh (${x.factor_year || '—'})` +
            (f !== null ? `<br>${L['map.hour_factor']} (${hourName(state.hour)}): ${f.toFixed(4)} tCO2/MWh` : '') +
            (x.orgs ? `<br>${L['map.orgs_here']}: ${x.orgs}<br>${L['overview.emissions_market']}: ${fmt(x.emissions_market_tco2)} tCO2` : '');
        },
      },
      visualMap: {
        min: Math.min(...values), max: Math.max(...values), left: 10, bottom: 10, calculable: true,
        text: ['tCO2/MWh', ''], inRange: { color: ['#1a9850', '#a6d96a', '#fee08b', '#f46d43', '#a50026'] },
        formatter: v => Number(v).toFixed(2),
      },
      // Provinces without a published factor keep the neutral fill, and the legend says so.
      graphic: r.regions.some(x => x.grid_tco2_per_mwh === null) ? [{
        type: 'group', left: 10, bottom: 150, children: [
          { type: 'rect', shape: { width: 14, height: 10 }, style: { fill: '#d1d5db' } },
          { type: 'text', left: 20, top: -1, style: { text: L['map.no_factor'], fill: '#6b7280', font: '12px sans-serif' } },
        ],
      }] : [],
      series: [{
        type: 'map', map: 'china', roam: true, selectedMode: 'single', zoom: 1.15,
        label: { show: false }, emphasis: { label: { show: true } },
        itemStyle: { borderColor: '#fff', borderWidth: 0.6, areaColor: '#d1d5db' },
        select: { itemStyle: { areaColor: '#0f766e' }, label: { show: true, color: '#fff' } },
        data: r.regions.map(x => ({ name: x.name_zh, value: shade(x), code: x.code, selected: x.code === state.region })),
      }],
    });
    chart.off('click');
    chart.on('click', p => {
      if (!p.data || !p.data.code) return;
      state.region = p.data.code; state.level = 'region'; state.park = null; state.org = null; state.meter = null;
      draw();
    });
    hint.textContent = L['map.click_region'];
    if (state.level === 'region') {
      const x = r.regions.find(y => y.code === state.region);
      const parks = x ? x.parks : [];
      side.innerHTML = `<h2>${zp.esc(regionName(state.region))}</h2>
        <p>${L['map.grid_intensity']}: <b>${x && x.grid_tco2_per_mwh !== null ? Number(x.grid_tco2_per_mwh).toFixed(4) : '—'}</b> tCO2/MWh</p>
        ${hp ? (hourFactor(hp, state.region) !== null
          ? `<p>${L['map.hour_factor']}: <b id="map-hour-factor">${hourFactor(hp, state.region).toFixed(4)}</b> tCO2/MWh</p>`
          : `<p class="hint" id="map-hour-factor">${L['map.hour_annual']}</p>`) : ''}
        <p>${L['map.orgs_here']}: <b>${x ? x.orgs : 0}</b></p>
        ${totals(x ? [x] : [])}${hp ? hourLine(hp) : ''}
        <h3>${L['map.parks']}</h3>
        <ul class="park-list">${parks.map(p => `<li><a href="#" data-park="${zp.esc(p)}">${zp.esc(p)}</a></li>`).join('') || '<li class="hint">—</li>'}</ul>
        <p class="hint">${L['map.click_park']}</p>`;
      side.querySelectorAll('a[data-park]').forEach(a => a.addEventListener('click', ev => {
        ev.preventDefault(); state.park = a.dataset.park; state.level = 'park'; draw();
      }));
    } else {
      const top = r.regions.filter(x => x.grid_tco2_per_mwh !== null).sort((a, b) => Number(b.grid_tco2_per_mwh) - Number(a.grid_tco2_per_mwh));
      const mine = r.regions.filter(x => x.orgs > 0);
      side.innerHTML = `<h2>${L['map.grid_intensity']} · ${r.year}</h2>
        ${mine.length ? `<p>${L['map.orgs_here']}: ${mine.map(x => `<a href="#" data-region="${x.code}">${zp.esc(en ? x.name_en : x.name_zh)}</a> (${x.orgs})`).join(' · ')}</p>${totals(mine)}${hp ? hourLine(hp) : ''}` : ''}
        <table class="data"><thead><tr><th>${L['map.country']}</th><th class="num">tCO2/MWh</th></tr></thead><tbody>
        ${(top.length > 12 ? [...top.slice(0, 8), null, ...top.slice(-3)] : top).map(x => x === null ? '<tr><td>…</td><td></td></tr>'
          : `<tr><td>${zp.esc(en ? x.name_en : x.name_zh)}</td><td class="num">${Number(x.grid_tco2_per_mwh).toFixed(4)}</td></tr>`).join('')}
        </tbody></table>`;
      side.querySelectorAll('a[data-region]').forEach(a => a.addEventListener('click', ev => {
        ev.preventDefault(); state.region = a.dataset.region; state.level = 'region'; draw();
      }));
    }
  }

  // What a site's size and the park's table show: its location-based emissions of the
  // period, or on an hour its Scope 2 emissions in that hour.
  function orgValue(o) {
    if (state.hour && parkHours) {
      const x = parkHours.orgs.find(y => y.credit_code === o.credit_code);
      return x ? Number(x.emissions_tco2[state.hour - 1]) : 0;
    }
    return pick(o.emissions_location_tco2, o.monthly_location_tco2);
  }

  // A name short enough to label a site: without the city in front and the legal form.
  const shortName = n => n.replace(/^(重庆市?|成都市?|四川省?)/, '').replace(/(股份有限公司|有限责任公司|有限公司)$/, '') || n;

  // Graticule lines every `step` degrees over the box: the offline base under the park.
  function graticule(box) {
    const span = Math.max(box[2] - box[0], box[3] - box[1]);
    const step = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1].find(s => span / s <= 8) || 1;
    const lines = [];
    for (let x = Math.ceil(box[0] / step) * step; x <= box[2]; x += step) lines.push({ coords: [[x, box[1]], [x, box[3]]] });
    for (let y = Math.ceil(box[1] / step) * step; y <= box[3]; y += step) lines.push({ coords: [[box[0], y], [box[2], y]] });
    return lines;
  }

  async function drawPark() {
    if (!parkData || parkData.park !== state.park) {
      parkData = await zp.api(`/api/v1/carbon-map/parks/${encodeURIComponent(state.park)}?year=${D.year}`);
    }
    parkHours = state.hour ? await profile(`park=${encodeURIComponent(state.park)}`) : null;
    const orgs = parkData.orgs.filter(o => o.lat !== null && o.lon !== null);
    const max = Math.max(1, ...orgs.map(orgValue));
    const intens = orgs.map(o => Number(o.intensity_market_tco2_per_tce || 0));
    const b = parkData.boundary;
    const boundaryLabel = L['map.boundary.' + b.kind];
    // The box around the outline and the sites, with a margin.
    const pts = b.ring.concat(orgs.map(o => [o.lon, o.lat]));
    chart.clear();
    if (!pts.length) {
      hint.innerHTML = `<span id="map-boundary" data-kind="${b.kind}">${zp.esc(boundaryLabel)}</span>`;
      if (state.org) drawOrgPanel(); else drawParkPanel();
      return;
    }
    const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
    const m = Math.max(0.004, 0.08 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)));
    const box = [Math.min(...xs) - m, Math.min(...ys) - m, Math.max(...xs) + m, Math.max(...ys) + m];
    const mapName = 'zp-park:' + state.park;
    echarts.registerMap(mapName, {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: { name: state.park }, geometry: { type: 'Polygon', coordinates: [b.ring.length ? b.ring : [[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[1]]]] } }],
    });
    const drawn = b.ring.length > 0;
    chart.setOption({
      tooltip: {
        formatter: p => {
          if (!p.data || !p.data.org) return zp.esc(state.park) + '<br>' + zp.esc(boundaryLabel);
          const o = p.data.org;
          return `<b>${zp.esc(o.name)}</b><br>${zp.esc(en ? o.industry_name_en : o.industry_name_zh)}<br>${L['overview.emissions_location']}: ${fmt(orgValue(o))} tCO2<br>${L['overview.intensity']}: ${o.intensity_market_tco2_per_tce === null ? '—' : Number(o.intensity_market_tco2_per_tce).toFixed(3)} tCO2/tce`;
        },
      },
      geo: {
        map: mapName, roam: true, boundingCoords: [[box[0], box[3]], [box[2], box[1]]],
        left: 10, right: 10, top: 44, bottom: 56,
        // Degrees of longitude are shorter than degrees of latitude by cos(latitude).
        aspectScale: Math.cos((box[1] + box[3]) / 2 * Math.PI / 180),
        label: { show: false }, emphasis: { disabled: true }, select: { disabled: true },
        itemStyle: drawn
          ? { areaColor: b.kind === 'official' ? 'rgba(15,118,110,0.12)' : 'rgba(15,118,110,0.07)', borderColor: '#0f766e', borderWidth: 2, borderType: b.kind === 'official' ? 'solid' : 'dashed' }
          : { areaColor: 'transparent', borderWidth: 0 },
      },
      visualMap: { seriesIndex: 1, dimension: 2, min: Math.min(...intens), max: Math.max(...intens), orient: 'horizontal', left: 'center', bottom: 5, calculable: true, text: ['tCO2/tce', ''], inRange: { color: ['#1a9850', '#fee08b', '#d73027'] }, formatter: v => Number(v).toFixed(2) },
      graphic: [{
        type: 'group', left: 10, top: 8, children: [
          { type: 'text', style: { text: state.park, font: 'bold 13px sans-serif', fill: '#0b4f4a' } },
          { type: 'text', top: 18, style: { text: boundaryLabel, font: '12px sans-serif', fill: '#6b7280' } },
        ],
      }],
      series: [{
        // The offline base: a graticule, no tiles.
        type: 'lines', coordinateSystem: 'geo', polyline: true, silent: true, z: 1,
        lineStyle: { color: '#e5e7eb', width: 1, opacity: 1 }, data: graticule(box),
      }, {
        type: 'scatter', coordinateSystem: 'geo', z: 3,
        data: orgs.map(o => ({ value: [o.lon, o.lat, Number(o.intensity_market_tco2_per_tce || 0)], org: o, name: o.name,
          symbolSize: 8 + 36 * Math.sqrt(orgValue(o) / max),
          itemStyle: o.credit_code === state.org ? { borderColor: '#0b4f4a', borderWidth: 3 } : { borderColor: '#fff', borderWidth: 1 } })),
        label: { show: true, position: 'right', fontSize: 10, color: '#1f2937', formatter: p => shortName(p.data.name) },
        labelLayout: { moveOverlap: 'shiftY' },
        emphasis: { label: { show: true, formatter: p => p.data.name } },
      }],
    });
    chart.off('click');
    chart.on('click', p => { if (p.data && p.data.org) selectOrg(p.data.org.credit_code); });
    hint.innerHTML = `<span id="map-boundary" data-kind="${b.kind}">${zp.esc(boundaryLabel)}</span> · ${L['map.click_org']}`;
    if (state.org) drawOrgPanel(); else drawParkPanel();
  }

  function selectOrg(code) {
    state.org = code; state.meter = null; state.level = 'org'; draw();
  }

  function drawParkPanel() {
    const sorted = parkData.orgs.slice().sort((a, b) => orgValue(b) - orgValue(a));
    side.innerHTML = `<h2>${L['map.site_map']} · ${zp.esc(state.park)}</h2>
      ${totals(parkData.orgs)}${parkHours ? hourLine(parkHours) : ''}
      <div class="table-wrap" style="max-height:470px;overflow-y:auto"><table class="data" id="map-orgs"><thead><tr><th>${L['map.orgs_here']}</th><th class="num">${parkHours ? `${L['map.hour_emissions']} ${hourName(state.hour)}` : L['overview.emissions_location']} (tCO2)</th></tr></thead><tbody>
      ${sorted.map(o => `<tr class="clickable" data-org="${o.credit_code}"><td>${zp.esc(o.name)}</td><td class="num">${fmt(orgValue(o))}</td></tr>`).join('')}
      </tbody></table></div>`;
    side.querySelectorAll('tr[data-org]').forEach(r => r.addEventListener('click', () => selectOrg(r.dataset.org)));
  }

  async function drawOrgPanel() {
    const o = parkData.orgs.find(x => x.credit_code === state.org);
    if (!o) { side.innerHTML = ''; return; }
    const energy = pick(o.energy_tce, o.monthly_energy_tce);
    const market = pick(o.emissions_market_tco2, o.monthly_emissions_market_tco2);
    // The year's intensity is the inventory's; a month's is its market emissions over its energy.
    const intensity = state.month === 0
      ? (o.intensity_market_tco2_per_tce === null ? null : Number(o.intensity_market_tco2_per_tce))
      : (energy > 0 ? market / energy : null);
    side.innerHTML = `<h2>${zp.esc(o.name)}</h2>
      <p class="hint mono">${o.credit_code} · ${zp.esc(en ? o.industry_name_en : o.industry_name_zh)}</p>
      <p class="hint">${zp.esc(period())}</p>
      <div class="counts">
        <div>${L['overview.energy']}${fig('energy', energy)}tce</div>
        <div>${L['overview.emissions_market']}${fig('emissions_market', market)}tCO2</div>
        <div>${L['overview.intensity']}${intensity === null ? '<b data-figure="intensity">—</b>' : `<b data-figure="intensity" data-value="${intensity}">${intensity.toFixed(3)}</b>`}tCO2/tce</div>
      </div>
      ${parkHours ? hourLine(parkHours, x => x.credit_code === o.credit_code) : ''}
      <p><a class="button" href="/orgs/${o.credit_code}?year=${D.year}">${L['map.open_org']} →</a></p>
      <h3>${L['map.meters']}</h3><div id="meter-list" class="hint">…</div>`;
  }

  async function drawHeatmap() {
    const title = document.getElementById('heatmap-title');
    const note = document.getElementById('heatmap-note');
    heat.clear();
    if (!state.org) {
      title.textContent = '';
      note.textContent = L['map.click_org'];
      return;
    }
    const q = `year=${D.year}` + (state.month ? `&month=${state.month}` : '') + (state.meter ? `&meter=${encodeURIComponent(state.meter)}` : '');
    const gen = drawGen;
    const r = await zp.api(`/api/v1/carbon-map/orgs/${state.org}/heatmap?${q}`);
    if (gen !== drawGen) return;
    const list = document.getElementById('meter-list');
    if (list) {
      list.innerHTML = r.meters.length ? `<table class="data" id="map-meters"><tbody>${r.meters.map(m =>
        `<tr class="clickable${m.meter === state.meter ? ' selected' : ''}" data-meter="${zp.esc(m.meter)}"><td class="mono">${zp.esc(m.meter)}</td><td>${zp.esc(L['meter.kind.' + m.kind] || m.kind)}</td><td>${zp.esc(m.source)}</td></tr>`).join('')}</tbody></table>` : '—';
      list.querySelectorAll('tr[data-meter]').forEach(tr => tr.addEventListener('click', () => {
        state.meter = tr.dataset.meter; state.level = 'meter'; draw();
      }));
    }
    title.textContent = (state.meter || '') + (state.month ? ` · ${D.year}-${String(state.month).padStart(2, '0')}` : ` · ${D.year}`);
    if (!r.available) {
      note.textContent = L['map.no_readings'];
      return;
    }
    const h = r.heatmap;
    const max = Math.max(...h.cells.map(c => c[2]), 0.0001);
    // What the heatmap shows (grid electricity, Scope 2) beside the enterprise's total.
    const o = parkData && parkData.orgs.find(x => x.credit_code === state.org);
    note.innerHTML = `<span id="heatmap-caption">${L['map.heatmap_caption']}</span>: ${fig('heatmap', h.total_tco2, 1)} tCO2` +
      (o ? ` · ${L['map.heatmap_total']}: ${fig('org_total', pick(o.emissions_location_tco2, o.monthly_location_tco2), 1)} tCO2` : '') +
      ` (${zp.esc(period())})` +
      (state.hour ? ` · ${hourName(state.hour)}: ${fig('heatmap_hour', h.cells.filter(c => c[1] === state.hour - 1).reduce((a, c) => a + c[2], 0), 2)} tCO2` : '');
    const hh = String(state.hour - 1).padStart(2, '0');
    heat.setOption({
      tooltip: { formatter: p => `${h.days[p.data[0]]} ${String(p.data[1]).padStart(2, '0')}:00<br>${p.data[2].toFixed(3)} tCO2` },
      grid: { left: 50, right: 20, top: 10, bottom: 60 },
      xAxis: { type: 'category', data: h.days.map(d => d.slice(5)), splitArea: { show: true } },
      yAxis: { type: 'category', data: [...Array(24).keys()].map(x => String(x).padStart(2, '0')), splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f7fcf5', '#74c476', '#fd8d3c', '#bd0026'] } },
      series: [{
        type: 'heatmap', data: h.cells, progressive: 2000,
        // The slider's hour, framed.
        markArea: state.hour ? { silent: true, itemStyle: { color: 'rgba(0,0,0,0)', borderColor: '#0b4f4a', borderWidth: 2 }, data: [[{ yAxis: hh }, { yAxis: hh }]] } : undefined,
      }],
    });
  }

  slider.addEventListener('input', () => {
    state.month = Number(slider.value);
    monthLabel.textContent = state.month === 0 ? L['map.whole_year'] : `${D.year}-${String(state.month).padStart(2, '0')}`;
    // Every level's panel (and the heatmap) follows the slider.
    draw();
  });

  hourSlider.addEventListener('input', () => {
    state.hour = Number(hourSlider.value);
    hourLabel.textContent = state.hour === 0 ? L['map.whole_day'] : hourName(state.hour);
    draw();
  });

  // Start where the link (or the caller's scope) says.
  const s = D.start || {};
  if (s.region) { state.region = s.region; state.level = 'region'; }
  if (s.park) { state.park = s.park; state.level = 'park'; }
  if (s.org) { state.org = s.org; state.level = 'org'; }
  if (s.meter) { state.meter = s.meter; state.level = 'meter'; }
  window.zpMap = state;
  draw();
})();
