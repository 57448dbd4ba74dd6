extension ExplorePageScript {
    /// The two ways the page draws a map's points (the hover and selection rings go on a 2-D overlay canvas). Both
    /// draw every point once per frame in one fixed shuffled order (so no class hides under another), blending
    /// its class colour with opacity `alpha` over what is there.
    ///
    /// `webgl`: WebGL 2 `gl.POINTS` from vertex buffers uploaded once per map; a pan or zoom changes two uniforms,
    /// a class filter one row of a colour texture (alpha 0 = hidden). Used where the browser has a hardware GPU
    /// (not `failIfMajorPerformanceCaveat`, and a renderer name other than SwiftShader / llvmpipe), or with `#webgl`. On SwiftShader, Chromium's CPU renderer, every point is a
    /// primitive set up on the CPU: over 100 ms a frame for 60,000 points here, far too slow for a million.
    /// `raster`: the Canvas 2D fallback, and the default without a GPU: a plain JavaScript loop over the packed
    /// points writes each marker's pixels (a square, or a disc from radius 1.6) into an `ImageData` with integer
    /// blending, then one `putImageData`: about 10–15 ns a point on one CPU core (bench/README.md, case 14). A
    /// pan by whole pixels moves the pixels and draws only the strips that come into view, from the points of
    /// the grid cells that reach them (exactly what a full redraw gives: the view's origin is kept on whole pixels).
    /// Both take `P`: count, scale, labels, order(), xy(map), colorOf(label), isHidden(label), alpha, classCount.
    static let renderer = #"""
    var EmbevalRenderers = {
      // forced: accept a software (SwiftShader) context too.
      webgl: function (canvas, P, forced) {
        var gl = null;
        try {
          gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false,
                                              failIfMajorPerformanceCaveat: !forced });
        } catch (e) { gl = null; }
        if (!gl) return null;
        // Without a hardware GPU (SwiftShader, llvmpipe, …) the raster renderer is far faster, unless forced.
        var info = gl.getExtension('WEBGL_debug_renderer_info');
        var device = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
        if (!forced && /swiftshader|llvmpipe|softpipe|software|basic render/i.test(device)) {
          var lose = gl.getExtension('WEBGL_lose_context');
          if (lose) lose.loseContext();
          return null;
        }
        var VS = '#version 300 es\n' +
          'in vec2 a_xy; in float a_label;\n' +
          'uniform vec2 u_scale; uniform vec2 u_offset; uniform float u_size; uniform sampler2D u_colors;\n' +
          'out vec3 v_color;\n' +
          'void main() {\n' +
          '  int k = int(a_label);\n' +
          '  vec4 c = texelFetch(u_colors, ivec2(k % 256, k / 256), 0);\n' +
          '  v_color = c.rgb;\n' +
          '  gl_Position = c.a > 0.5 ? vec4(a_xy * u_scale + u_offset, 0.0, 1.0) : vec4(2.0, 2.0, 2.0, 1.0);\n' +
          '  gl_PointSize = u_size;\n' +
          '}\n';
        var FS = '#version 300 es\nprecision mediump float;\n' +
          'in vec3 v_color; uniform float u_round; uniform float u_alpha; out vec4 color;\n' +
          'void main() {\n' +
          '  if (u_round > 0.5) { vec2 d = gl_PointCoord - 0.5; if (dot(d, d) > 0.25) discard; }\n' +
          '  color = vec4(v_color, u_alpha);\n' +
          '}\n';
        function shader(type, text) {
          var s = gl.createShader(type);
          gl.shaderSource(s, text);
          gl.compileShader(s);
          if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
          return s;
        }
        var prog = gl.createProgram();
        gl.attachShader(prog, shader(gl.VERTEX_SHADER, VS));
        gl.attachShader(prog, shader(gl.FRAGMENT_SHADER, FS));
        gl.bindAttribLocation(prog, 0, 'a_xy');
        gl.bindAttribLocation(prog, 1, 'a_label');
        gl.linkProgram(prog);
        if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
        var u = {};
        ['u_scale', 'u_offset', 'u_size', 'u_round', 'u_alpha', 'u_colors'].forEach(function (n) {
          u[n] = gl.getUniformLocation(prog, n);
        });

        // Colour table: slot label + 1 (0 = unlabelled) at (slot % 256, slot / 256); alpha 0 = hidden class.
        var slots = P.classCount + 1, rows = Math.ceil(slots / 256), table = new Uint8Array(256 * rows * 4);
        var tex = gl.createTexture();
        gl.bindTexture(gl.TEXTURE_2D, tex);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
        gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
        function colorsChanged() {
          for (var k = 0; k < slots; k++) {
            var hex = P.colorOf(k - 1), v = parseInt(hex.slice(1), 16);
            table[4 * k] = (v >> 16) & 255; table[4 * k + 1] = (v >> 8) & 255; table[4 * k + 2] = v & 255;
            table[4 * k + 3] = P.isHidden(k - 1) ? 0 : 255;
          }
          gl.bindTexture(gl.TEXTURE_2D, tex);
          gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, rows, 0, gl.RGBA, gl.UNSIGNED_BYTE, table);
        }
        colorsChanged();

        // Per map, once: the finite points in the shared shuffled order, positions and colour slots.
        var maps = {};
        function buffers(m) {
          if (maps[m]) return maps[m];
          var xy = P.xy(m), order = P.order(), labels = P.labels, n = 0;
          var pos = new Float32Array(2 * P.count), slot = new Float32Array(P.count);
          for (var k = 0; k < P.count; k++) {
            var i = order[k];
            if (xy[2 * i] < 0) continue;
            pos[2 * n] = xy[2 * i]; pos[2 * n + 1] = xy[2 * i + 1];
            slot[n] = labels[i] < 0 ? 0 : labels[i] + 1;
            n++;
          }
          var vao = gl.createVertexArray();
          gl.bindVertexArray(vao);
          var b0 = gl.createBuffer();
          gl.bindBuffer(gl.ARRAY_BUFFER, b0);
          gl.bufferData(gl.ARRAY_BUFFER, pos.subarray(0, 2 * n), gl.STATIC_DRAW);
          gl.enableVertexAttribArray(0);
          gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
          var b1 = gl.createBuffer();
          gl.bindBuffer(gl.ARRAY_BUFFER, b1);
          gl.bufferData(gl.ARRAY_BUFFER, slot.subarray(0, n), gl.STATIC_DRAW);
          gl.enableVertexAttribArray(1);
          gl.vertexAttribPointer(1, 1, gl.FLOAT, false, 0, 0);
          gl.bindVertexArray(null);
          return (maps[m] = { vao: vao, count: n });
        }

        return {
          kind: 'webgl',
          colorsChanged: colorsChanged,
          // v: the view in CSS pixels (s, tx, ty), the canvas size (W, H), the marker radius r and the pixel ratio.
          draw: function (m, v) {
            var b = buffers(m);
            gl.viewport(0, 0, canvas.width, canvas.height);
            gl.clearColor(1, 1, 1, 1);
            gl.clear(gl.COLOR_BUFFER_BIT);
            gl.useProgram(prog);
            gl.enable(gl.BLEND);
            gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
            gl.activeTexture(gl.TEXTURE0);
            gl.bindTexture(gl.TEXTURE_2D, tex);
            gl.uniform1i(u.u_colors, 0);
            gl.uniform2f(u.u_scale, 2 * v.s / v.W, 2 * v.s / v.H);
            gl.uniform2f(u.u_offset, 2 * v.tx / v.W - 1, 1 - 2 * v.ty / v.H);
            gl.uniform1f(u.u_size, Math.max(1, 2 * v.r * v.dpr));
            gl.uniform1f(u.u_round, v.r < 1.6 ? 0 : 1);
            gl.uniform1f(u.u_alpha, P.alpha);
            gl.bindVertexArray(b.vao);
            gl.drawArrays(gl.POINTS, 0, b.count);
            gl.bindVertexArray(null);
          }
        };
      },

      raster: function (canvas, P) {
        var ctx = canvas.getContext('2d'), image = null, pixels = null, W = 0, H = 0;
        var last = null, version = 0, wasPan = false;
        // Per colour slot (label + 1; 0 = unlabelled): red and blue packed as 0x00BB00RR, green as 0x0000GG00 (the
        // layout of a little-endian RGBA pixel read as one 32-bit integer), and whether the class is shown.
        var slots = P.classCount + 1, rb = new Int32Array(slots), gg = new Int32Array(slots), shown = new Uint8Array(slots);
        function colorsChanged() {
          for (var k = 0; k < slots; k++) {
            var v = parseInt(P.colorOf(k - 1).slice(1), 16);
            rb[k] = ((v & 255) << 16) | ((v >> 16) & 255);
            gg[k] = v & 0xff00;
            shown[k] = P.isHidden(k - 1) ? 0 : 1;
          }
          version++;
        }
        colorsChanged();
        // Per map, once: the finite points packed for a sequential pass, grouped by cell of a G × G grid over the
        // map (so consecutive points write nearby pixels, and a strip of the view can find its points) and in the
        // shared shuffled order within each cell (the points on one pixel are drawn in the same order either way).
        var G = 128, cellSize = P.scale / G + 1e-9, maps = {};
        function packed(m) {
          if (maps[m]) return maps[m];
          var xy = P.xy(m), order = P.order(), labels = P.labels;
          var cell = new Int32Array(P.count), start = new Int32Array(G * G + 1), n = 0, k, i;
          for (k = 0; k < P.count; k++) {
            i = order[k];
            if (xy[2 * i] < 0) { cell[k] = -1; continue; }
            var c = Math.min(G - 1, Math.floor(xy[2 * i + 1] / cellSize)) * G + Math.min(G - 1, Math.floor(xy[2 * i] / cellSize));
            cell[k] = c; start[c + 1]++; n++;
          }
          for (k = 0; k < G * G; k++) start[k + 1] += start[k];
          var fill = start.slice(0, G * G), pos = new Float32Array(2 * n), slot = new Int32Array(n);
          for (k = 0; k < P.count; k++) {
            if (cell[k] < 0) continue;
            i = order[k];
            var j = fill[cell[k]]++;
            pos[2 * j] = xy[2 * i]; pos[2 * j + 1] = xy[2 * i + 1];
            slot[j] = labels[i] < 0 ? 0 : labels[i] + 1;
          }
          return (maps[m] = { pos: pos, slot: slot, start: start, count: n });
        }
        // Pixel offsets (dx, dy) of a marker `size` pixels across: a square below radius 1.6, else a disc.
        var shapes = {};
        function shape(size, disc) {
          var key = size + (disc ? 'd' : 's');
          if (shapes[key]) return shapes[key];
          var out = [], c = size / 2;
          for (var y = 0; y < size; y++) {
            for (var x = 0; x < size; x++) {
              var dx = x + 0.5 - c, dy = y + 0.5 - c;
              if (!disc || dx * dx + dy * dy <= c * c) out.push(x, y);
            }
          }
          return (shapes[key] = Int32Array.from(out));
        }

        // Points k0 ..< k1 of map b blended into the pixels, clipped to [x0, x1) × [y0, y1). A point at map (qx, qy)
        // lands on pixel (ox + ⌊qx·s⌋, oy − 1 − ⌊qy·s⌋): the view's origin is a whole pixel, so a pan by whole
        // pixels moves every point by exactly that much.
        function plot(b, k0, k1, f, x0, y0, x1, y1) {
          var pos = b.pos, slot = b.slot, s = f.s, ox = f.ox, oy = f.oy - 1, a = f.a, na = 128 - a, size = f.size;
          var k, x, y, q, o, l;
          if (size === 1) {
            for (k = k0; k < k1; k++) {
              l = slot[k];
              if (!shown[l]) continue;
              x = ox + ((pos[2 * k] * s) | 0); y = oy - ((pos[2 * k + 1] * s) | 0);
              if (x < x0 || y < y0 || x >= x1 || y >= y1) continue;
              q = y * W + x; o = pixels[q];
              pixels[q] = -16777216 | ((((o & 0xff00ff) * na + rb[l] * a) >> 7) & 0xff00ff)
                                    | ((((o & 0x00ff00) * na + gg[l] * a) >> 7) & 0x00ff00);
            }
            return;
          }
          var offsets = f.offsets, count = offsets.length, back = size >> 1;
          for (k = k0; k < k1; k++) {
            l = slot[k];
            if (!shown[l]) continue;
            var left = ox + ((pos[2 * k] * s) | 0) - back, top = oy - ((pos[2 * k + 1] * s) | 0) - back;
            if (left + size <= x0 || top + size <= y0 || left >= x1 || top >= y1) continue;
            var inside = left >= x0 && top >= y0 && left + size <= x1 && top + size <= y1;
            for (var j = 0; j < count; j += 2) {
              x = left + offsets[j]; y = top + offsets[j + 1];
              if (!inside && (x < x0 || y < y0 || x >= x1 || y >= y1)) continue;
              q = y * W + x; o = pixels[q];
              pixels[q] = -16777216 | ((((o & 0xff00ff) * na + rb[l] * a) >> 7) & 0xff00ff)
                                    | ((((o & 0x00ff00) * na + gg[l] * a) >> 7) & 0x00ff00);
            }
          }
        }
        // The rectangle [x0, x1) × [y0, y1) drawn again from white: only the grid cells that can reach it.
        function redrawRect(b, f, x0, y0, x1, y1) {
          for (var y = y0; y < y1; y++) pixels.fill(-1, y * W + x0, y * W + x1);
          var reach = f.size + 1;
          var cx0 = Math.max(0, Math.floor((x0 - f.ox - reach) / f.s / cellSize));
          var cx1 = Math.min(G - 1, Math.floor((x1 - f.ox + reach) / f.s / cellSize));
          var cy0 = Math.max(0, Math.floor((f.oy - y1 - reach) / f.s / cellSize));
          var cy1 = Math.min(G - 1, Math.floor((f.oy - y0 + reach) / f.s / cellSize));
          for (var cy = cy0; cy <= cy1; cy++) plot(b, b.start[cy * G + cx0], b.start[cy * G + cx1 + 1], f, x0, y0, x1, y1);
        }
        // The pixels moved by whole pixels (dx, dy); what comes into view is drawn afresh.
        function pan(b, f, dx, dy) {
          var y;
          if (dy > 0) pixels.copyWithin(dy * W, 0, (H - dy) * W);
          else if (dy < 0) pixels.copyWithin(0, -dy * W, H * W);
          if (dx !== 0) {
            for (y = 0; y < H; y++) {
              var row = y * W;
              if (dx > 0) pixels.copyWithin(row + dx, row, row + W - dx);
              else pixels.copyWithin(row, row - dx, row + W);
            }
          }
          var rows0 = dy > 0 ? 0 : H + dy, rows1 = dy > 0 ? dy : H;   // the band of new rows (may be empty)
          if (dy !== 0) redrawRect(b, f, 0, rows0, W, rows1);
          if (dx !== 0) {
            var ya = dy > 0 ? dy : 0, yb = dy < 0 ? H + dy : H;          // the new columns, below / above that band
            redrawRect(b, f, dx > 0 ? 0 : W + dx, ya, dx > 0 ? dx : W, yb);
          }
        }
        return {
          kind: 'raster',
          colorsChanged: colorsChanged,
          // Forget what is drawn (the next draw starts from white).
          invalidate: function () { last = null; },
          // A copy of the pixels (the self-test compares a panned frame with one drawn from scratch).
          snapshot: function () { return pixels ? pixels.slice() : null; },
          // Whether the last draw moved the pixels of the one before (a pan) instead of drawing them all.
          wasPan: function () { return wasPan; },
          draw: function (m, v) {
            var w = canvas.width, h = canvas.height;
            if (!image || image.width !== w || image.height !== h) {
              image = ctx.createImageData(w, h);
              pixels = new Int32Array(image.data.buffer);
              W = w; H = h; last = null;
            }
            var b = packed(m);
            // Marker size: 2r rounded down (a 1.6-px marker is one pixel: a quarter of the work at 1M points).
            var size = Math.max(1, Math.floor(2 * v.r * v.dpr));
            // Integer blending in 7 bits: (channel · (128 − a) + colour · a) >> 7 never leaves int32 (V8's fast path).
            var f = { s: v.s * v.dpr, ox: Math.round(v.tx * v.dpr), oy: Math.round(v.ty * v.dpr), size: size,
                      a: Math.round(P.alpha * 128), offsets: shape(size, v.r >= 1.6), m: m, version: version };
            var dx = last ? f.ox - last.ox : 0, dy = last ? f.oy - last.oy : 0;
            if (last && last.m === m && last.s === f.s && last.size === size && last.version === version &&
                Math.abs(dx) < W / 2 && Math.abs(dy) < H / 2) {
              if (dx !== 0 || dy !== 0) pan(b, f, dx, dy);
              wasPan = true;
            } else {
              wasPan = false;
              pixels.fill(-1);   // opaque white
              plot(b, 0, b.count, f, 0, 0, W, H);
            }
            last = f;
            ctx.putImageData(image, 0, 0);
          }
        };
      }
    };
    """#
}
