import Foundation

/// Static scatter plots of a 2-D (or 3-D) map of an embedding set: SVG (`svg(...)`) and PNG (`png(...)`).
///
/// Both draw the same picture: a title on top, the points in an equal-aspect plot frame with tick marks, and a
/// legend on the right naming each class (with its point count) next to its colour (`Palette`). Points are drawn
/// in a fixed pseudo-random order so no class hides under another; their radius and opacity shrink with the number
/// of points (`markerStyle(count:)`) so 100,000 points still show density instead of a solid blob.
///
/// - Coordinates: row i of `points` is point i; columns 0 and 1 are x and y (y grows upwards). A third column
///   (a 3-D map) is ignored: the picture is the map seen along its third axis. Rows with a non-finite x or y are
///   not drawn (and not counted in the legend).
/// - Labels: `labels[i]` indexes `classNames`; a label without a name is shown as "class N"; a negative label (or a
///   missing one, when `labels` is shorter than the point count) means "unlabelled". With no labels at all every
///   point is one colour and there is no legend.
public enum ScatterPlot {
    /// Marker radius (pixels, for a plot area about 650 pixels across) and opacity for `count` points:
    /// 5 px / 0.9 up to ~100 points, 3.2 px / 0.9 at 1,000, 2 px / 0.55 at 10,000, 1.3 px / 0.28 at 100,000.
    public static func markerStyle(count: Int) -> (radius: Double, alpha: Double) {
        let n = Double(max(count, 1))
        let radius = min(5, max(0.8, 3.2 * pow(1000 / n, 0.2)))
        let alpha = min(0.9, max(0.2, 0.9 * pow(2000 / n, 0.3)))
        return (radius, alpha)
    }

    static let textColor = RGBColor(hex: 0x222222)
    static let frameColor = RGBColor(hex: 0x555555)
    static let maxLegendNameLength = 28
    static let orderSeed: UInt64 = 0x5CA7_7E12

    /// One legend row.
    struct LegendEntry: Equatable {
        var text: String
        var color: RGBColor?   // nil: a note row ("+K more")
    }

    /// Font metrics the layout needs from a renderer.
    struct TextMetrics {
        var charWidth: Double       // advance of one character of body text
        var lineHeight: Double      // body line pitch
        var textHeight: Double      // height of body glyphs (cap height for the bitmap font)
        var titleCharWidth: Double
        var titleHeight: Double
    }

    /// Where everything goes, shared by the SVG and PNG renderers so both draw the same picture.
    struct Layout {
        var width: Double, height: Double, margin: Double
        var title: String
        var titleY: Double                           // top of the title text
        var plot: (x0: Double, y0: Double, x1: Double, y1: Double)
        var scale: Double, originX: Double, originY: Double  // pixel = origin + (v − view min) · scale
        var viewX: (Double, Double), viewY: (Double, Double)
        var xTicks: [(value: Double, pixel: Double, text: String)]
        var yTicks: [(value: Double, pixel: Double, text: String)]
        var tickLength: Double
        var legendX: Double, legendY: Double
        var legend: [LegendEntry]
        var radius: Double, alpha: Double
        /// Drawable points in drawing order: index, pixel x, pixel y, colour index (−1 unlabelled).
        var order: [Int]
        var px: [Double], py: [Double]
        var colorIndex: [Int]

        func pixelX(_ v: Double) -> Double { originX + (v - viewX.0) * scale }
        func pixelY(_ v: Double) -> Double { originY - (v - viewY.0) * scale }
    }

    static func layout(points: Matrix, labels: [Int], classNames: [String], title: String,
                       width: Int, height: Int, metrics m: TextMetrics) -> Layout {
        let w = Double(width), h = Double(height)
        let margin = (0.02 * min(w, h)).rounded()
        let n = points.rows
        func coordinate(_ i: Int, _ c: Int) -> Double { c < points.columns ? Double(points[i, c]) : 0 }

        // Which points can be drawn, and their classes.
        let hasLabels = !labels.isEmpty
        var drawable = [Bool](repeating: false, count: n)
        var classOf = [Int](repeating: -1, count: n)
        var counts = [Int: Int]()
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            let x = coordinate(i, 0), y = coordinate(i, 1)
            guard x.isFinite, y.isFinite else { continue }
            drawable[i] = true
            minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            let label = hasLabels ? (i < labels.count ? labels[i] : -1) : 0
            classOf[i] = label < 0 ? -1 : label
            counts[classOf[i], default: 0] += 1
        }
        if !minX.isFinite { minX = -1; maxX = 1; minY = -1; maxY = 1 }
        if maxX - minX < 1e-12 { minX -= 1; maxX += 1 }
        if maxY - minY < 1e-12 { minY -= 1; maxY += 1 }
        let padX = 0.03 * (maxX - minX), padY = 0.03 * (maxY - minY)
        minX -= padX; maxX += padX; minY -= padY; maxY += padY

