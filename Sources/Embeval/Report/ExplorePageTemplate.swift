/// The fixed parts of `ExplorePage`'s HTML: stylesheet and script. Only two values are spliced in: the title,
/// already entity-escaped, and the data JSON, already made safe for a `<script>` block.
enum ExplorePageTemplate {
    static func page(title: String, dataJSON: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header><h1>\(title)</h1><nav id="tabs" aria-label="maps"></nav><span id="status"></span></header>
        <main>
        <div id="plot"><canvas id="canvas"></canvas><div id="tooltip" hidden></div>
        <div id="hint">wheel: zoom · drag: pan · double-click: reset · click a point: neighbours</div></div>
        <aside>
        <section><h2>Classes</h2><div class="buttons"><button type="button" id="show-all">all</button>
        <button type="button" id="show-none">none</button></div><div id="filters"></div></section>
        <section><h2>Selection</h2><div id="selected" class="empty">Click a point to list its nearest neighbours.</div>
        <ol id="neighbours"></ol></section>
        </aside>
        </main>
        <pre id="selftest" hidden></pre>
        <script type="application/json" id="embeval-data">\(dataJSON)</script>
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
    }

    static let css = #"""
    * { box-sizing: border-box; }
    html, body { margin: 0; height: 100%; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
      color: #222; background: #fff; }
    header { height: 48px; display: flex; align-items: center; gap: 16px; padding: 0 12px; border-bottom: 1px solid #ddd; }
    h1 { font-size: 16px; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 45%; }
    h2 { font-size: 13px; margin: 8px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
    #tabs button { border: 1px solid #bbb; background: #f4f4f4; padding: 4px 12px; margin-right: 4px; border-radius: 4px;
      cursor: pointer; font: inherit; }
    #tabs button.active { background: #2f6fb0; border-color: #2f6fb0; color: #fff; }
    #status { color: #666; margin-left: auto; white-space: nowrap; }
    main { display: flex; height: calc(100% - 48px); }
    #plot { position: relative; flex: 1; min-width: 0; overflow: hidden; }
    #canvas { position: absolute; left: 0; top: 0; width: 100%; height: 100%; cursor: crosshair; }
    #canvas.dragging { cursor: grabbing; }
    #hint { position: absolute; left: 8px; bottom: 6px; color: #888; font-size: 11px; pointer-events: none; }
    aside { width: 300px; flex: none; border-left: 1px solid #ddd; padding: 0 10px 10px; overflow-y: auto; }
    .buttons button { font: inherit; padding: 1px 8px; margin-right: 4px; }
    #filters label { display: flex; align-items: center; gap: 6px; padding: 1px 0; cursor: pointer; }
    #filters .count { color: #888; margin-left: auto; }
    .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; flex: none; }
    #tooltip { position: absolute; pointer-events: none; background: rgba(255,255,255,.96); border: 1px solid #999;
      border-radius: 4px; padding: 6px; box-shadow: 0 2px 6px rgba(0,0,0,.2); max-width: 260px; z-index: 2; }
    #tooltip img, #selected img, #neighbours img { image-rendering: pixelated; background: #eee; flex: none; }
    #tooltip img { width: 96px; height: 96px; object-fit: contain; display: block; margin-bottom: 4px; }
    .label { font-weight: 600; display: flex; align-items: center; gap: 5px; }
    .id { color: #555; word-break: break-all; font-size: 12px; }
    .nothumb { color: #999; font-size: 11px; }
    #selected { display: flex; gap: 8px; align-items: flex-start; }
    #selected.empty { color: #888; display: block; }
    #selected img { width: 64px; height: 64px; object-fit: contain; }
    #neighbours { list-style: none; padding-left: 0; margin: 6px 0; }
    #neighbours .rank { color: #888; width: 20px; text-align: right; flex: none; }
    .note { color: #555; font-size: 12px; }
    #neighbours li { cursor: pointer; padding: 2px 0; }
    #neighbours li > div { display: flex; gap: 6px; align-items: center; }
    #neighbours li:hover { background: #f0f4fa; }
    #neighbours img { width: 36px; height: 36px; object-fit: contain; }
    """#

    static let script = #"""
    (function () {
      'use strict';
      var D = JSON.parse(document.getElementById('embeval-data').textContent);
      var N = D.count, Q = D.scale;
      var canvas = document.getElementById('canvas'), ctx = canvas.getContext('2d');
      var plot = document.getElementById('plot'), tip = document.getElementById('tooltip');
      var labels = D.labels || new Array(N).fill(0);
      var hidden = {};            // label -> true when filtered out
      var mapIndex = 0, selected = -1, hovered = -1;
      var view = { scale: 1, tx: 0, ty: 0 };
      var cssWidth = 0, cssHeight = 0;
      var indexes = [];           // per map: grid index for hit-testing
      var needsDraw = false;

      function labelName(l) {
        if (!D.labels) return 'all points';
        if (l < 0) return 'unlabelled';
        return l < D.classNames.length ? D.classNames[l] : 'class ' + l;
      }
      function colorOf(l) { return l < 0 ? D.unlabelledColor : D.colors[l]; }
      function idOf(i) { return D.ids ? D.ids[i] : '#' + i; }
      function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined) e.textContent = text;
        return e;
      }
      function thumb(i) {
        var t = D.thumbs && D.thumbs[i];
        if (!t) return null;
        var img = document.createElement('img');
        img.src = 'data:image/png;base64,' + t;
        img.alt = '';
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

      // Drawing batches: points in a fixed shuffled order, cut into single-class runs of up to 2,000 points, so no
      // class is buried under another and overlapping points in different batches still build up density.
      var batches = (function () {
        var order = new Array(N), s = 0x2545f491;
        for (var i = 0; i < N; i++) order[i] = i;
        for (var j = N - 1; j > 0; j--) {
          s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
          var k = (s >>> 0) % (j + 1), t = order[j]; order[j] = order[k]; order[k] = t;
        }
        var open = {}, out = [], keys = [];
        for (var n = 0; n < N; n++) {
          var p = order[n], l = labels[p];
          if (!open[l]) { open[l] = []; keys.push(l); }
          open[l].push(p);
          if (open[l].length === 2000) { out.push({ label: l, points: Int32Array.from(open[l]) }); open[l] = []; }
        }
        keys.forEach(function (l) { if (open[l].length) out.push({ label: l, points: Int32Array.from(open[l]) }); });
        return out;
      })();

      // Grid index over the map's integer coordinates: cell -> points, as offsets into one array.
      var G = 128;
      function buildIndex(m) {
        var xy = D.maps[m].xy, cell = new Int32Array(N), counts = new Int32Array(G * G + 1);
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
        var xy = D.maps[mapIndex].xy;
        return [view.tx + xy[2 * i] * view.scale, view.ty - xy[2 * i + 1] * view.scale];
      }

      function resize() {
        var dpr = window.devicePixelRatio || 1, r = plot.getBoundingClientRect();
        var w = Math.max(50, Math.round(r.width)), h = Math.max(50, Math.round(r.height));
        var first = cssWidth === 0;
        var cx = (cssWidth / 2 - view.tx) / view.scale, cy = (view.ty - cssHeight / 2) / view.scale;
        cssWidth = w; cssHeight = h;
        canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        if (first) fitView(); else { view.tx = w / 2 - cx * view.scale; view.ty = h / 2 + cy * view.scale; }
      }
      function fitView() {
        var m = D.maps[mapIndex];
        var s = Math.min(cssWidth / m.width, cssHeight / m.height) * 0.94;
        view.scale = s;
        view.tx = (cssWidth - m.width * s) / 2;
        view.ty = cssHeight - (cssHeight - m.height * s) / 2;
      }

      function draw() {
        needsDraw = false;
        var xy = D.maps[mapIndex].xy, s = view.scale, tx = view.tx, ty = view.ty;
        var r = radius(), square = r < 1.6, d = 2 * r, W = cssWidth, H = cssHeight;
        ctx.globalAlpha = 1;
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(0, 0, W, H);
        ctx.globalAlpha = D.alpha;
        for (var b = 0; b < batches.length; b++) {
          var batch = batches[b];
          if (hidden[batch.label]) continue;
          ctx.fillStyle = colorOf(batch.label);
          ctx.beginPath();
          var pts = batch.points;
          for (var k = 0; k < pts.length; k++) {
            var i = pts[k], qx = xy[2 * i];
            if (qx < 0) continue;
            var x = tx + qx * s, y = ty - xy[2 * i + 1] * s;
            if (x < -r || y < -r || x > W + r || y > H + r) continue;
            if (square) ctx.rect(x - r, y - r, d, d);
            else { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 6.283185307179586); }
          }
          ctx.fill();
        }
        ctx.globalAlpha = 1;
        if (selected >= 0) {
          var list = (D.neighbours && D.neighbours[selected]) || [];
          ctx.lineWidth = 1.5;
          ctx.strokeStyle = '#111';
          list.forEach(function (j) {
            if (xy[2 * j] < 0) return;
            var p = toScreen(j);
            ctx.beginPath(); ctx.arc(p[0], p[1], r + 3, 0, 6.283185307179586); ctx.stroke();
          });
          if (xy[2 * selected] >= 0) {
            var q = toScreen(selected);
            ctx.lineWidth = 2.5;
            ctx.strokeStyle = '#000';
            ctx.beginPath(); ctx.arc(q[0], q[1], r + 6, 0, 6.283185307179586); ctx.stroke();
          }
        }
        if (hovered >= 0) {
          var h = toScreen(hovered);
          ctx.lineWidth = 1.5; ctx.strokeStyle = '#000';
          ctx.beginPath(); ctx.arc(h[0], h[1], r + 2, 0, 6.283185307179586); ctx.stroke();
        }
      }
      function requestDraw() {
        if (needsDraw) return;
        needsDraw = true;
        window.requestAnimationFrame(draw);
      }

      // The visible point nearest to (sx, sy) in CSS pixels, within a few pixels; -1 if none.
      function pick(sx, sy) {
        var ix = index(), xy = D.maps[mapIndex].xy;
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
        else if (D.thumbs) tip.appendChild(el('div', 'nothumb', 'no thumbnail'));
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
          requestDraw();
          return;
        }
        box.className = '';
        var img = thumb(i);
        if (img) box.appendChild(img);
        var info = el('div');
        info.appendChild(labelLine(i));
        info.appendChild(el('div', 'id', idOf(i)));
        var nb = D.neighbours && D.neighbours[i];
        info.appendChild(el('div', 'note', nb ? nb.length + ' nearest neighbours in the embedding space:'
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
        requestDraw();
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
      document.getElementById('status').textContent = N.toLocaleString('en-US') + ' points';

      // Class filter.
      var counts = {};
      labels.forEach(function (l) { counts[l] = (counts[l] || 0) + 1; });
      var keys = Object.keys(counts).map(Number).sort(function (a, b) { return (a < 0) - (b < 0) || a - b; });
      var filters = document.getElementById('filters'), boxes = {};
      keys.forEach(function (l) {
        var row = el('label'), cb = document.createElement('input'), sw = el('span', 'swatch');
        cb.type = 'checkbox'; cb.checked = true;
        cb.addEventListener('change', function () {
          if (cb.checked) delete hidden[l]; else hidden[l] = true;
          if (hovered >= 0 && hidden[labels[hovered]]) { hovered = -1; tip.hidden = true; }
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
        hovered = -1; tip.hidden = true; requestDraw();
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
        if (i !== hovered) { hovered = i; requestDraw(); }
        showTooltip(i, p[0], p[1]);
      });
      canvas.addEventListener('mouseleave', function () { hovered = -1; tip.hidden = true; requestDraw(); });
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

      // Self-test (URL fragment #selftest): hover and click point 0 with synthetic events, record what showed.
      if (location.hash === '#selftest') {
        var result = { points: N, map: D.maps[mapIndex].name };
        try {
          // Centre point 0 at 64× zoom first: mouse coordinates are whole pixels, and in a dense map another point
          // may lie closer than 1 pixel to point 0 at the fitted scale.
          var target = 0, xy0 = D.maps[mapIndex].xy;
          view.scale *= 64;
          view.tx = cssWidth / 2 - xy0[0] * view.scale;
          view.ty = cssHeight / 2 + xy0[1] * view.scale;
          draw();
          var r = canvas.getBoundingClientRect(), s = toScreen(target);
          var at = { clientX: Math.round(r.left + s[0]), clientY: Math.round(r.top + s[1]), bubbles: true,
                     cancelable: true, view: window };
          canvas.dispatchEvent(new MouseEvent('mousemove', at));
          result.hovered = hovered;
          result.tooltipVisible = !tip.hidden;
          result.tooltipText = tip.textContent;
          result.tooltipImage = !!tip.querySelector('img[src^="data:image/png;base64,"]');
          canvas.dispatchEvent(new MouseEvent('mousedown', Object.assign({ buttons: 1 }, at)));
          window.dispatchEvent(new MouseEvent('mouseup', at));
          canvas.dispatchEvent(new MouseEvent('click', at));
          var items = document.querySelectorAll('#neighbours li');
          result.selected = selected;
          result.neighbourCount = items.length;
          result.neighbourIndices = Array.prototype.map.call(items, function (li) { return Number(li.getAttribute('data-index')); });
          result.neighbourImages = document.querySelectorAll('#neighbours li img[src^="data:image/png;base64,"]').length;
          var expected = (D.neighbours && D.neighbours[target]) || [];
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
          var tx0 = view.tx, ty0 = view.ty, moved = Object.assign({}, at, { clientX: at.clientX + 40, clientY: at.clientY + 30 });
          canvas.dispatchEvent(new MouseEvent('mousedown', Object.assign({ buttons: 1 }, at)));
          canvas.dispatchEvent(new MouseEvent('mousemove', Object.assign({ buttons: 1 }, moved)));
          window.dispatchEvent(new MouseEvent('mouseup', moved));
          result.panned = Math.round(view.tx - tx0) === 40 && Math.round(view.ty - ty0) === 30;
          drag = null;
          if (D.maps.length > 1) {
            tabs.children[1].click();
            result.switchedTab = mapIndex === 1 && tabs.children[1].className === 'active';
            tabs.children[0].click();
          } else {
            result.switchedTab = true;
          }
          // Back to the hovered-and-selected state, for a screenshot of #selftest.
          view.scale *= 64;
          view.tx = cssWidth / 2 - xy0[0] * view.scale;
          view.ty = cssHeight / 2 + xy0[1] * view.scale;
          draw();
          s = toScreen(target);
          canvas.dispatchEvent(new MouseEvent('mousemove', at));
          result.ok = result.hovered === target && result.tooltipVisible && result.selected === target &&
            result.neighbourCount === expected.length &&
            result.neighbourIndices.every(function (v, k) { return v === expected[k]; }) &&
            result.filterHides && result.filterShows && result.zoomed && result.panned && result.switchedTab;
        } catch (err) {
          result.ok = false;
          result.error = String(err && err.stack || err);
        }
        var out = document.getElementById('selftest');
        out.textContent = JSON.stringify(result);
        out.setAttribute('data-result', result.ok ? 'passed' : 'failed');
        document.title = 'selftest ' + (result.ok ? 'passed' : 'failed');
      }
    })();
    """#
}
