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
    /// blending, then one `putImageData`: about 15 ns a point on one CPU core (bench/README.md, case 14).
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
        var ctx = canvas.getContext('2d'), image = null, pixels = null;
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
        }
        colorsChanged();
        // Per map, once: the finite points packed for a sequential pass, grouped by cell of a 128 × 128 grid over
        // the map (so consecutive points write nearby pixels: a third less time at 1M points) and in the shared
        // shuffled order within each cell (points on one pixel are always in one cell, so their order is fair).
        var maps = {};
        function packed(m) {
          if (maps[m]) return maps[m];
          var xy = P.xy(m), order = P.order(), labels = P.labels, G = 128, size = P.scale / G + 1e-9;
          var cell = new Int32Array(P.count), start = new Int32Array(G * G + 1), n = 0, k, i;
          for (k = 0; k < P.count; k++) {
            i = order[k];
            if (xy[2 * i] < 0) { cell[k] = -1; continue; }
            var c = Math.min(G - 1, Math.floor(xy[2 * i + 1] / size)) * G + Math.min(G - 1, Math.floor(xy[2 * i] / size));
            cell[k] = c; start[c + 1]++; n++;
          }
          for (k = 0; k < G * G; k++) start[k + 1] += start[k];
          var pos = new Float32Array(2 * n), slot = new Int32Array(n);
          for (k = 0; k < P.count; k++) {
            if (cell[k] < 0) continue;
            i = order[k];
            var j = start[cell[k]]++;
            pos[2 * j] = xy[2 * i]; pos[2 * j + 1] = xy[2 * i + 1];
            slot[j] = labels[i] < 0 ? 0 : labels[i] + 1;
          }
          return (maps[m] = { pos: pos, slot: slot, count: n });
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
        return {
          kind: 'raster',
          colorsChanged: colorsChanged,
          draw: function (m, v) {
            var W = canvas.width, H = canvas.height;
            if (!image || image.width !== W || image.height !== H) {
              image = ctx.createImageData(W, H);
              pixels = new Int32Array(image.data.buffer);
            }
            pixels.fill(-1);   // opaque white
            var b = packed(m), pos = b.pos, slot = b.slot, n = b.count;
            var s = v.s * v.dpr, tx = v.tx * v.dpr, ty = v.ty * v.dpr;
            // Integer blending in 7 bits: (channel · (128 − a) + colour · a) >> 7 never leaves int32 (V8's fast path).
            var a = Math.round(P.alpha * 128), na = 128 - a;
            // Marker size: 2r rounded down (a 1.6-px marker is one pixel: a quarter of the work at 1M points).
            var size = Math.max(1, Math.floor(2 * v.r * v.dpr)), half = size / 2;
            var k, x, y, q, o, l;
            if (size === 1) {
              for (k = 0; k < n; k++) {
                l = slot[k];
                if (!shown[l]) continue;
                x = (tx + pos[2 * k] * s) | 0; y = (ty - pos[2 * k + 1] * s) | 0;
                if (x < 0 || y < 0 || x >= W || y >= H) continue;
                q = y * W + x; o = pixels[q];
                pixels[q] = -16777216 | ((((o & 0xff00ff) * na + rb[l] * a) >> 7) & 0xff00ff)
                                      | ((((o & 0x00ff00) * na + gg[l] * a) >> 7) & 0x00ff00);
              }
            } else {
              var offsets = shape(size, v.r >= 1.6), count = offsets.length;
              for (k = 0; k < n; k++) {
                l = slot[k];
                if (!shown[l]) continue;
                var x0 = Math.round(tx + pos[2 * k] * s - half), y0 = Math.round(ty - pos[2 * k + 1] * s - half);
                if (x0 + size <= 0 || y0 + size <= 0 || x0 >= W || y0 >= H) continue;
                var inside = x0 >= 0 && y0 >= 0 && x0 + size <= W && y0 + size <= H;
                for (var j = 0; j < count; j += 2) {
                  x = x0 + offsets[j]; y = y0 + offsets[j + 1];
                  if (!inside && (x < 0 || y < 0 || x >= W || y >= H)) continue;
                  q = y * W + x; o = pixels[q];
                  pixels[q] = -16777216 | ((((o & 0xff00ff) * na + rb[l] * a) >> 7) & 0xff00ff)
                                        | ((((o & 0x00ff00) * na + gg[l] * a) >> 7) & 0x00ff00);
                }
              }
            }
            ctx.putImageData(image, 0, 0);
          }
        };
      }
    };
    """#
}
