extension ExplorePageScript {
    /// The two ways the page draws a map's points (the hover and selection rings go on a 2-D overlay canvas).
    ///
    /// `webgl`: WebGL 2 `gl.POINTS` from vertex buffers uploaded once per map (shuffled order, so no class hides
    /// under another); a pan or zoom changes two uniforms, a class filter one row of a colour texture (alpha 0 =
    /// hidden). This keeps 1M points at interactive rates, even on SwiftShader (Chromium's CPU renderer). `canvas`:
    /// the Canvas 2D fallback where WebGL 2 is unavailable (or with `#canvas2d`), batched per class as before.
    /// Both take `P`: count, labels, order(), xy(map), colorOf(label), isHidden(label), alpha, classCount.
    static let renderer = #"""
    var EmbevalRenderers = {
      webgl: function (canvas, P) {
        var gl = null;
        try {
          gl = canvas.getContext('webgl2', { alpha: false, antialias: false, depth: false, stencil: false });
        } catch (e) { gl = null; }
        if (!gl) return null;
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

      canvas: function (canvas, P) {
        var ctx = canvas.getContext('2d'), batches = null;
        // Points in the shared shuffled order, cut into single-class runs of up to 2,000 points, so no class is
        // buried under another and overlapping points in different batches still build up density.
        function makeBatches() {
          var order = P.order(), open = {}, out = [], keys = [];
          for (var n = 0; n < P.count; n++) {
            var p = order[n], l = P.labels[p];
            if (!open[l]) { open[l] = []; keys.push(l); }
            open[l].push(p);
            if (open[l].length === 2000) { out.push({ label: l, points: Int32Array.from(open[l]) }); open[l] = []; }
          }
          keys.forEach(function (l) { if (open[l].length) out.push({ label: l, points: Int32Array.from(open[l]) }); });
          return out;
        }
        return {
          kind: 'canvas',
          colorsChanged: function () {},
          draw: function (m, v) {
            if (!batches) batches = makeBatches();
            var xy = P.xy(m), s = v.s, tx = v.tx, ty = v.ty, r = v.r, square = r < 1.6, d = 2 * r, W = v.W, H = v.H;
            ctx.setTransform(v.dpr, 0, 0, v.dpr, 0, 0);
            ctx.globalAlpha = 1;
            ctx.fillStyle = '#ffffff';
            ctx.fillRect(0, 0, W, H);
            ctx.globalAlpha = P.alpha;
            for (var b = 0; b < batches.length; b++) {
              var batch = batches[b];
              if (P.isHidden(batch.label)) continue;
              ctx.fillStyle = P.colorOf(batch.label);
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
          }
        };
      }
    };
    """#
}
