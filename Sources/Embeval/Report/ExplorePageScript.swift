/// The explore page's code (with `renderer`, in `ExplorePageRenderer.swift`).
///
/// It reads the data block; in the large-map form it also reads `window.embevalPoints` (the folder's `points.js`)
/// and loads ids / neighbour chunks and thumbnails only when a point is hovered or listed, saying clearly in the page
/// when the folder is missing, incomplete or another page's. User strings reach the DOM only as text.
///
/// Fragments: `#selftest` hovers and clicks point 0 with synthetic events and writes what it saw into
/// `<pre id="selftest" data-result="passed|failed">` (waiting for lazily loaded parts first; they delay the load
/// event, so `--dump-dom` sees the result); `#bench` or `#bench=N` idles for 60 animation frames, pans for N, then
/// zooms for N (default 240) and writes the frame times into `<pre id="bench" data-result="done">`; `#raster` forces the Canvas 2D
/// renderer, `#webgl` WebGL even where it is software-rendered. They combine with commas: `#bench,webgl`.
enum ExplorePageScript {
    static let main = #"""
    (function () {
      'use strict';
      var started = performance.now();
      var D = JSON.parse(document.getElementById('embeval-data').textContent);
      var N = D.count, Q = D.scale, external = !!D.folder;
      var flags = location.hash.replace(/^#/, '').split(',');
      function flag(name) {
        for (var k = 0; k < flags.length; k++) if (flags[k] === name || flags[k].indexOf(name + '=') === 0) return flags[k];
        return null;
      }
      var canvas = document.getElementById('canvas'), overlay = document.getElementById('overlay');
      var octx = overlay.getContext('2d');
      var plot = document.getElementById('plot'), tip = document.getElementById('tooltip');
      var statusLine = document.getElementById('status');

      // Problems with the data folder are said in the page, in words, never only in the console.
      var problemBox = document.getElementById('problem');
      function problem(what) {
        if (!problemBox.hidden) return;
        problemBox.textContent = 'This page keeps its points in the folder \u201c' + D.folder + '\u201d next to it, and ' +
          what + '.\nKeep the page and that folder together (copy or move both), or write them again with embeval explore.';
        problemBox.hidden = false;
        document.body.setAttribute('data-problem', 'data folder');
        statusLine.textContent = 'data folder missing or incomplete';
      }
      var folderURL = external ? encodeURIComponent(D.folder) : '';
      function bytesOf(b64) {
        var s = atob(b64), a = new Uint8Array(s.length);
        for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
        return a.buffer;
      }

      // Coordinates (per map, x0, y0, x1, … as integers 0…Q, −1 = not drawn) and labels.
      var xys, labels, thumbBits = null;
      if (external) {
        var P = window.embevalPoints;
        if (!P) { problem('that folder is missing or incomplete: ' + D.folder + '/points.js did not load'); return; }
        if (P.token !== D.token) { problem('that folder holds another page\u2019s points (written separately from this page)'); return; }
        try {
          xys = P.maps.map(function (b64) {
            var w = new Uint16Array(bytesOf(b64)), xy = new Int32Array(w.length);
            for (var i = 0; i < w.length; i++) xy[i] = w[i] === 65535 ? -1 : w[i];
            return xy;
          });
          if (xys.length !== D.maps.length || xys.some(function (xy) { return xy.length !== 2 * N; })) throw new Error('size');
          labels = P.labels ? Int32Array.from(P.labelBytes === 4 ? new Int32Array(bytesOf(P.labels)) : new Int16Array(bytesOf(P.labels)))
                            : new Int32Array(N);
          if (labels.length !== N) throw new Error('size');
          if (P.thumbs) thumbBits = new Uint8Array(bytesOf(P.thumbs));
        } catch (err) {
          problem('that folder is incomplete: ' + D.folder + '/points.js is damaged');
          return;
        }
      } else {
        xys = D.maps.map(function (m) { return Int32Array.from(m.xy); });
        labels = D.labels ? Int32Array.from(D.labels) : new Int32Array(N);
      }
      var labelled = external ? D.labelled : !!D.labels;
      var hasThumbs = external ? D.hasThumbs : !!D.thumbs;
      var decoded = performance.now();

      var hidden = {};            // label -> true when filtered out
      var mapIndex = 0, selected = -1, hovered = -1, lastMouse = [0, 0], issuePoints = [];
      var view = { scale: 1, tx: 0, ty: 0 };
      var cssWidth = 0, cssHeight = 0, dpr = 1;
      var indexes = [];           // per map: grid index for hit-testing

      // Lazily loaded parts of the folder: ids and neighbour chunks (script tags), thumbnails (img tags). While any
      // is on its way `pendingCount` > 0; `whenSettled` runs its callback once none is.
      var chunks = { ids: {}, neighbours: {} }, requested = {}, pendingCount = 0, waiters = [];
      window.embevalChunk = function (kind, k, token, data) {
        if (token === D.token && chunks[kind]) chunks[kind][k] = data;
      };
      function whenSettled(fn) { if (pendingCount === 0) fn(); else waiters.push(fn); }
      function finished() {
        pendingCount--;
        if (pendingCount === 0) { var w = waiters; waiters = []; w.forEach(function (f) { f(); }); }
      }
      // Entry i of a chunked list; undefined while its chunk loads (the tooltip and list refresh when it arrives).
      function chunked(kind, i) {
        var k = Math.floor(i / D.chunk), have = chunks[kind][k];
        if (have) return have[i - k * D.chunk];
        var name = kind + '-' + k + '.js';
        if (!requested[name]) {
          requested[name] = true;
          pendingCount++;
          var s = document.createElement('script');
          s.onload = function () {
            if (!chunks[kind][k]) problem('that folder holds another page\u2019s ' + kind + ' (' + name + ')');
            refresh();
            finished();
          };
          s.onerror = function () { problem('that folder is incomplete: ' + D.folder + '/' + name + ' did not load'); finished(); };
          s.src = folderURL + '/' + name;
          document.head.appendChild(s);
        }
        return undefined;
      }

      function labelName(l) {
        if (!labelled) return 'all points';
        if (l < 0) return 'unlabelled';
        return l < D.classNames.length ? D.classNames[l] : 'class ' + l;
      }
      function colorOf(l) { return l < 0 ? D.unlabelledColor : D.colors[l]; }
      function idOf(i) {
        if (!external) return D.ids ? D.ids[i] : '#' + i;
        if (!D.hasIds) return '#' + i;
        var id = chunked('ids', i);
        return id === undefined ? '\u2026' : id;
      }
      // Point i's neighbour list; null: the page has none; undefined: still loading.
      function neighboursOf(i) {
        if (!external) return D.neighbours ? D.neighbours[i] : null;
        return D.hasNeighbours ? chunked('neighbours', i) : null;
      }
      function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined) e.textContent = text;
        return e;
      }
      function thumb(i) {
        var img;
        if (!external) {
          var t = D.thumbs && D.thumbs[i];
          if (!t) return null;
          img = document.createElement('img');
          img.src = 'data:image/png;base64,' + t;
          img.alt = '';
          return img;
        }
        if (!thumbBits || !(thumbBits[i >> 3] & (1 << (i & 7)))) return null;
        img = document.createElement('img');
        img.alt = '';
        pendingCount++;
        img.onload = finished;
        img.onerror = function () {
          problem('that folder is incomplete: a thumbnail (thumbs/' + Math.floor(i / D.thumbsPerFolder) + '/' + i + '.png) did not load');
          finished();
        };
        img.src = folderURL + '/thumbs/' + Math.floor(i / D.thumbsPerFolder) + '/' + i + '.png';
        return img;
      }
      function labelLine(i) {
        var d = el('div', 'label');
        var sw = el('span', 'swatch');
        sw.style.background = colorOf(labels[i]);
        d.appendChild(sw);
        d.appendChild(document.createTextNode(labelName(labels[i])));
        return d;
      }

      // One fixed shuffled drawing order (xorshift), shared by both renderers.
      var order = null;
      function orderOf() {
        if (order) return order;
        order = new Int32Array(N);
        var s = 0x2545f491;
        for (var i = 0; i < N; i++) order[i] = i;
        for (var j = N - 1; j > 0; j--) {
          s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
          var k = (s >>> 0) % (j + 1), t = order[j]; order[j] = order[k]; order[k] = t;
        }
        return order;
      }
      var source = { count: N, scale: Q, labels: labels, order: orderOf, xy: function (m) { return xys[m]; }, colorOf: colorOf,
                     isHidden: function (l) { return !!hidden[l]; }, alpha: D.alpha, classCount: D.colors.length };
      var renderer = null;
      if (!flag('raster')) {
        try { renderer = EmbevalRenderers.webgl(canvas, source, !!flag('webgl')); } catch (err) { renderer = null; }
      }
      if (!renderer) {
        var fresh = canvas.cloneNode(false);   // a canvas that had a WebGL context cannot give a 2-D one
        canvas.parentNode.replaceChild(fresh, canvas);
        canvas = fresh;
        renderer = EmbevalRenderers.raster(canvas, source);
      }
      plot.setAttribute('data-renderer', renderer.kind);

      // Grid index over the map's integer coordinates: cell -> points, as offsets into one array; built once per map.
      var G = 256;
      function buildIndex(m) {
        var xy = xys[m], cell = new Int32Array(N), counts = new Int32Array(G * G + 1);
        var size = Q / G + 1e-9;
        for (var i = 0; i < N; i++) {
          var x = xy[2 * i], y = xy[2 * i + 1];
          if (x < 0) { cell[i] = -1; continue; }
          var c = Math.min(G - 1, Math.floor(y / size)) * G + Math.min(G - 1, Math.floor(x / size));
          cell[i] = c; counts[c + 1]++;
        }
        for (var c2 = 0; c2 < G * G; c2++) counts[c2 + 1] += counts[c2];
        var fill = counts.slice(0, G * G), items = new Int32Array(N);
        for (var j = 0; j < N; j++) if (cell[j] >= 0) items[fill[cell[j]]++] = j;
        return { start: counts, items: items, size: size };
      }
      function index() { return indexes[mapIndex] || (indexes[mapIndex] = buildIndex(mapIndex)); }

      function zoom() {
        var m = D.maps[mapIndex];
        var fit = Math.min(cssWidth / m.width, cssHeight / m.height) * 0.94;
        return view.scale / fit;
      }
      function radius() { return Math.min(12, D.radius * Math.max(1, Math.pow(zoom(), 0.4))); }
      function toScreen(i) {
        var xy = xys[mapIndex];
        return [view.tx + xy[2 * i] * view.scale, view.ty - xy[2 * i + 1] * view.scale];
      }

      function resize() {
        dpr = window.devicePixelRatio || 1;
        var r = plot.getBoundingClientRect();
        var w = Math.max(50, Math.round(r.width)), h = Math.max(50, Math.round(r.height));
        var first = cssWidth === 0;
        var cx = (cssWidth / 2 - view.tx) / view.scale, cy = (view.ty - cssHeight / 2) / view.scale;
        cssWidth = w; cssHeight = h;
        canvas.width = overlay.width = Math.round(w * dpr);   // (which also clears the overlay)
        canvas.height = overlay.height = Math.round(h * dpr);
        overlayBlank = true;
        if (first) fitView(); else { view.tx = w / 2 - cx * view.scale; view.ty = h / 2 + cy * view.scale; }
      }
      function fitView() {
        var m = D.maps[mapIndex];
        var s = Math.min(cssWidth / m.width, cssHeight / m.height) * 0.94;
        view.scale = s;
        view.tx = (cssWidth - m.width * s) / 2;
        view.ty = cssHeight - (cssHeight - m.height * s) / 2;
      }

      // Points (renderer) and rings (overlay) redraw separately: hovering repaints only the overlay.
      function drawPoints() {
        renderer.draw(mapIndex, { s: view.scale, tx: view.tx, ty: view.ty, W: cssWidth, H: cssHeight, r: radius(), dpr: dpr });
      }
      function ring(i, extra, width) {
        if (xys[mapIndex][2 * i] < 0) return;
        var p = toScreen(i);
        octx.lineWidth = width;
        octx.beginPath(); octx.arc(p[0], p[1], radius() + extra, 0, 6.283185307179586); octx.stroke();
      }
      var overlayBlank = true;
      function drawOverlay() {
        var idle = selected < 0 && hovered < 0 && issuePoints.length === 0;
        if (overlayBlank && idle) return;   // nothing to clear or draw: no repaint
        octx.setTransform(dpr, 0, 0, dpr, 0, 0);
        octx.clearRect(0, 0, cssWidth, cssHeight);
        overlayBlank = idle;
        if (issuePoints.length) {
          octx.strokeStyle = '#d62728';
          for (var q = 0; q < issuePoints.length && q < issueRings; q++) {
            if (!hidden[labels[issuePoints[q]]]) ring(issuePoints[q], 2, 1.5);
          }
        }
        if (selected >= 0) {
          octx.strokeStyle = '#111';
          (neighboursOf(selected) || []).forEach(function (j) { ring(j, 3, 1.5); });
          octx.strokeStyle = '#000';
          ring(selected, 6, 2.5);
        }
        if (hovered >= 0) { octx.strokeStyle = '#000'; ring(hovered, 2, 1.5); }
      }
      function draw() { drawPoints(); drawOverlay(); }
      var needPoints = false, frameQueued = false;
      function requestDraw(points) {
        if (points !== false) needPoints = true;
        if (frameQueued) return;
        frameQueued = true;
        window.requestAnimationFrame(function () {
          frameQueued = false;
          if (needPoints) { needPoints = false; drawPoints(); }
          drawOverlay();
        });
      }

      // The visible point nearest to (sx, sy) in CSS pixels, within a few pixels; -1 if none.
      function pick(sx, sy) {
        var ix = index(), xy = xys[mapIndex];
        var px = (sx - view.tx) / view.scale, py = (view.ty - sy) / view.scale;
        var reach = Math.max(radius() + 3, 6) / view.scale;
        var c0 = Math.max(0, Math.floor((px - reach) / ix.size)), c1 = Math.min(G - 1, Math.floor((px + reach) / ix.size));
        var r0 = Math.max(0, Math.floor((py - reach) / ix.size)), r1 = Math.min(G - 1, Math.floor((py + reach) / ix.size));
        var best = -1, bestD = reach * reach;
        for (var row = r0; row <= r1; row++) {
          for (var col = c0; col <= c1; col++) {
            var c = row * G + col;
            for (var k = ix.start[c]; k < ix.start[c + 1]; k++) {
              var i = ix.items[k];
              if (hidden[labels[i]]) continue;
              var dx = xy[2 * i] - px, dy = xy[2 * i + 1] - py, dd = dx * dx + dy * dy;
              if (dd < bestD || (dd === bestD && best >= 0 && i < best)) { bestD = dd; best = i; }
            }
          }
        }
        return best;
      }

      function showTooltip(i, sx, sy) {
        tip.textContent = '';
        if (i < 0) { tip.hidden = true; return; }
        var img = thumb(i);
        if (img) tip.appendChild(img);
        else if (hasThumbs) tip.appendChild(el('div', 'nothumb', 'no thumbnail'));
        tip.appendChild(labelLine(i));
        tip.appendChild(el('div', 'id', idOf(i)));
        tip.hidden = false;
        var w = tip.offsetWidth, h = tip.offsetHeight;
        var x = sx + 14, y = sy + 14;
        if (x + w > cssWidth) x = sx - w - 14;
        if (y + h > cssHeight) y = sy - h - 14;
        tip.style.left = Math.max(0, x) + 'px';
        tip.style.top = Math.max(0, y) + 'px';
      }

      function select(i) {
        selected = i;
        var box = document.getElementById('selected'), list = document.getElementById('neighbours');
        box.textContent = ''; list.textContent = '';
        if (i < 0) {
          box.className = 'empty';
          box.textContent = 'Click a point to list its nearest neighbours.';
          requestDraw(false);
          return;
        }
        box.className = '';
        var img = thumb(i);
        if (img) box.appendChild(img);
        var info = el('div');
        info.appendChild(labelLine(i));
        info.appendChild(el('div', 'id', idOf(i)));
        var nb = neighboursOf(i);
        info.appendChild(el('div', 'note', nb === undefined ? 'loading its nearest neighbours\u2026'
                                           : nb ? nb.length + ' nearest neighbours in the embedding space:'
                                           : 'no neighbour lists in this page'));
        box.appendChild(info);
        (nb || []).forEach(function (j) {
          var li = document.createElement('li'), row = el('div');
          li.setAttribute('data-index', String(j));
          row.appendChild(el('span', 'rank', (list.children.length + 1) + '.'));
          var t = thumb(j);
          if (t) row.appendChild(t);
          var text = el('div');
          text.appendChild(labelLine(j));
          text.appendChild(el('div', 'id', idOf(j)));
          row.appendChild(text);
          li.appendChild(row);
          li.addEventListener('click', function () { select(j); });
          list.appendChild(li);
        });
        requestDraw(false);
      }
      // A chunk arrived: what shows its entries is built again.
      function refresh() {
        if (hovered >= 0 && !tip.hidden) showTooltip(hovered, lastMouse[0], lastMouse[1]);
        if (selected >= 0) select(selected);
        if (issueKind) showIssues(issueKind);
      }

      // Issues (explore --audit): one of the audit's lists at a time, with thumbnails (a duplicate pair side by
      // side); its points are ringed in red on the map, and clicking an entry selects the point (its neighbours).
      var issueKinds = document.getElementById('issue-kinds'), issueList = document.getElementById('issue-list');
      var issueNote = document.getElementById('issue-note');
      var issueKind = null, issueShown = 100, issueRings = 5000;
      function issueEntries(kind) {
        return kind === 'label' ? D.issues.label || [] : kind === 'duplicates' ? D.issues.duplicates : D.issues.outliers;
      }
      function issueTotal(kind) {
        return kind === 'label' ? D.issues.labelTotal : kind === 'duplicates' ? D.issues.duplicateTotal : D.issues.outlierTotal;
      }
      function showIssues(kind) {
        issueKind = kind;
        Array.prototype.forEach.call(issueKinds.children, function (b) { b.className = b.getAttribute('data-kind') === kind ? 'active' : ''; });
        issueList.textContent = '';
        issuePoints = [];
        if (!kind) { issueNote.textContent = 'Choose a list.'; requestDraw(false); return; }
        var entries = issueEntries(kind), total = issueTotal(kind);
        entries.forEach(function (e) { issuePoints.push(e[0]); if (kind === 'duplicates') issuePoints.push(e[1]); });
        var what = kind === 'label' ? total + ' label-error candidates, lowest self-confidence first'
          : kind === 'duplicates' ? total + ' near-duplicate pairs at cosine \u2265 ' + D.issues.threshold.toFixed(4) + ', most similar first'
          : total + ' outliers, farthest from their neighbours first';
        if (entries.length < total) what += ' (the page holds the first ' + entries.length + ')';
        if (entries.length > issueShown) what += '; listed: the first ' + issueShown;
        issueNote.textContent = what + '. Ringed in red on the map; click one to select it.';
        entries.slice(0, issueShown).forEach(function (e) {
          var li = document.createElement('li'), row = el('div', 'issue'), text = el('div');
          li.setAttribute('data-index', String(e[0]));
          var shown = kind === 'duplicates' ? [e[0], e[1]] : [e[0]];
          shown.forEach(function (j) { var t = thumb(j); if (t) row.appendChild(t); });
          if (kind === 'duplicates') {
            text.appendChild(el('div', 'label', 'cosine ' + e[2].toFixed(4)));
            shown.forEach(function (j) { text.appendChild(el('div', 'id', idOf(j))); });
          } else {
            text.appendChild(labelLine(e[0]));
            text.appendChild(el('div', 'id', idOf(e[0])));
            text.appendChild(el('div', 'note', kind === 'label'
              ? 'suggested: ' + labelName(e[1]) + ' \u00b7 self-confidence ' + e[2].toFixed(2)
              : 'mean distance to its neighbours ' + e[1].toFixed(4)));
          }
          row.appendChild(text);
          li.appendChild(row);
          li.addEventListener('click', function () { select(e[0]); });
          issueList.appendChild(li);
        });
        requestDraw(false);
      }
      if (D.issues) {
        document.getElementById('issues').hidden = false;
        [['label', 'label errors'], ['duplicates', 'duplicates'], ['outliers', 'outliers']].forEach(function (k) {
          if (k[0] === 'label' && !D.issues.label) return;
          var b = el('button', '', k[1] + ' (' + issueTotal(k[0]) + ')');
          b.type = 'button';
          b.setAttribute('data-kind', k[0]);
          b.addEventListener('click', function () { showIssues(issueKind === k[0] ? null : k[0]); });
          issueKinds.appendChild(b);
        });
        showIssues(null);
      }

      // Tabs.
      var tabs = document.getElementById('tabs');
      D.maps.forEach(function (m, k) {
        var b = el('button', k === 0 ? 'active' : '', m.name + (m.dims > 2 ? ' (first 2 of ' + m.dims + ' dims)' : ''));
        b.type = 'button';
        b.addEventListener('click', function () {
          mapIndex = k;
          Array.prototype.forEach.call(tabs.children, function (c, n) { c.className = n === k ? 'active' : ''; });
          hovered = -1; tip.hidden = true;
          fitView(); requestDraw();
        });
        tabs.appendChild(b);
      });
      statusLine.textContent = N.toLocaleString('en-US') + ' points';

      // Class filter.
      var counts = {};
      for (var p = 0; p < N; p++) counts[labels[p]] = (counts[labels[p]] || 0) + 1;
      var keys = Object.keys(counts).map(Number).sort(function (a, b) { return (a < 0) - (b < 0) || a - b; });
      var filters = document.getElementById('filters'), boxes = {};
      keys.forEach(function (l) {
        var row = el('label'), cb = document.createElement('input'), sw = el('span', 'swatch');
        cb.type = 'checkbox'; cb.checked = true;
        cb.addEventListener('change', function () {
          if (cb.checked) delete hidden[l]; else hidden[l] = true;
          if (hovered >= 0 && hidden[labels[hovered]]) { hovered = -1; tip.hidden = true; }
          renderer.colorsChanged();
          requestDraw();
        });
        boxes[l] = cb;
        sw.style.background = colorOf(l);
        row.appendChild(cb); row.appendChild(sw);
        row.appendChild(el('span', '', labelName(l)));
        row.appendChild(el('span', 'count', String(counts[l])));
        filters.appendChild(row);
      });
      function setAll(on) {
        keys.forEach(function (l) { boxes[l].checked = on; if (on) delete hidden[l]; else hidden[l] = true; });
        hovered = -1; tip.hidden = true; renderer.colorsChanged(); requestDraw();
      }
      document.getElementById('show-all').addEventListener('click', function () { setAll(true); });
      document.getElementById('show-none').addEventListener('click', function () { setAll(false); });

      // Mouse: hover, drag to pan, wheel to zoom, click to select.
      var drag = null;
      function local(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
      canvas.addEventListener('mousedown', function (e) {
        var p = local(e);
        drag = { x: p[0], y: p[1], tx: view.tx, ty: view.ty, moved: false };
      });
      window.addEventListener('mouseup', function () {
        if (drag && drag.moved) canvas.classList.remove('dragging');
        setTimeout(function () { drag = null; }, 0);
      });
      canvas.addEventListener('mousemove', function (e) {
        var p = local(e);
        lastMouse = p;
        if (drag && (e.buttons & 1)) {
          var dx = p[0] - drag.x, dy = p[1] - drag.y;
          if (!drag.moved && dx * dx + dy * dy > 9) { drag.moved = true; canvas.classList.add('dragging'); }
          if (drag.moved) {
            view.tx = drag.tx + dx; view.ty = drag.ty + dy;
            tip.hidden = true; hovered = -1; requestDraw();
            return;
          }
        }
        var i = pick(p[0], p[1]);
        if (i !== hovered) { hovered = i; requestDraw(false); }
        showTooltip(i, p[0], p[1]);
      });
      canvas.addEventListener('mouseleave', function () { hovered = -1; tip.hidden = true; requestDraw(false); });
      canvas.addEventListener('click', function (e) {
        if (drag && drag.moved) return;
        var p = local(e);
        select(pick(p[0], p[1]));
      });
      canvas.addEventListener('dblclick', function () { fitView(); requestDraw(); });
      canvas.addEventListener('wheel', function (e) {
        e.preventDefault();
        var p = local(e), f = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
        var next = Math.min(Math.max(view.scale * f, 1e-6), 1e6);
        f = next / view.scale;
        view.tx = p[0] - (p[0] - view.tx) * f;
        view.ty = p[1] - (p[1] - view.ty) * f;
        view.scale = next;
        tip.hidden = true; hovered = -1;
        requestDraw();
      }, { passive: false });
      window.addEventListener('resize', function () { resize(); requestDraw(); });

      resize();
      draw();
      var firstDrawn = performance.now();

      if (flag('selftest')) selfTest();
      var bench = flag('bench');
      if (bench) runBench(Number(bench.split('=')[1]) || 240);

      // Self-test: hover and click point 0 with synthetic events, record what showed (after lazy parts arrive).
      function selfTest() {
        var result = { points: N, map: D.maps[mapIndex].name, renderer: renderer.kind, external: external };
        var out = document.getElementById('selftest');
        function report() {
          out.textContent = JSON.stringify(result);
          out.setAttribute('data-result', result.ok ? 'passed' : 'failed');
          document.title = 'selftest ' + (result.ok ? 'passed' : 'failed');
        }
        function guarded(step) {
          return function () {
            try { step(); } catch (err) { result.ok = false; result.error = String(err && err.stack || err); report(); }
          };
        }
        function loadedImages(selector) {
          return Array.prototype.filter.call(document.querySelectorAll(selector), function (img) {
            return external ? img.complete && img.naturalWidth > 0 && img.getAttribute('src').indexOf('/thumbs/') > 0
                            : img.getAttribute('src').indexOf('data:image/png;base64,') === 0;
          }).length;
        }
        // Centre point 0 at 64× zoom first: mouse coordinates are whole pixels, and in a dense map another point
        // may lie closer than 1 pixel to point 0 at the fitted scale.
        var target = 0, xy0 = xys[mapIndex], s, at;
        function centre() {
          view.scale *= 64;
          view.tx = cssWidth / 2 - xy0[0] * view.scale;
          view.ty = cssHeight / 2 + xy0[1] * view.scale;
          draw();
          var r = canvas.getBoundingClientRect();
          s = toScreen(target);
          at = { clientX: Math.round(r.left + s[0]), clientY: Math.round(r.top + s[1]), bubbles: true, cancelable: true, view: window };
        }
        guarded(function () {
          centre();
          canvas.dispatchEvent(new MouseEvent('mousemove', at));
          whenSettled(guarded(hovered0));
        })();
        function hovered0() {
          result.hovered = hovered;
          result.tooltipVisible = !tip.hidden;
          result.tooltipText = tip.textContent;
          result.tooltipImage = loadedImages('#tooltip img') === 1;
          canvas.dispatchEvent(new MouseEvent('mousedown', Object.assign({ buttons: 1 }, at)));
          window.dispatchEvent(new MouseEvent('mouseup', at));
          canvas.dispatchEvent(new MouseEvent('click', at));
          whenSettled(guarded(selected0));
        }
        function selected0() {
          var items = document.querySelectorAll('#neighbours li');
          result.selected = selected;
          result.neighbourCount = items.length;
          result.neighbourIndices = Array.prototype.map.call(items, function (li) { return Number(li.getAttribute('data-index')); });
          result.neighbourImages = loadedImages('#neighbours li img');
          var expected = neighboursOf(target) || [];
          // Filter: hiding point 0's class makes it unpickable; showing it again restores it.
          var box = boxes[labels[target]];
          box.click();
          result.filterHides = pick(s[0], s[1]) !== target;
          box.click();
          result.filterShows = pick(s[0], s[1]) === target;
          // Wheel zooms about the cursor (the point under it stays put); a drag pans; a tab switches maps.
          var before = view.scale;
          canvas.dispatchEvent(new WheelEvent('wheel', Object.assign({ deltaY: -200 }, at)));
          var after = toScreen(target);
          result.zoomed = view.scale > before && Math.abs(after[0] - s[0]) < 1 && Math.abs(after[1] - s[1]) < 1;
          drawPoints();
          var tx0 = view.tx, ty0 = view.ty, moved = Object.assign({}, at, { clientX: at.clientX + 40, clientY: at.clientY + 30 });
          canvas.dispatchEvent(new MouseEvent('mousedown', Object.assign({ buttons: 1 }, at)));
          canvas.dispatchEvent(new MouseEvent('mousemove', Object.assign({ buttons: 1 }, moved)));
          window.dispatchEvent(new MouseEvent('mouseup', moved));
          result.panned = Math.round(view.tx - tx0) === 40 && Math.round(view.ty - ty0) === 30;
          if (renderer.snapshot) {
            // The raster renderer's pan (pixels moved, new strips drawn) must equal a redraw from scratch.
            drawPoints();
            var moved0 = renderer.snapshot(), viaPan = renderer.wasPan();
            renderer.invalidate();
            drawPoints();
            var full = renderer.snapshot(), differing = 0;
            for (var q = 0; q < full.length; q++) if (full[q] !== moved0[q]) differing++;
            result.panExact = viaPan && differing === 0;
            result.panDifferingPixels = differing;
          } else {
            result.panExact = true;
          }
          drag = null;
          if (D.maps.length > 1) {
            tabs.children[1].click();
            result.switchedTab = mapIndex === 1 && tabs.children[1].className === 'active';
            tabs.children[0].click();
          } else {
            result.switchedTab = true;
          }
          // Issues: each list is listed and ringed in red on the whole map; the duplicates stay shown.
          var issuesOk = true;
          if (D.issues) {
            fitView(); drawPoints();
            result.issues = {};
            Array.prototype.forEach.call(issueKinds.children, function (b) {
              var kind = b.getAttribute('data-kind');
              b.click();
              drawOverlay();
              var expectedCount = Math.min(issueShown, issueEntries(kind).length);
              var r = { listed: issueList.children.length, expected: expectedCount, redPixels: redPixels() };
              result.issues[kind] = r;
              issuesOk = issuesOk && r.listed === expectedCount && (expectedCount === 0 || r.redPixels > 0);
              b.click();
            });
            var dup = issueKinds.querySelector('[data-kind="duplicates"]');
            if (dup) dup.click();
          }
          whenSettled(guarded(function () {
            if (D.issues) {
              result.issueImages = loadedImages('#issue-list img');
              result.issueExpectedImages = document.querySelectorAll('#issue-list img').length;
              issuesOk = issuesOk && result.issueImages === result.issueExpectedImages;
            }
            // Back to the hovered-and-selected state, for a screenshot of #selftest.
            centre();
            canvas.dispatchEvent(new MouseEvent('mousemove', at));
            result.problem = problemBox.hidden ? null : problemBox.textContent;
            result.ok = result.hovered === target && result.tooltipVisible && result.selected === target &&
              result.neighbourCount === expected.length &&
              result.neighbourIndices.every(function (v, k) { return v === expected[k]; }) &&
              result.filterHides && result.filterShows && result.zoomed && result.panned && result.panExact && result.switchedTab &&
              issuesOk && result.problem === null;
            report();
          }));
        }
        // Overlay pixels of the issue rings' red.
        function redPixels() {
          var copy = document.createElement('canvas');
          copy.width = overlay.width; copy.height = overlay.height;
          var c = copy.getContext('2d', { willReadFrequently: true });
          c.drawImage(overlay, 0, 0);
          var img = c.getImageData(0, 0, copy.width, copy.height).data, n = 0;
          for (var q = 0; q < img.length; q += 4) if (img[q + 3] > 100 && img[q] > 150 && img[q + 1] < 110 && img[q + 2] < 110) n++;
          return n;
        }
      }

      // Bench: 60 animation frames that draw nothing (the browser's own frame interval, the floor), then `frames`
      // of panning (3 px right and 2 px down a frame, back after every 60), then as many of zooming (0.4 % a frame
      // about the centre, out again after every 60), each drawn. Frame time = the interval between animation
      // frames, so it includes the drawing however the browser schedules it.
      function runBench(frames) {
        var out = document.getElementById('bench'), idle = 60;
        var intervals = { idle: [], pan: [], zoom: [] }, work = { idle: [], pan: [], zoom: [] };
        var last = 0, k = 0, opened = 0;
        var t0 = performance.now();
        index();
        var indexMs = performance.now() - t0;
        t0 = performance.now();
        var picks = 2000, found = 0;
        for (var q = 0; q < picks; q++) if (pick((q * 37) % cssWidth, (q * 53) % cssHeight) >= 0) found++;
        var pickUs = (performance.now() - t0) * 1000 / picks;
        window.requestAnimationFrame(function (t) { opened = performance.now(); last = t; window.requestAnimationFrame(step); });
        function step(t) {
          var phase = k < idle ? 'idle' : k < idle + frames ? 'pan' : 'zoom';
          var j = (k - idle) % frames, dir = Math.floor(j / 60) % 2 ? -1 : 1;
          intervals[phase].push(t - last);
          last = t;
          var a = performance.now();
          if (phase === 'idle') {
            work.idle.push(0);
            if (++k < idle + 2 * frames) window.requestAnimationFrame(step); else finish();
            return;
          }
          if (phase === 'pan') {
            view.tx += 3 * dir; view.ty += 2 * dir;
          } else {
            var f = dir > 0 ? 1.004 : 1 / 1.004, cx = cssWidth / 2, cy = cssHeight / 2;
            view.tx = cx - (cx - view.tx) * f;
            view.ty = cy - (cy - view.ty) * f;
            view.scale *= f;
          }
          drawPoints();
          drawOverlay();
          work[phase].push(performance.now() - a);
          if (++k < idle + 2 * frames) window.requestAnimationFrame(step); else finish();
        }
        function quantile(a, p) {
          var b = a.slice(1).sort(function (x, y) { return x - y; });   // the first interval spans the switch
          return b[Math.min(b.length - 1, Math.floor(p * b.length))];
        }
        function figures(phase) {
          var median = quantile(intervals[phase], 0.5), slow = quantile(intervals[phase], 0.95);
          return { frames: intervals[phase].length, medianFrameMs: median, p95FrameMs: slow, fpsMedian: 1000 / median,
                   fps5thPercentile: 1000 / slow, medianDrawMs: quantile(work[phase], 0.5) };
        }
        function finish() {
          var result = {
            renderer: renderer.kind, points: N, maps: D.maps.length, external: external,
            idle: figures('idle'), pan: figures('pan'), zoom: figures('zoom'),
            openMs: opened, scriptStartMs: started, decodedMs: decoded, firstDrawMs: firstDrawn,
            indexBuildMs: indexMs, pickMicroseconds: pickUs, picksFound: found,
            width: cssWidth, height: cssHeight, devicePixelRatio: dpr
          };
          out.textContent = JSON.stringify(result);
          out.setAttribute('data-result', 'done');
        }
      }
    })();
    """#
}