        // Legend entries: classes in index order, then the unlabelled points.
        var legend = [LegendEntry]()
        if hasLabels {
            for c in counts.keys.filter({ $0 >= 0 }).sorted() {
                let name = c < classNames.count ? classNames[c] : "class \(c)"
                legend.append(LegendEntry(text: "\(truncated(name, maxLegendNameLength)) (\(counts[c]!))",
                                          color: Palette.color(c)))
            }
            if let u = counts[-1] { legend.append(LegendEntry(text: "unlabelled (\(u))", color: Palette.unlabelled)) }
        }

        // Horizontal budget: tick labels | plot | legend.
        let tickLength = (0.006 * min(w, h)).rounded(.up) + 1
        let swatch = m.textHeight
        let legendTextChars = legend.map { $0.text.unicodeScalars.count }.max() ?? 0
        var legendWidth = legend.isEmpty ? 0 : swatch + m.charWidth * (1 + Double(legendTextChars)) + margin
        legendWidth = min(legendWidth, 0.4 * w)
        let titleText = truncated(title, max(4, Int((w - 2 * margin) / m.titleCharWidth)))
        let titleY = margin
        let plotY0 = titleY + m.titleHeight + margin
        let plotY1 = h - margin - tickLength - m.lineHeight
        // Tick labels on the y axis need a width; estimate from the y range first.
        let provisionalY = ticks(minY, maxY, target: 6)
        let yLabelChars = provisionalY.map { $0.text.count }.max() ?? 3
        let plotX0 = margin + Double(yLabelChars + 1) * m.charWidth + tickLength
        let plotX1 = w - margin - legendWidth
        let pw = max(plotX1 - plotX0, 10), ph = max(plotY1 - plotY0, 10)

        // Equal aspect, centred.
        let scale = min(pw / (maxX - minX), ph / (maxY - minY))
        let cx = (minX + maxX) / 2, cy = (minY + maxY) / 2
        let viewX = (cx - pw / 2 / scale, cx + pw / 2 / scale)
        let viewY = (cy - ph / 2 / scale, cy + ph / 2 / scale)
        var layout = Layout(width: w, height: h, margin: margin, title: titleText, titleY: titleY,
                            plot: (plotX0, plotY0, plotX0 + pw, plotY0 + ph), scale: scale,
                            originX: plotX0, originY: plotY0 + ph, viewX: viewX, viewY: viewY,
                            xTicks: [], yTicks: [], tickLength: tickLength,
                            legendX: plotX0 + pw + margin, legendY: plotY0, legend: [],
                            radius: 0, alpha: 0, order: [], px: [], py: [], colorIndex: [])
        layout.xTicks = ticks(viewX.0, viewX.1, target: max(3, Int(pw / 110))).map { ($0.value, layout.pixelX($0.value), $0.text) }
        layout.yTicks = ticks(viewY.0, viewY.1, target: max(3, Int(ph / 90))).map { ($0.value, layout.pixelY($0.value), $0.text) }

        // Legend rows that fit beside the plot; the rest collapse into "+K more".
        let rows = max(1, Int(ph / m.lineHeight))
        if legend.count > rows {
            let shown = rows - 1
            let hidden = legend.count - shown
            legend = Array(legend.prefix(shown)) + [LegendEntry(text: "+\(hidden) more", color: nil)]
        }
        layout.legend = legend

        let drawn = drawable.lazy.filter { $0 }.count
        let style = markerStyle(count: drawn)
        layout.radius = style.radius * min(pw, ph) / 650
        layout.alpha = style.alpha
        var generator = SeededGenerator(seed: orderSeed)
        layout.order = generator.permutation(n).filter { drawable[$0] }
        layout.px = [Double](repeating: .nan, count: n)
        layout.py = [Double](repeating: .nan, count: n)
        for i in layout.order {
            layout.px[i] = layout.pixelX(coordinate(i, 0))
            layout.py[i] = layout.pixelY(coordinate(i, 1))
        }
        layout.colorIndex = classOf
        return layout
    }

    /// "Nice" tick values (1, 2 or 5 × 10^k apart) inside [lo, hi], about `target` of them, with labels.
    static func ticks(_ lo: Double, _ hi: Double, target: Int) -> [(value: Double, text: String)] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let raw = (hi - lo) / Double(max(target, 1))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let step = (residual < 1.5 ? 1 : residual < 3.5 ? 2 : residual < 7.5 ? 5 : 10) * magnitude
        let decimals = max(0, -Int(log10(step).rounded(.down)))
        var out = [(value: Double, text: String)]()
        var k = (lo / step).rounded(.up)
        while k * step <= hi + 1e-9 * step, out.count < 50 {
            let v = k * step
            var text = String(format: "%.\(decimals)f", v)
            if text.hasPrefix("-"), Double(text) == 0 { text.removeFirst() }
            out.append((v, text))
            k += 1
        }
        return out
    }

    /// `s` cut to `limit` characters, ending in "..." when cut.
    static func truncated(_ s: String, _ limit: Int) -> String {
        let scalars = Array(s.unicodeScalars)
        guard scalars.count > limit else { return s }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(max(0, limit - 3)))
        return String(out) + "..."
    }
}
