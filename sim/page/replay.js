// The offline replay page of sim: draws everything from the JSON payload inlined in the page
// (element "sim-data"); it loads nothing else. Times are seconds from D.start_utc.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("sim-data").textContent);
  const C = D.colours;
  const $ = (id) => document.getElementById(id);
  const startMs = Date.parse(D.start_utc);
  const SPEEDS = [1, 10, 60, 300, 600, 1000, 3600, 10000];
  const TRAIL_S = 5400; // one revolution of the ISS, roughly
  const STEP_S = 60;
  const MARKER_COLOURS = ["#ffc800", "#d62728", "#17becf", "#9467bd", "#8c564b"];
  const DEG = Math.PI / 180;
  const state = { t: D.initial_s || 0, playing: false, speed: 600, station: 0, pass: -1, dirty: true,
    lastWall: null, listKey: "" };
  const view = { w: 0, h: 0, dpr: 1 };

  // ---------------------------------------------------------------- time and text
  function pad(n, width) { return String(n).padStart(width || 2, "0"); }
  function roundedMs(t) { return Math.floor((startMs + t * 1000 + 500) / 1000) * 1000; }
  function isoText(ms) { return new Date(ms).toISOString().slice(0, 19).replace("T", " "); }
  function utcText(t) { return isoText(roundedMs(t)); }
  function duration(s) {
    const sign = s < 0 ? "-" : "";
    let rest = Math.round(Math.abs(s));
    const d = Math.floor(rest / 86400);
    rest -= d * 86400;
    return sign + d + "d " + pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor(rest / 60) % 60) +
      ":" + pad(rest % 60);
  }
  function offsetText(s) {
    const sign = s < 0 ? "-" : "+";
    const m = Math.round(Math.abs(s) / 60);
    return "UTC" + sign + pad(Math.floor(m / 60)) + ":" + pad(m % 60);
  }
  function lastLE(arr, x) { // largest i with arr[i] <= x, -1 if none
    let lo = 0, hi = arr.length - 1, out = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid] <= x) { out = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return out;
  }
  function fmtLat(v) { return Math.abs(v).toFixed(2) + "\u00b0" + (v >= 0 ? "N" : "S"); }
  function fmtLon(v) { return Math.abs(v).toFixed(2) + "\u00b0" + (v >= 0 ? "E" : "W"); }
  function wrapLon(v) { return ((v + 180) % 360 + 360) % 360 - 180; }
  function clampT(t) { return Math.min(Math.max(t, 0), D.duration_s); }

  // ---------------------------------------------------------------- data at an instant
  function positionAt(tr, t) {
    const ts = tr.t_s, n = ts.length;
    if (n === 0 || t < ts[0] || t > ts[n - 1]) { return null; }
    let a = lastLE(ts, t);
    if (n === 1) { a = 0; }
    if (a >= n - 1) { a = n - 2; }
    const b = a + 1;
    const f = ts[b] > ts[a] ? (t - ts[a]) / (ts[b] - ts[a]) : 0;
    if (tr.lat_deg[a] === null || tr.lat_deg[b] === null) { return null; }
    let dlon = tr.lon_deg[b] - tr.lon_deg[a];
    if (dlon > 180) { dlon -= 360; } else if (dlon < -180) { dlon += 360; }
    return {
      lat: tr.lat_deg[a] + f * (tr.lat_deg[b] - tr.lat_deg[a]),
      lon: wrapLon(tr.lon_deg[a] + f * dlon),
      alt: tr.alt_km[a] + f * (tr.alt_km[b] - tr.alt_km[a]),
      sunlit: tr.sunlit[f < 0.5 ? a : b] === 1,
      index: a,
    };
  }
  function sunAt(t) {
    const s = D.sun, i = Math.max(0, Math.min(lastLE(s.t_s, t), s.t_s.length - 2));
    if (s.t_s.length < 2) { return { lat: s.lat_deg[0], lon: s.lon_deg[0] }; }
    const f = (t - s.t_s[i]) / (s.t_s[i + 1] - s.t_s[i]);
    let dlon = s.lon_deg[i + 1] - s.lon_deg[i];
    if (dlon > 180) { dlon -= 360; } else if (dlon < -180) { dlon += 360; }
    return { lat: s.lat_deg[i] + f * (s.lat_deg[i + 1] - s.lat_deg[i]),
      lon: wrapLon(s.lon_deg[i] + f * dlon) };
  }
  const passesOf = D.stations.map((st) => D.passes
    .map((p, i) => ({ p, i })).filter((x) => x.p.station === st.name));
  function stationSees(k, t) {
    return passesOf[k].some((x) => x.p.rise_s <= t && t <= x.p.set_s);
  }
  function utcOffset(st, t) {
    const rows = st.utc_offsets;
    const i = Math.max(0, lastLE(rows.map((r) => r[0]), t));
    return rows[i][1];
  }

  // ---------------------------------------------------------------- map drawing
  const map = $("map"), ctx = map.getContext("2d");
  const base = document.createElement("canvas");
  const night = document.createElement("canvas");
  night.width = 360; night.height = 180;
  const nightCtx = night.getContext("2d");
  const nightImg = nightCtx.createImageData(360, 180);
  const nightRGB = [1, 3, 5].map((k) => parseInt(C.night.slice(k, k + 2), 16));
  const sinLat = new Float64Array(180), cosLat = new Float64Array(180);
  for (let j = 0; j < 180; j++) {
    sinLat[j] = Math.sin((89.5 - j) * DEG); cosLat[j] = Math.cos((89.5 - j) * DEG);
  }
  function X(lon) { return (lon + 180) / 360 * view.w; }
  function Y(lat) { return (90 - lat) / 180 * view.h; }

  function resize() {
    view.dpr = window.devicePixelRatio || 1;
    view.w = Math.max(200, map.clientWidth);
    view.h = view.w / 2;
    map.style.height = view.h + "px";
    for (const c of [map, base]) {
      c.width = Math.round(view.w * view.dpr); c.height = Math.round(view.h * view.dpr);
    }
    drawBase();
    state.dirty = true;
  }

  function polyPath(g, flat, close) { // flat [lon, lat, ...]; breaks where it jumps 180 deg
    for (let k = 0; k < flat.length; k += 2) {
      const jump = k > 0 && Math.abs(flat[k] - flat[k - 2]) > 180;
      if (k === 0 || jump) { g.moveTo(X(flat[k]), Y(flat[k + 1])); }
      else { g.lineTo(X(flat[k]), Y(flat[k + 1])); }
    }
    if (close) { g.closePath(); }
  }

  function drawBase() {
    const g = base.getContext("2d");
    g.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    g.fillStyle = C.water; g.fillRect(0, 0, view.w, view.h);
    g.strokeStyle = "rgba(255,255,255,0.8)"; g.lineWidth = 0.6;
    g.beginPath();
    for (let lon = -150; lon < 180; lon += 30) { g.moveTo(X(lon), 0); g.lineTo(X(lon), view.h); }
    for (let lat = -60; lat < 90; lat += 30) { g.moveTo(0, Y(lat)); g.lineTo(view.w, Y(lat)); }
    g.stroke();
    for (const land of [true, false]) {
      g.beginPath();
      for (const poly of D.coast) { if (poly.land === land) { polyPath(g, poly.lonlat, true); } }
      g.fillStyle = land ? C.land : C.water; g.fill();
      g.strokeStyle = C.coast; g.lineWidth = 0.5; g.stroke();
    }
    g.fillStyle = "#555"; g.font = "10px system-ui, sans-serif";
    const every = view.w < 600 ? 60 : 30;
    for (let lon = -180 + every; lon < 180; lon += every) {
      g.fillText(Math.abs(lon) + "\u00b0" + (lon > 0 ? "E" : lon < 0 ? "W" : ""), X(lon) + 2, view.h - 3);
    }
    for (let lat = -60; lat < 90; lat += 30) {
      g.fillText(Math.abs(lat) + "\u00b0" + (lat > 0 ? "N" : lat < 0 ? "S" : ""), 2, Y(lat) - 2);
    }
  }

  function drawNight(sun) {
    const sd = Math.sin(sun.lat * DEG), cd = Math.cos(sun.lat * DEG), px = nightImg.data;
    for (let i = 0; i < 360; i++) {
      const ch = Math.cos((i - 179.5 - sun.lon) * DEG);
      for (let j = 0; j < 180; j++) {
        const alt = Math.asin(Math.max(-1, Math.min(1, sinLat[j] * sd + cosLat[j] * cd * ch))) / DEG;
        const o = (j * 360 + i) * 4;
        px[o] = nightRGB[0]; px[o + 1] = nightRGB[1]; px[o + 2] = nightRGB[2];
        px[o + 3] = alt >= 0 ? 0 : Math.round(255 * (0.16 + 0.26 * Math.min(1, -alt / 18)));
      }
    }
    nightCtx.putImageData(nightImg, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(night, 0, 0, view.w, view.h);
    const sx = X(sun.lon), sy = Y(sun.lat);
    ctx.strokeStyle = "#b08a00"; ctx.lineWidth = 1.5; ctx.beginPath();
    for (let k = 0; k < 8; k++) {
      const a = k * Math.PI / 4;
      ctx.moveTo(sx + 7 * Math.cos(a), sy + 7 * Math.sin(a));
      ctx.lineTo(sx + 11 * Math.cos(a), sy + 11 * Math.sin(a));
    }
    ctx.stroke();
    ctx.beginPath(); ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
    ctx.fillStyle = "#ffd000"; ctx.fill(); ctx.stroke();
  }

  // Trails are drawn as runs of one colour, so that a dashed (modelled) trail keeps its dashes
  function addPoint(runs, lon, lat, key, prev) {
    const last = runs[runs.length - 1];
    if (prev && Math.abs(lon - prev[0]) > 180) { // crosses the antimeridian: end at both edges
      const side = prev[0] > 0 ? 180 : -180;
      const lonU = lon + (side > 0 ? 360 : -360);
      const latEdge = prev[1] + (side - prev[0]) / (lonU - prev[0]) * (lat - prev[1]);
      last.pts.push([side, latEdge]);
      runs.push({ key, pts: [[-side, latEdge], [lon, lat]] });
      return;
    }
    if (!prev || last.key !== key) {
      runs.push({ key, pts: prev ? [prev, [lon, lat]] : [[lon, lat]] });
      return;
    }
    last.pts.push([lon, lat]);
  }

  function drawTrail(tr, t, pos) {
    const ts = tr.t_s;
    const end = pos ? pos.index : lastLE(ts, t);
    if (end < 0) { return; }
    const first = Math.max(0, lastLE(ts, t - TRAIL_S));
    const runs = [];
    let prev = null;
    for (let k = first; k <= end; k++) {
      if (tr.lat_deg[k] === null) { prev = null; continue; }
      addPoint(runs, tr.lon_deg[k], tr.lat_deg[k], tr.sunlit[k] ? "lit" : "dark", prev);
      prev = [tr.lon_deg[k], tr.lat_deg[k]];
    }
    if (pos && prev) { addPoint(runs, pos.lon, pos.lat, tr.sunlit[end] ? "lit" : "dark", prev); }
    ctx.lineWidth = 2.2; ctx.lineCap = "round"; ctx.lineJoin = "round";
    ctx.setLineDash(tr.modelled ? [7, 5] : []);
    for (const run of runs) {
      if (run.pts.length < 2) { continue; }
      ctx.beginPath();
      ctx.moveTo(X(run.pts[0][0]), Y(run.pts[0][1]));
      for (let k = 1; k < run.pts.length; k++) { ctx.lineTo(X(run.pts[k][0]), Y(run.pts[k][1])); }
      ctx.strokeStyle = run.key === "lit" ? C.sunlit : C.eclipse; ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  function activeEvent(t) {
    const hold = Math.max(600, 3 * state.speed); // at least 3 s of wall time at this speed
    let best = null;
    for (const ev of D.events) {
      if (ev.t_s <= t && t <= ev.t_s + hold && (!best || ev.t_s > best.t_s)) { best = ev; }
    }
    return best;
  }

  function label(text, x, y, bold) {
    ctx.font = (bold ? "600 " : "") + "12px system-ui, sans-serif";
    ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.85)"; ctx.lineJoin = "round";
    ctx.strokeText(text, x, y); ctx.fillStyle = "#111"; ctx.fillText(text, x, y);
  }

  function render() {
    const t = state.t;
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    ctx.clearRect(0, 0, view.w, view.h);
    ctx.drawImage(base, 0, 0, view.w, view.h);
    drawNight(sunAt(t));
    // stations and their footprints, lit while they see the object
    D.stations.forEach((st, k) => {
      const sees = stationSees(k, t);
      const colour = C.stations[k % C.stations.length];
      ctx.beginPath(); polyPath(ctx, st.footprint_lonlat, false);
      if (sees) { ctx.fillStyle = "rgba(225,87,89,0.22)"; ctx.fill(); }
      ctx.strokeStyle = sees ? C.visible : colour; ctx.lineWidth = sees ? 2 : 1;
      ctx.setLineDash(sees ? [] : [4, 3]); ctx.stroke(); ctx.setLineDash([]);
      const size = sees ? 14 : 8;
      ctx.fillStyle = sees ? C.visible : colour;
      ctx.fillRect(X(st.lon_deg) - size / 2, Y(st.lat_deg) - size / 2, size, size);
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
      ctx.strokeRect(X(st.lon_deg) - size / 2, Y(st.lat_deg) - size / 2, size, size);
      if (view.w > 480 || k === state.station) { label(st.name, X(st.lon_deg) + 8, Y(st.lat_deg) + 4, sees); }
    });
    // events as labelled moments
    const active = activeEvent(t);
    for (const ev of D.events) {
      if (ev.lat_deg === null || !ev.on_map) { continue; }
      const x = X(ev.lon_deg), y = Y(ev.lat_deg), r = ev === active ? 8 : 5;
      ctx.beginPath(); ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y); ctx.closePath();
      ctx.fillStyle = ev === active ? "#ffffff" : "#333"; ctx.fill();
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1; ctx.stroke();
      if (ev === active) { label(ev.name, x + 10, y + 18, true); }
    }
    const banner = $("banner");
    if (active) {
      banner.hidden = false;
      banner.textContent = active.name + " \u00b7 " + active.utc.slice(0, 19).replace("T", " ") + " UTC";
    } else { banner.hidden = true; }
    // trajectories: trailing track and marker
    const texts = [];
    D.trajectories.forEach((tr, k) => {
      const colour = MARKER_COLOURS[k % MARKER_COLOURS.length];
      const pos = positionAt(tr, t);
      drawTrail(tr, t, pos);
      if (pos) {
        ctx.beginPath(); ctx.arc(X(pos.lon), Y(pos.lat), 7, 0, 2 * Math.PI);
        ctx.fillStyle = colour; ctx.fill(); ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5; ctx.stroke();
        label(tr.label, X(pos.lon) + 10, Y(pos.lat) - 8, false);
      }
      texts.push({ tr, pos, colour });
    });
    updatePanel(t, texts);
    if (window.simFirstFrameMs === undefined) {
      window.simFirstFrameMs = performance.now();
      document.body.dataset.firstFrameMs = window.simFirstFrameMs.toFixed(1);
    }
  }

  // ---------------------------------------------------------------- side panel
  function updatePanel(t, texts) {
    $("clock-utc").textContent = utcText(t) + " UTC";
    $("clock-utc").dataset.t = t.toFixed(3);
    const seen = D.stations.filter((st, k) => stationSees(k, t)).map((st) => st.name);
    $("in-view").textContent = D.passes_object + (seen.length ? " in view of: " + seen.join(", ")
      : ": no station sees it now");
    $("clock-met").textContent = D.launch_s === null ? "no launch in this scenario"
      : duration(t - D.launch_s);
    const st = D.stations[state.station];
    if (st) {
      const off = utcOffset(st, t);
      $("clock-local").textContent = isoText(roundedMs(t) + off * 1000);
      $("clock-zone").textContent = st.name + ": " + (st.timezone
        ? st.timezone + ", " + offsetText(off) : "no time zone given, local time shown as UTC");
    } else { $("clock-local").textContent = "no station"; }
    const pos = $("positions");
    pos.replaceChildren(...texts.map(({ tr, pos: p, colour }) => {
      const div = document.createElement("div");
      div.className = "pos";
      div.dataset.name = tr.name;
      const dot = document.createElement("span");
      dot.className = "dot"; dot.style.background = colour; dot.style.marginLeft = "0";
      div.append(dot);
      if (p) {
        div.dataset.lat = p.lat.toFixed(4); div.dataset.lon = p.lon.toFixed(4);
        div.append(tr.label + ": " + fmtLat(p.lat) + " " + fmtLon(p.lon) + " \u00b7 " +
          p.alt.toFixed(0) + " km \u00b7 " + (p.sunlit ? "sunlit" : "in Earth's shadow"));
      } else { div.append(tr.label + ": no position at this instant"); }
      return div;
    }));
    $("slider").value = String(Math.round(t));
    drawStrip(t);
    drawSky(t);
    markPasses(t);
  }

  function fillPasses() {
    const list = $("passes");
    const k = state.station;
    const items = passesOf[k] || [];
    list.replaceChildren();
    if (!items.length) {
      const li = document.createElement("li");
      li.textContent = "No passes above the mask in this replay.";
      list.append(li);
    }
    for (const { p, i } of items) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.pass = String(i);
      b.dataset.riseUtc = p.rise_utc;
      b.className = "pass" + (p.visible ? " visible" : "");
      let text = utcText(p.rise_s).slice(5, 19) + " UTC \u00b7 max " + p.max_elevation_deg.toFixed(0) + "\u00b0";
      if (p.visible) {
        text += " \u00b7 visible " + utcText(p.visible_start_s).slice(11, 16) + "\u2013" +
          utcText(p.visible_end_s).slice(11, 16);
        if (p.peak_magnitude !== null) { text += " \u00b7 mag " + p.peak_magnitude.toFixed(1) + " (est.)"; }
      }
      b.textContent = text;
      b.addEventListener("click", () => { state.pass = i; setTime(p.rise_s); });
      li.append(b);
      list.append(li);
    }
    state.listKey = "";
  }

  function markPasses(t) {
    const key = state.pass + ":" + (passesOf[state.station] || []).map((x) =>
      x.p.rise_s <= t && t <= x.p.set_s ? 1 : 0).join("");
    if (key === state.listKey) { return; }
    state.listKey = key;
    for (const b of $("passes").querySelectorAll("button")) {
      const p = D.passes[Number(b.dataset.pass)];
      b.classList.toggle("selected", Number(b.dataset.pass) === state.pass);
      b.classList.toggle("now", p.rise_s <= t && t <= p.set_s);
    }
  }

  function selectStation(k) {
    state.station = k;
    const items = passesOf[k] || [];
    const next = items.find((x) => x.p.set_s >= state.t) || items[0];
    state.pass = next ? next.i : -1;
    fillPasses();
    state.dirty = true;
  }

  // ---------------------------------------------------------------- sky plot
  const sky = $("sky"), skyCtx = sky.getContext("2d");
  function drawSky(t) {
    const size = Math.max(120, Math.min(300, sky.clientWidth || 260));
    const dpr = view.dpr;
    if (sky.width !== Math.round(size * dpr) || sky.height !== Math.round(size * dpr)) {
      sky.width = Math.round(size * dpr); sky.height = Math.round(size * dpr);
      sky.style.height = size + "px";
    }
    const g = skyCtx;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, size, size);
    const cx = size / 2, cy = size / 2, R = size / 2 - 16;
    const xy = (az, el) => {
      const r = R * (90 - Math.max(el, 0)) / 90;
      return [cx + r * Math.sin(az * DEG), cy - r * Math.cos(az * DEG)];
    };
    g.fillStyle = "#fff"; g.beginPath(); g.arc(cx, cy, R, 0, 2 * Math.PI); g.fill();
    g.strokeStyle = "#bbb"; g.lineWidth = 1;
    for (const el of [0, 30, 60]) { g.beginPath(); g.arc(cx, cy, R * (90 - el) / 90, 0, 2 * Math.PI); g.stroke(); }
    g.beginPath(); g.moveTo(cx - R, cy); g.lineTo(cx + R, cy); g.moveTo(cx, cy - R); g.lineTo(cx, cy + R); g.stroke();
    g.fillStyle = "#333"; g.font = "12px system-ui, sans-serif"; g.textAlign = "center"; g.textBaseline = "middle";
    g.fillText("N", cx, 7); g.fillText("S", cx, size - 7); g.fillText("E", size - 7, cy); g.fillText("W", 7, cy);
    g.font = "9px system-ui, sans-serif"; g.fillStyle = "#888";
    for (const el of [30, 60]) { g.fillText(el + "\u00b0", cx + 9, cy - R * (90 - el) / 90 + 6); }
    const st = D.stations[state.station];
    if (st) {
      g.setLineDash([3, 3]); g.strokeStyle = "#999";
      g.beginPath(); g.arc(cx, cy, R * (90 - st.min_elevation_deg) / 90, 0, 2 * Math.PI); g.stroke();
      g.setLineDash([]);
    }
    g.textAlign = "start"; g.textBaseline = "alphabetic";
    const p = D.passes[state.pass];
    const title = $("sky-title");
    if (!p) { title.textContent = "No pass selected"; return; }
    const s = p.sky;
    for (let k = 0; k + 1 < s.t_s.length; k++) {
      const tm = p.rise_s + (s.t_s[k] + s.t_s[k + 1]) / 2;
      const vis = p.visible && p.visible_start_s !== null && tm >= p.visible_start_s && tm <= p.visible_end_s;
      g.beginPath();
      g.moveTo(...xy(s.az_deg[k], s.el_deg[k])); g.lineTo(...xy(s.az_deg[k + 1], s.el_deg[k + 1]));
      g.strokeStyle = vis ? C.visible : C.eclipse; g.lineWidth = vis ? 3 : 1.8; g.stroke();
    }
    const [rx, ry] = xy(s.az_deg[0], s.el_deg[0]);
    g.fillStyle = "#333"; g.font = "10px system-ui, sans-serif"; g.fillText("rise", rx + 4, ry - 4);
    if (t >= p.rise_s && t <= p.set_s) {
      const u = t - p.rise_s, k = Math.max(0, Math.min(lastLE(s.t_s, u), s.t_s.length - 2));
      const f = s.t_s.length > 1 ? (u - s.t_s[k]) / (s.t_s[k + 1] - s.t_s[k]) : 0;
      let daz = s.az_deg[k + 1] - s.az_deg[k];
      if (daz > 180) { daz -= 360; } else if (daz < -180) { daz += 360; }
      const [x, y] = xy(s.az_deg[k] + f * daz, s.el_deg[k] + f * (s.el_deg[k + 1] - s.el_deg[k]));
      g.beginPath(); g.arc(x, y, 6, 0, 2 * Math.PI);
      g.fillStyle = MARKER_COLOURS[0]; g.fill(); g.strokeStyle = "#000"; g.lineWidth = 1.5; g.stroke();
    }
    title.textContent = p.station + " \u00b7 rise " + utcText(p.rise_s) + " UTC \u00b7 max " +
      p.max_elevation_deg.toFixed(1) + "\u00b0" + (p.visible ? " \u00b7 visible part in red" : " \u00b7 not visible to the eye");
  }

  // ---------------------------------------------------------------- time strip
  const strip = $("strip"), stripCtx = strip.getContext("2d");
  const STRIP_PAD = 8;
  function stripX(t, w) { return STRIP_PAD + t / Math.max(D.duration_s, 1) * (w - 2 * STRIP_PAD); }
  function drawStrip(t) {
    const w = strip.clientWidth || 600, h = 30, dpr = view.dpr;
    if (strip.width !== Math.round(w * dpr)) { strip.width = Math.round(w * dpr); strip.height = Math.round(h * dpr); }
    const g = stripCtx;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.fillStyle = "#e6e6e0"; g.fillRect(STRIP_PAD, 4, w - 2 * STRIP_PAD, 8);
    for (const { p } of passesOf[state.station] || []) {
      g.fillStyle = p.visible ? C.visible : "#8a8a8a";
      const x = stripX(p.rise_s, w);
      g.fillRect(x, 4, Math.max(1.5, stripX(p.set_s, w) - x), 8);
    }
    g.font = "10px system-ui, sans-serif"; g.textBaseline = "top";
    let lastRight = -Infinity;
    for (const ev of D.events) {
      if (ev.t_s < 0 || ev.t_s > D.duration_s) { continue; }
      const x = stripX(ev.t_s, w);
      g.fillStyle = "#222"; g.fillRect(x - 0.75, 2, 1.5, 14);
      const tw = g.measureText(ev.name).width;
      const lx = Math.min(Math.max(x - tw / 2, 0), w - tw);
      if (lx > lastRight + 4) { g.fillText(ev.name, lx, 17); lastRight = lx + tw; }
    }
    g.fillStyle = "#b08a00"; g.fillRect(stripX(t, w) - 1, 0, 2, 16);
  }
  strip.addEventListener("click", (e) => {
    const r = strip.getBoundingClientRect();
    setTime((e.clientX - r.left - STRIP_PAD) / (r.width - 2 * STRIP_PAD) * D.duration_s);
  });

  // ---------------------------------------------------------------- controls
  function setTime(t) { // draws at once, so the clock never lags behind a click or a key
    state.t = clampT(t); state.lastWall = null; state.dirty = false; render();
  }
  function setPlaying(on) {
    state.playing = on; state.lastWall = null;
    $("play").innerHTML = on ? "&#10074;&#10074; Pause" : "&#9654; Play";
    $("play").setAttribute("aria-pressed", on ? "true" : "false");
  }
  function togglePlay() {
    if (!state.playing && state.t >= D.duration_s) { setTime(0); }
    setPlaying(!state.playing);
  }
  function step(sign, big) { setTime(state.t + sign * (big ? 3600 : STEP_S)); }

  $("play").addEventListener("click", togglePlay);
  $("back").addEventListener("click", (e) => step(-1, e.shiftKey));
  $("fwd").addEventListener("click", (e) => step(1, e.shiftKey));
  const speed = $("speed");
  for (const s of SPEEDS) {
    const o = document.createElement("option");
    o.value = String(s); o.textContent = s.toLocaleString("en-US") + "\u00d7";
    if (s === state.speed) { o.selected = true; }
    speed.append(o);
  }
  speed.addEventListener("change", () => { state.speed = Number(speed.value); state.lastWall = null; });
  const evSel = $("event");
  const first = document.createElement("option");
  first.value = ""; first.textContent = "jump to\u2026"; evSel.append(first);
  D.events.forEach((ev, k) => {
    const o = document.createElement("option");
    o.value = String(k);
    const inside = ev.t_s >= 0 && ev.t_s <= D.duration_s;
    o.textContent = ev.name + " " + ev.utc.slice(5, 16).replace("T", " ") + (inside ? "" : " (outside the replay)");
    o.disabled = !inside;
    evSel.append(o);
  });
  evSel.addEventListener("change", () => {
    if (evSel.value !== "") { setTime(D.events[Number(evSel.value)].t_s); }
  });
  const slider = $("slider");
  slider.max = String(Math.floor(D.duration_s));
  slider.addEventListener("input", () => setTime(Number(slider.value)));
  const stSel = $("station");
  D.stations.forEach((st, k) => {
    const o = document.createElement("option");
    o.value = String(k); o.textContent = st.name; stSel.append(o);
  });
  stSel.addEventListener("change", () => selectStation(Number(stSel.value)));

  document.addEventListener("keydown", (e) => {
    const tag = e.target && e.target.tagName;
    if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && e.target.type !== "range")) { return; }
    if (e.key === " " || e.code === "Space") { e.preventDefault(); if (!e.repeat) { togglePlay(); } }
    else if (e.key === "ArrowRight") { e.preventDefault(); step(1, e.shiftKey); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); step(-1, e.shiftKey); }
  });
  document.addEventListener("keyup", (e) => { // keep Space from also clicking a focused button
    if ((e.key === " " || e.code === "Space") && e.target && e.target.tagName === "BUTTON") { e.preventDefault(); }
  });

  // legend and notes
  const legend = $("legend");
  D.trajectories.forEach((tr, k) => {
    const dot = document.createElement("span");
    dot.className = "dot"; dot.style.background = MARKER_COLOURS[k % MARKER_COLOURS.length];
    const item = document.createElement("span");
    item.textContent = tr.label;
    item.title = tr.name + ": " + tr.source;
    legend.append(dot, item);
  });
  for (const [colour, text] of [[C.sunlit, "sunlit"], [C.eclipse, "in Earth's shadow"],
    [C.visible, "station sees it"]]) {
    const sw = document.createElement("span");
    sw.className = "swatch"; sw.style.background = colour;
    legend.append(sw, text);
  }
  const notes = $("notes");
  for (const n of D.notes) { const li = document.createElement("li"); li.textContent = n; notes.append(li); }

  // ---------------------------------------------------------------- main loop
  function frame(now) {
    if (state.playing) {
      if (state.lastWall !== null) {
        state.t += (now - state.lastWall) / 1000 * state.speed;
        if (state.t >= D.duration_s) { state.t = D.duration_s; setPlaying(false); }
        state.dirty = true;
      }
      state.lastWall = now;
    }
    if (state.dirty) { state.dirty = false; render(); }
    window.requestAnimationFrame(frame);
  }
  window.addEventListener("resize", resize);
  setPlaying(false);
  resize();
  selectStation(0);
  render();
  state.dirty = false;
  window.requestAnimationFrame(frame);
})();
